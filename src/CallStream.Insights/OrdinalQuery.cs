using System.Collections;
using System.Linq.Expressions;
using System.Reflection;

namespace CallStream.Insights;

/// <summary>
/// An in-memory queryable that runs LINQ to Objects with ordinal ordering of text: before running, every
/// <c>OrderBy</c>/<c>ThenBy</c> on a <see cref="string"/> key gets <see cref="StringComparer.Ordinal"/>, so that results
/// do not depend on the current culture and sort as MongoDB's simple collation does (code unit order).
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
internal sealed class OrdinalQuery<T> : IOrderedQueryable<T>, IOrdinalQueryRoot
{
    private readonly IEnumerable<T>? _rows;
    private readonly Lazy<Dictionary<string, T>>? _byKey;

    public OrdinalQuery(IEnumerable<T> rows)
    {
        _rows = rows;
        Expression = Expression.Constant(this);
    }

    /// <summary>Creates a root whose rows have a unique text key, so that joins on that key use one index built once.</summary>
    /// <param name="rows">The rows, one per key.</param>
    /// <param name="keyMember">The name of the key's property.</param>
    /// <param name="key">Reads the key.</param>
    public OrdinalQuery(IReadOnlyCollection<T> rows, string keyMember, Func<T, string> key)
        : this(rows)
    {
        UniqueKeyMember = keyMember;
        _byKey = new(() =>
        {
            var index = new Dictionary<string, T>(rows.Count, StringComparer.Ordinal);
            foreach (var row in rows)
                index[key(row)] = row;
            return index;
        });
    }

    /// <summary>Gets the name of the property that is unique over the rows, or <see langword="null"/>.</summary>
    public string? UniqueKeyMember { get; }

    /// <summary>Gets the rows by their unique key (built on first use); <see langword="null"/> without one.</summary>
    public object? UniqueKeyIndex => _byKey?.Value;

    public OrdinalQuery(Expression expression)
    {
        Expression = expression;
    }

    public Type ElementType => typeof(T);

    public Expression Expression { get; }

    public IQueryProvider Provider => OrdinalQueryProvider.Instance;

    public IEnumerator<T> GetEnumerator() => OrdinalQueryProvider.Instance.Execute<IEnumerable<T>>(Expression).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public IQueryable AsEnumerableQuery() =>
        _rows is null ? throw new InvalidOperationException("Only the root query holds rows.") : _rows.AsQueryable();
}

/// <summary>The root of an <see cref="OrdinalQuery{T}"/>: it can give its rows as a LINQ to Objects queryable.</summary>
internal interface IOrdinalQueryRoot
{
    /// <summary>Gets the name of a property that is unique over the rows, or <see langword="null"/>.</summary>
    string? UniqueKeyMember { get; }

    /// <summary>Gets a <c>Dictionary&lt;string, T&gt;</c> of the rows by that property, or <see langword="null"/>.</summary>
    object? UniqueKeyIndex { get; }

    IQueryable AsEnumerableQuery();
}

/// <summary>The provider of <see cref="OrdinalQuery{T}"/>: rewrites the expression, then hands it to LINQ to Objects.</summary>
internal sealed class OrdinalQueryProvider : IQueryProvider
{
    private static readonly HashSet<string> OrderingMethods = ["OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending"];

    private OrdinalQueryProvider()
    {
    }

    public static OrdinalQueryProvider Instance { get; } = new();

    public IQueryable CreateQuery(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        Type element = ElementTypeOf(expression.Type);
        return (IQueryable)Activator.CreateInstance(typeof(OrdinalQuery<>).MakeGenericType(element), expression)!;
    }

    public IQueryable<TElement> CreateQuery<TElement>(Expression expression) => new OrdinalQuery<TElement>(expression);

    public object? Execute(Expression expression) => Execute<object?>(expression);

    public TResult Execute<TResult>(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var rewritten = new Rewriter().Visit(expression);
        if (typeof(TResult).IsGenericType && typeof(TResult).GetGenericTypeDefinition() == typeof(IEnumerable<>))
        {
            var query = (IQueryable)Activator.CreateInstance(typeof(EnumerableQuery<>).MakeGenericType(typeof(TResult).GetGenericArguments()[0]), rewritten)!;
            return (TResult)query;
        }
        return ((IQueryProvider)new EnumerableQuery<TResult>(rewritten)).Execute<TResult>(rewritten);
    }

    private static Type ElementTypeOf(Type sequence)
    {
        foreach (var type in sequence.GetInterfaces().Append(sequence))
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                return type.GetGenericArguments()[0];
        }
        throw new ArgumentException($"{sequence} is not a sequence.", nameof(sequence));
    }

    private sealed class Rewriter : ExpressionVisitor
    {
        protected override Expression VisitConstant(ConstantExpression node) =>
            node.Value is IOrdinalQueryRoot root ? Expression.Constant(root.AsEnumerableQuery()) : node;

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (TryRewriteUniqueJoin(node) is { } join)
                return join;
            var visited = (MethodCallExpression)base.VisitMethodCall(node);
            var method = visited.Method;
            if (method.DeclaringType == typeof(Queryable)
                && visited.Arguments.Count == 2
                && OrderingMethods.Contains(method.Name)
                && method.GetGenericArguments()[1] == typeof(string))
            {
                var withComparer = typeof(Queryable).GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .Single(m => m.Name == method.Name && m.GetParameters().Length == 3)
                    .MakeGenericMethod(method.GetGenericArguments());
                return Expression.Call(withComparer, visited.Arguments[0], visited.Arguments[1], Expression.Constant(StringComparer.Ordinal, typeof(IComparer<string>)));
            }
            return visited;
        }

        /// <summary>
        /// <c>outer.Join(root, o =&gt; key(o), r =&gt; r.Key, result)</c> where <c>Key</c> is unique over the root's rows
        /// becomes a lookup of each outer row's key in the root's index: the same rows in the same order as LINQ to
        /// Objects' join, which would instead build a lookup of every inner row for every query.
        /// </summary>
        private Expression? TryRewriteUniqueJoin(MethodCallExpression node)
        {
            if (node.Method.DeclaringType != typeof(Queryable) || node.Method.Name != nameof(Queryable.Join) || node.Arguments.Count != 5)
                return null;
            if (node.Arguments[1] is not ConstantExpression { Value: IOrdinalQueryRoot { UniqueKeyMember: { } member } root })
                return null;
            if (StripQuotes(node.Arguments[3]) is not LambdaExpression { Body: MemberExpression { Member.Name: var name, Expression: ParameterExpression } }
                || name != member)
                return null;
            var types = node.Method.GetGenericArguments(); // TOuter, TInner, TKey, TResult
            if (types[2] != typeof(string))
                return null;
            var helper = typeof(Rewriter).GetMethod(nameof(JoinUnique), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(types[0], types[1], types[3]);
            return Expression.Call(
                helper,
                Visit(node.Arguments[0]),
                Expression.Constant(root.UniqueKeyIndex, typeof(Dictionary<,>).MakeGenericType(typeof(string), types[1])),
                Expression.Constant(StripQuotes(node.Arguments[2])),
                Expression.Constant(StripQuotes(node.Arguments[4])));
        }

        private static Expression StripQuotes(Expression expression) =>
            expression is UnaryExpression { NodeType: ExpressionType.Quote } quote ? quote.Operand : expression;

        private static IQueryable<TResult> JoinUnique<TOuter, TInner, TResult>(
            IEnumerable<TOuter> outer,
            Dictionary<string, TInner> inner,
            Expression<Func<TOuter, string>> outerKey,
            Expression<Func<TOuter, TInner, TResult>> result)
        {
            var key = outerKey.Compile();
            var select = result.Compile();
            return Iterate().AsQueryable();

            IEnumerable<TResult> Iterate()
            {
                foreach (var row in outer)
                {
                    if (key(row) is { } k && inner.TryGetValue(k, out var match))
                        yield return select(row, match);
                }
            }
        }
    }
}
