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

    public OrdinalQuery(IEnumerable<T> rows)
    {
        _rows = rows;
        Expression = Expression.Constant(this);
    }

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
    }
}
