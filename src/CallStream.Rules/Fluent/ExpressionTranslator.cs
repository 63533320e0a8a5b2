using System.Collections;
using System.Linq.Expressions;

namespace CallStream.Rules;

/// <summary>
/// Translates the C# lambdas of the fluent builder into the rule model: properties of <see cref="Interaction"/>
/// become fields, constants and captured variables are evaluated into literals, <c>== null</c> becomes
/// <c>is null</c>, <c>collection.Contains(field)</c> becomes <c>in</c>, and the <see cref="IAggregateWindow"/>
/// methods become aggregates. Anything else is reported, naming the construct.
/// </summary>
internal sealed class ExpressionTranslator
{
    private readonly List<string> _problems;
    private readonly string _clause;
    private readonly HashSet<ParameterExpression> _interactions = [];
    private readonly ParameterExpression? _window;
    private readonly ClosedExpressionEvaluator _closed;
    private int _depth;

    private ExpressionTranslator(List<string> problems, string clause, ParameterExpression? interaction, ParameterExpression? window)
    {
        _problems = problems;
        _clause = clause;
        if (interaction is not null)
            _interactions.Add(interaction);
        _window = window;
        _closed = new ClosedExpressionEvaluator(problems, clause, _interactions, window);
    }

    /// <summary>Translates a <c>where</c> lambda; <see langword="null"/> when a problem was added.</summary>
    public static Expr? TranslateCondition(Expression<Func<Interaction, bool>> lambda, List<string> problems) =>
        new ExpressionTranslator(problems, "where", lambda.Parameters[0], null).Translate(lambda.Body);

    /// <summary>Translates a <c>having</c> lambda; <see langword="null"/> when a problem was added.</summary>
    public static Expr? TranslateHaving(Expression<Func<IAggregateWindow, bool>> lambda, List<string> problems) =>
        new ExpressionTranslator(problems, "having", null, lambda.Parameters[0]).Translate(lambda.Body);

    /// <summary>Translates a <c>group by</c> lambda, which must name a field; <see langword="null"/> when a problem was added.</summary>
    public static Field? TranslateField(LambdaExpression lambda, List<string> problems)
    {
        var translator = new ExpressionTranslator(problems, "group by", lambda.Parameters[0], null);
        var body = StripConvert(lambda.Body);
        var e = translator.Translate(body);
        if (e is FieldExpr f)
            return f.Field;
        if (e is not null)
            translator.Unsupported(lambda.Body, "a group key other than a field", "write i => i.CustomerId or i => i.Attributes[\"region\"]");
        return null;
    }

    private Expr? Unsupported(Expression e, string what, string? hint = null) => Unsupported(_problems, _clause, e, what, hint);

    /// <summary>Reports a construct the rule language cannot express; gives <see langword="null"/>, the failed translation.</summary>
    internal static Expr? Unsupported(List<string> problems, string clause, Expression e, string what, string? hint = null)
    {
        problems.Add($"{clause}: {what} is not supported in rules, in '{DiagnosticText.Shorten(e.ToString())}'" + (hint is null ? "." : $" ({hint})."));
        return null;
    }

    internal static Expression StripConvert(Expression e)
    {
        while (e is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked, Method: null } u)
            e = u.Operand;
        return e;
    }

    private static Type? EnumTypeOf(Expression e)
    {
        var type = StripConvert(e).Type;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? type : null;
    }

    private Expr? Translate(Expression e)
    {
        if (++_depth > Rule.MaxExpressionDepth)
        {
            _depth--;
            _problems.Add($"{_clause}: the expression nests deeper than {Rule.MaxExpressionDepth} levels.");
            return null;
        }
        try
        {
            if (_closed.IsClosed(e))
                return _closed.Evaluate(e, null);
            return e switch
            {
                BinaryExpression b => TranslateBinary(b),
                UnaryExpression u => TranslateUnary(u),
                MemberExpression m => TranslateMember(m),
                MethodCallExpression call => TranslateCall(call),
                ConditionalExpression => Unsupported(e, "the conditional operator ?:", "combine conditions with && and ||"),
                ParameterExpression => Unsupported(e, "the interaction itself", "use one of its properties, such as i.AgentId"),
                _ => Unsupported(e, $"'{e.NodeType}'"),
            };
        }
        finally
        {
            _depth--;
        }
    }

    // ---- Operators ---------------------------------------------------------------------------------------

    private Expr? TranslateUnary(UnaryExpression u)
    {
        switch (u.NodeType)
        {
            case ExpressionType.Convert or ExpressionType.ConvertChecked when u.Method is null:
                return Translate(u.Operand);
            case ExpressionType.Not when u.Type == typeof(bool) || u.Type == typeof(bool?):
                return Translate(u.Operand) is { } operand ? new UnaryExpr(UnaryOp.Not, operand) : null;
            case ExpressionType.Negate or ExpressionType.NegateChecked:
                return Translate(u.Operand) is { } negated ? new UnaryExpr(UnaryOp.Negate, negated) : null;
            case ExpressionType.UnaryPlus:
                return Translate(u.Operand);
            case ExpressionType.Not or ExpressionType.OnesComplement:
                return Unsupported(u, "the bitwise complement ~");
            default:
                return Unsupported(u, u.Method is null ? $"the operator '{u.NodeType}'" : $"the conversion '{u.Method.Name}'");
        }
    }

    private Expr? TranslateBinary(BinaryExpression b)
    {
        switch (b.NodeType)
        {
            case ExpressionType.AndAlso or ExpressionType.OrElse:
            {
                var left = Translate(b.Left);
                var right = Translate(b.Right);
                return left is null || right is null ? null : new BinaryExpr(b.NodeType == ExpressionType.AndAlso ? BinaryOp.And : BinaryOp.Or, left, right);
            }
            case ExpressionType.Equal or ExpressionType.NotEqual or ExpressionType.LessThan or ExpressionType.LessThanOrEqual
                or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual:
                return TranslateComparison(b);
            case ExpressionType.Add or ExpressionType.AddChecked or ExpressionType.Subtract or ExpressionType.SubtractChecked
                or ExpressionType.Multiply or ExpressionType.MultiplyChecked or ExpressionType.Divide:
            {
                if (b.Type == typeof(string))
                    return Unsupported(b, "string concatenation", "compare whole values");
                var left = Translate(b.Left);
                var right = Translate(b.Right);
                var op = b.NodeType switch
                {
                    ExpressionType.Add or ExpressionType.AddChecked => BinaryOp.Add,
                    ExpressionType.Subtract or ExpressionType.SubtractChecked => BinaryOp.Subtract,
                    ExpressionType.Multiply or ExpressionType.MultiplyChecked => BinaryOp.Multiply,
                    _ => BinaryOp.Divide,
                };
                return left is null || right is null ? null : new BinaryExpr(op, left, right);
            }
            case ExpressionType.And or ExpressionType.Or when b.Type == typeof(bool) || b.Type == typeof(bool?):
                return Unsupported(b, $"the non-short-circuit operator {(b.NodeType == ExpressionType.And ? "&" : "|")}",
                    $"write {(b.NodeType == ExpressionType.And ? "&&" : "||")}");
            case ExpressionType.Coalesce:
                return Unsupported(b, "the ?? operator", "test for null with == null");
            case ExpressionType.Modulo:
                return Unsupported(b, "the remainder operator %");
            case ExpressionType.ArrayIndex:
                return Unsupported(b, "indexing an array that depends on the interaction");
            default:
                return Unsupported(b, $"the operator '{b.NodeType}'");
        }
    }

    private Expr? TranslateOperand(Expression e, Type? otherEnumType) =>
        otherEnumType is not null && _closed.IsClosed(e) ? _closed.Evaluate(e, otherEnumType) : Translate(e);

    private Expr? TranslateComparison(BinaryExpression b)
    {
        var left = TranslateOperand(b.Left, EnumTypeOf(b.Right));
        var right = TranslateOperand(b.Right, EnumTypeOf(b.Left));
        if (left is null || right is null)
            return null;
        var op = b.NodeType switch
        {
            ExpressionType.Equal => BinaryOp.Equal,
            ExpressionType.NotEqual => BinaryOp.NotEqual,
            ExpressionType.LessThan => BinaryOp.Less,
            ExpressionType.LessThanOrEqual => BinaryOp.LessOrEqual,
            ExpressionType.GreaterThan => BinaryOp.Greater,
            _ => BinaryOp.GreaterOrEqual,
        };
        if (op is BinaryOp.Equal or BinaryOp.NotEqual)
        {
            // x == null is the language's 'x is null' (a comparison with null is always false in rules).
            if (right is NullLiteral && left is not NullLiteral)
                return new IsNullExpr(left, op == BinaryOp.NotEqual);
            if (left is NullLiteral && right is not NullLiteral)
                return new IsNullExpr(right, op == BinaryOp.NotEqual);
        }
        return new BinaryExpr(op, left, right);
    }

    // ---- Fields ------------------------------------------------------------------------------------------

    private bool IsInteraction(Expression? e) =>
        e is ParameterExpression p && _interactions.Contains(p)
        || (_window is not null && e is MemberExpression { Member.Name: nameof(IAggregateWindow.Current), Expression: ParameterExpression w } && w == _window);

    private bool IsAttributes(Expression? e) =>
        e is MemberExpression { Member.Name: nameof(Interaction.Attributes) } m && IsInteraction(m.Expression);

    private Expr? TranslateMember(MemberExpression m)
    {
        if (IsInteraction(m.Expression))
        {
            Field? field = m.Member.Name switch
            {
                nameof(Interaction.InteractionId) => Field.InteractionId,
                nameof(Interaction.CustomerId) => Field.CustomerId,
                nameof(Interaction.AgentId) => Field.AgentId,
                nameof(Interaction.Channel) => Field.Channel,
                nameof(Interaction.Outcome) => Field.Outcome,
                nameof(Interaction.StartTime) => Field.StartTime,
                nameof(Interaction.DurationSeconds) => Field.DurationSeconds,
                nameof(Interaction.Satisfaction) => Field.Satisfaction,
                _ => null,
            };
            if (field is not null)
                return new FieldExpr(field);
            return m.Member.Name == nameof(Interaction.Attributes)
                ? Unsupported(m, "the attribute map itself", "read one attribute: i.Attributes[\"region\"]")
                : Unsupported(m, $"the member '{m.Member.Name}'");
        }
        if (m.Expression is not null && Nullable.GetUnderlyingType(m.Expression.Type) is not null)
        {
            if (m.Member.Name == "Value")
                return Translate(m.Expression);
            if (m.Member.Name == "HasValue")
                return Translate(m.Expression) is { } operand ? new IsNullExpr(operand, Negated: true) : null;
        }
        if (_window is not null && m.Expression == _window)
            return Unsupported(m, $"'{m}' on its own", "use a property of the offered interaction, such as w.Current.Channel");
        return Unsupported(m, $"the member '{m.Member.DeclaringType?.Name}.{m.Member.Name}'");
    }

    private Expr? AttributeField(Expression nameExpression, Expression source)
    {
        if (!_closed.IsClosed(nameExpression))
            return Unsupported(source, "an attribute name that depends on the interaction");
        if (!_closed.TryEvaluate(nameExpression, out object? value))
            return null;
        if (value is not string name || !Field.IsIdentifier(name))
            return Unsupported(source, $"the attribute name '{DiagnosticText.Shorten(value?.ToString() ?? "null")}'", "attribute names use letters, digits and '_', not starting with a digit");
        return new FieldExpr(Field.Attribute(name));
    }

    // ---- Calls: attributes, aggregates, Contains ---------------------------------------------------------

    private Expr? TranslateCall(MethodCallExpression call)
    {
        var method = call.Method;
        var args = call.Arguments;
        if (method.Name is "get_Item" or "GetValueOrDefault" && args.Count == 1 && IsAttributes(call.Object))
            return AttributeField(args[0], call);
        if (method.IsStatic && method.Name == "GetValueOrDefault" && args.Count == 2 && IsAttributes(args[0]))
            return AttributeField(args[1], call);
        if (_window is not null && call.Object == _window)
            return TranslateAggregate(call);
        if (method.Name == "Contains")
            return TranslateContains(call);
        return Unsupported(call, $"the method '{method.DeclaringType?.Name}.{method.Name}'",
            "rules support comparisons, && || !, arithmetic, == null, collection.Contains(field) and the aggregates of the window");
    }

    private Expr? TranslateAggregate(MethodCallExpression call)
    {
        string name = call.Method.Name;
        if (name == nameof(IAggregateWindow.Count) && call.Arguments.Count == 0)
            return new AggregateExpr(AggregateKind.CountAll, null);
        AggregateKind? kind = name switch
        {
            nameof(IAggregateWindow.Count) => AggregateKind.Count,
            nameof(IAggregateWindow.Rate) => AggregateKind.Rate,
            nameof(IAggregateWindow.Sum) => AggregateKind.Sum,
            nameof(IAggregateWindow.Avg) => AggregateKind.Avg,
            nameof(IAggregateWindow.Min) => AggregateKind.Min,
            nameof(IAggregateWindow.Max) => AggregateKind.Max,
            nameof(IAggregateWindow.Distinct) => AggregateKind.Distinct,
            _ => null,
        };
        if (kind is null || call.Arguments.Count != 1)
            return Unsupported(call, $"the window member '{name}'");
        var argument = call.Arguments[0];
        while (argument is UnaryExpression { NodeType: ExpressionType.Quote } quote)
            argument = quote.Operand;
        if (argument is not LambdaExpression { Parameters.Count: 1 } lambda)
            return Unsupported(call, $"an argument of {name} that is not a lambda", "write a lambda such as i => i.Outcome == Outcome.Failed");
        _interactions.Add(lambda.Parameters[0]);
        try
        {
            var body = kind is AggregateKind.Count or AggregateKind.Rate ? lambda.Body : StripConvert(lambda.Body);
            var translated = Translate(body);
            return translated is null ? null : new AggregateExpr(kind.Value, translated);
        }
        finally
        {
            _interactions.Remove(lambda.Parameters[0]);
        }
    }

    private Expr? TranslateContains(MethodCallExpression call)
    {
        if (call.Object?.Type == typeof(string) || (call.Method.IsStatic && call.Arguments.Count > 0 && call.Arguments[0].Type == typeof(string)))
            return Unsupported(call, "a substring test (string.Contains)", "compare whole values, or use new[] { \"a\", \"b\" }.Contains(i.Field)");
        Expression collection;
        Expression value;
        // MemoryExtensions.Contains(span, value, comparer = null) has an optional comparer: accept it when null.
        bool defaultComparer = call.Arguments.Count == 3 && _closed.IsClosed(call.Arguments[2])
            && _closed.TryEvaluate(call.Arguments[2], out object? comparer) && comparer is null;
        if (call.Method.IsStatic && (call.Arguments.Count == 2 || defaultComparer))
        {
            collection = call.Arguments[0];
            value = call.Arguments[1];
        }
        else if (!call.Method.IsStatic && call.Object is not null && call.Arguments.Count == 1)
        {
            collection = call.Object;
            value = call.Arguments[0];
        }
        else
        {
            return Unsupported(call, "this overload of Contains", "write values.Contains(i.Field)");
        }

        // C# 14 binds array.Contains(x) to MemoryExtensions.Contains(ReadOnlySpan<T>, T) through an implicit conversion.
        collection = UnwrapSpan(collection);
        if (!_closed.IsClosed(collection))
            return Unsupported(call, "a Contains whose collection depends on the interaction", "the values must be constants or captured variables");
        var operand = Translate(value);
        if (!_closed.TryEvaluate(collection, out object? values))
            return null;
        if (values is not IEnumerable items)
            return Unsupported(call, "a Contains over a null collection");
        var literals = new List<Expr>();
        bool ok = true;
        foreach (object? item in items)
        {
            var literal = _closed.Literal(item, collection);
            if (literal is null)
                ok = false;
            else
                literals.Add(literal);
        }
        return operand is null || !ok ? null : new InExpr(operand, new ValueList<Expr>(literals));
    }

    private static Expression UnwrapSpan(Expression e)
    {
        while (IsSpan(e.Type))
        {
            switch (e)
            {
                case MethodCallExpression { Method.Name: "op_Implicit", Arguments.Count: 1 } call:
                    e = call.Arguments[0];
                    break;
                case UnaryExpression { NodeType: ExpressionType.Convert } u:
                    e = u.Operand;
                    break;
                case NewExpression { Arguments.Count: 1 } n:
                    e = n.Arguments[0];
                    break;
                default:
                    return e;
            }
        }
        return e;
    }

    private static bool IsSpan(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(ReadOnlySpan<>) || type.GetGenericTypeDefinition() == typeof(Span<>));
}
