using System.Globalization;

namespace CallStream.Rules;

/// <summary>
/// The type checker of the rule language's expressions: infers each node's type, reports what the language does not
/// allow (spec/rules.md: operand types, comparisons, <c>in</c> lists of literals, known channel and outcome values,
/// ISO-8601 instants, aggregates only in <c>having</c> and not nested) and collects the aggregates of
/// <c>having</c>. Apart from <see cref="RuleValidator"/>, which checks the clauses and delegates their expressions
/// here, because the expression rules are the larger and recursive half of the checks.
/// </summary>
internal sealed class ExprTypeChecker
{
    private readonly List<RuleProblem> _problems;
    private readonly IReadOnlySet<Expr>? _poisoned;
    private readonly HashSet<AggregateExpr> _distinctAggregates = [];
    private RuleSite _site;
    private bool _inHaving;
    private bool _inAggregate;

    /// <summary>Creates a checker that adds its problems to <paramref name="problems"/>.</summary>
    /// <param name="problems">The rule's problems, shared with the clause checks.</param>
    /// <param name="poisoned">Nodes the parser already reported (not checked again), or <see langword="null"/>.</param>
    public ExprTypeChecker(List<RuleProblem> problems, IReadOnlySet<Expr>? poisoned)
    {
        _problems = problems;
        _poisoned = poisoned;
    }

    /// <summary>Gets the distinct aggregates of <c>having</c>, in the order they first appear.</summary>
    public List<AggregateExpr> Aggregates { get; } = [];

    private void Report(string message, string? hint = null, Expr? node = null) =>
        _problems.Add(new RuleProblem(_site, message, hint, node));

    private bool IsPoisoned(Expr e) => _poisoned is not null && _poisoned.Contains(e);

    private static string TypeName(ExprType type) => type switch
    {
        ExprType.Bool => "bool",
        ExprType.Number => "number",
        ExprType.Text => "text",
        ExprType.Instant => "instant",
        _ => "null",
    };

    private static bool IsBoolLike(ExprType? type) => type is null or ExprType.Bool or ExprType.Null;

    /// <summary>Checks every type in the condition of a clause, and that it is a condition (bool).</summary>
    /// <param name="root">The condition.</param>
    /// <param name="clause">The clause's keyword, for messages.</param>
    /// <param name="site">The clause, where its problems are reported.</param>
    /// <param name="inHaving">Whether aggregates are allowed (the <c>having</c> clause).</param>
    public void CheckCondition(Expr root, string clause, RuleSite site, bool inHaving)
    {
        _site = site;
        _inHaving = inHaving;
        var type = TypeOf(root);
        _inHaving = false;
        if (!IsBoolLike(type))
            Report($"'{clause}' needs a condition (bool), not {TypeName(type!.Value)}", null, root);
    }

    /// <summary>Infers the type of an expression, reporting problems; <see langword="null"/> when unknown (an error already reported).</summary>
    private ExprType? TypeOf(Expr? e)
    {
        if (e is null)
        {
            Report("an expression is missing (null)");
            return null;
        }
        if (IsPoisoned(e))
            return null;
        switch (e)
        {
            case NumberLiteral n:
                if (!double.IsFinite(n.Value))
                    Report($"the number {n.Value.ToString(CultureInfo.InvariantCulture)} is not finite", null, e);
                return ExprType.Number;
            case DurationLiteral:
                return ExprType.Number;
            case StringLiteral s:
                if (s.Value is null)
                    Report("a string literal has a null value", null, e);
                else if (s.Value.Length > RuleText.MaxStringLength)
                    Report(RuleValidator.StringTooLong("string", s.Value), null, e);
                return ExprType.Text;
            case BoolLiteral:
                return ExprType.Bool;
            case NullLiteral:
                return ExprType.Null;
            case FieldExpr f:
                if (f.Field is null)
                {
                    Report("a field reference has no field (null)", null, e);
                    return null;
                }
                if (f.Field.AttributeName is { } attribute && RuleValidator.NameTooLong("attribute name", attribute) is { } tooLong)
                    Report(tooLong, "use a shorter name", e);
                return f.Field.Type;
            case UnaryExpr u:
                return CheckUnary(u);
            case BinaryExpr b:
                return CheckBinary(b);
            case InExpr i:
                CheckIn(i);
                return ExprType.Bool;
            case IsNullExpr n:
                CheckIsNull(n);
                return ExprType.Bool;
            case AggregateExpr a:
                CheckAggregate(a);
                return ExprType.Number;
            default:
                Report($"'{e.GetType().Name}' is not an expression of the rule language", null, e);
                return null;
        }
    }

    private ExprType? CheckUnary(UnaryExpr u)
    {
        var type = TypeOf(u.Operand);
        switch (u.Op)
        {
            case UnaryOp.Not:
                if (!IsBoolLike(type))
                    Report($"'not' needs a condition (bool), not {TypeName(type!.Value)}", null, u.Operand);
                return ExprType.Bool;
            case UnaryOp.Negate:
                if (type is not (null or ExprType.Number or ExprType.Null))
                    Report($"'-' needs a number, not {TypeName(type.Value)}", null, u.Operand);
                return ExprType.Number;
            default:
                Report($"unknown unary operator {(int)u.Op}", null, u);
                return null;
        }
    }

    private ExprType? CheckBinary(BinaryExpr b)
    {
        if (!Enum.IsDefined(b.Op))
        {
            Report($"unknown binary operator {(int)b.Op}", null, b);
            return null;
        }
        var left = TypeOf(b.Left);
        var right = TypeOf(b.Right);
        string op = RulePrinter.OperatorText(b.Op);
        switch (b.Op)
        {
            case BinaryOp.And or BinaryOp.Or:
                if (!IsBoolLike(left))
                    Report($"'{op}' needs conditions (bool) on both sides, not {TypeName(left!.Value)}", null, b.Left);
                if (!IsBoolLike(right))
                    Report($"'{op}' needs conditions (bool) on both sides, not {TypeName(right!.Value)}", null, b.Right);
                return ExprType.Bool;
            case BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply or BinaryOp.Divide:
                if (left is not (null or ExprType.Number or ExprType.Null))
                    Report($"'{op}' needs numbers, not {TypeName(left.Value)}", null, b.Left);
                if (right is not (null or ExprType.Number or ExprType.Null))
                    Report($"'{op}' needs numbers, not {TypeName(right.Value)}", null, b.Right);
                return ExprType.Number;
            default:
                CheckComparison(b.Op, b.Left, left, b.Right, right, b);
                return ExprType.Bool;
        }
    }

    private static bool IsOrdering(BinaryOp op) => op is BinaryOp.Less or BinaryOp.LessOrEqual or BinaryOp.Greater or BinaryOp.GreaterOrEqual;

    private static Field? EnumField(Expr? e) =>
        e is FieldExpr { Field: { } f } && (f == Field.Channel || f == Field.Outcome) ? f : null;

    /// <summary>Checks that two operands can be compared with an operator; problems of the pair are reported at <paramref name="at"/>.</summary>
    private void CheckComparison(BinaryOp op, Expr? left, ExprType? lt, Expr? right, ExprType? rt, Expr at)
    {
        if (lt is null || rt is null || lt == ExprType.Null || rt == ExprType.Null)
            return;

        var enumField = EnumField(left) ?? EnumField(right);
        if (enumField is not null)
        {
            if (IsOrdering(op))
            {
                Report($"'{enumField.Name}' can only be compared with = and != (or 'in'), not '{RulePrinter.OperatorText(op)}'", null, at);
                return;
            }
            CheckEnumValue(EnumField(left) is not null ? right : left, enumField);
        }

        if (lt == ExprType.Instant || rt == ExprType.Instant)
        {
            if (lt == rt)
                return;
            var other = lt == ExprType.Instant ? right : left;
            var otherType = lt == ExprType.Instant ? rt.Value : lt.Value;
            if (other is StringLiteral { Value: { } text })
            {
                if (!Iso8601.TryParse(text, out _))
                    Report($"'{DiagnosticText.Shorten(text)}' is not an ISO-8601 instant", "write an instant such as '2024-03-01T09:15:00Z'", other);
                return;
            }
            Report($"cannot compare {TypeName(lt.Value)} with {TypeName(rt.Value)}",
                otherType == ExprType.Text ? "an instant compares with an ISO-8601 string literal such as '2024-03-01T09:15:00Z'" : null, at);
            return;
        }

        if (lt != rt)
        {
            Report($"cannot compare {TypeName(lt.Value)} with {TypeName(rt.Value)}", null, at);
            return;
        }
        if (lt == ExprType.Bool && IsOrdering(op))
            Report($"cannot order bool values with '{RulePrinter.OperatorText(op)}'", "use = or !=", at);
    }

    private void CheckEnumValue(Expr? value, Field field)
    {
        if (value is not StringLiteral { Value: { } text })
            return;
        if (field == Field.Channel && !WireNames.TryParseChannel(text, out _))
            Report($"unknown channel '{DiagnosticText.Shorten(text)}'", "allowed: " + WireNames.AllowedChannels, value);
        else if (field == Field.Outcome && !WireNames.TryParseOutcome(text, out _))
            Report($"unknown outcome '{DiagnosticText.Shorten(text)}'", "allowed: " + WireNames.AllowedOutcomes, value);
    }

    private void CheckIn(InExpr e)
    {
        var operandType = TypeOf(e.Operand);
        if (e.Operand is not null && !IsPoisoned(e.Operand) && e.Operand is not FieldExpr)
            Report("the left side of 'in' must be a field", "write FIELD in (LITERAL, ...)", e.Operand);
        if (e.Values is null || e.Values.Count == 0)
        {
            Report("an 'in' list needs at least one value", null, e);
            return;
        }
        ExprType? listType = null;
        bool mismatchReported = false;
        foreach (var value in e.Values)
        {
            if (value is null)
            {
                Report("an 'in' list value is missing (null)", null, e);
                continue;
            }
            if (IsPoisoned(value))
                continue;
            if (value is NullLiteral)
            {
                Report("null is not allowed in an 'in' list", "test for null with 'is null'", value);
                continue;
            }
            if (value is not (NumberLiteral or DurationLiteral or StringLiteral or BoolLiteral))
            {
                Report($"an 'in' list holds only literals, not '{DiagnosticText.Shorten(RuleText.Print(value))}'", null, value);
                continue;
            }
            var type = TypeOf(value);
            if (type is null)
                continue;
            if (listType is null)
            {
                listType = type;
            }
            else if (type != listType)
            {
                Report($"the 'in' list mixes {TypeName(listType.Value)} and {TypeName(type.Value)}", null, value);
                continue;
            }
            if (operandType is { } ot && ot != ExprType.Null && ot != type && !(ot == ExprType.Instant && type == ExprType.Text))
            {
                if (!mismatchReported)
                    Report($"cannot compare {TypeName(ot)} with {TypeName(type.Value)}", null, value);
                mismatchReported = true;
                continue;
            }
            CheckComparison(BinaryOp.Equal, e.Operand, operandType, value, type, value);
        }
    }

    private void CheckIsNull(IsNullExpr e)
    {
        TypeOf(e.Operand);
        if (e.Operand is not null && !IsPoisoned(e.Operand) && e.Operand is not FieldExpr)
            Report($"the left side of '{(e.Negated ? "is not null" : "is null")}' must be a field", null, e.Operand);
    }

    private void CheckAggregate(AggregateExpr a)
    {
        if (!Enum.IsDefined(a.Kind))
        {
            Report($"unknown aggregate kind {(int)a.Kind}", null, a);
            return;
        }
        if (!_inHaving)
            Report($"aggregate '{DiagnosticText.Shorten(RuleText.Print(a))}' is only allowed in 'having'", "a windowed rule tests aggregates in its having clause", a);
        else if (_inAggregate)
            Report($"aggregate '{DiagnosticText.Shorten(RuleText.Print(a))}' cannot appear inside another aggregate", null, a);
        else if (_distinctAggregates.Add(a))
            Aggregates.Add(a);

        string name = RulePrinter.FunctionName(a.Kind);
        bool wasInAggregate = _inAggregate;
        _inAggregate = true;
        switch (a.Kind)
        {
            case AggregateKind.CountAll:
                if (a.Argument is not null)
                    Report("count(*) takes no argument", "count(condition) counts the events where a condition holds", a);
                break;
            case AggregateKind.Count or AggregateKind.Rate:
                if (a.Argument is null)
                {
                    Report($"{name} needs a condition, such as {name}(outcome = 'failed')", null, a);
                    break;
                }
                var type = TypeOf(a.Argument);
                if (!IsBoolLike(type))
                {
                    string? hint = a.Argument is FieldExpr { Field: { } f }
                        ? $"to count the events that have a value, write {name}({DiagnosticText.Shorten(f.Name)} is not null)"
                        : null;
                    Report($"{name} needs a condition (bool), not {TypeName(type!.Value)}", hint, a.Argument);
                }
                break;
            case AggregateKind.Distinct:
                if (a.Argument is null)
                    Report("distinct needs a field, such as distinct(agent_id)", null, a);
                else if (IsPoisoned(a.Argument))
                    break;
                else if (a.Argument is not FieldExpr)
                    Report("the argument of distinct must be a field, such as distinct(agent_id)", null, a.Argument);
                else
                    TypeOf(a.Argument);
                break;
            default:
                if (a.Argument is null)
                {
                    Report($"{name} needs a numeric field, such as {name}(duration_seconds)", null, a);
                }
                else if (IsPoisoned(a.Argument))
                {
                    break;
                }
                else if (a.Argument is not FieldExpr fieldExpr)
                {
                    Report($"the argument of {name} must be a field, such as {name}(duration_seconds)", null, a.Argument);
                }
                else
                {
                    var fieldType = TypeOf(fieldExpr);
                    if (fieldType is not null && fieldType != ExprType.Number)
                        Report($"{name} needs a numeric field, but {DiagnosticText.Shorten(fieldExpr.Field.Name)} is {TypeName(fieldType.Value)}", null, a.Argument);
                }
                break;
        }
        _inAggregate = wasInAggregate;
    }
}
