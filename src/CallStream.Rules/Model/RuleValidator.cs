using System.Globalization;

namespace CallStream.Rules;

/// <summary>
/// Checks a rule model against the rules of the language (spec/rules.md): clause combinations, types,
/// aggregates only in <c>having</c>, known channel and outcome values, ISO-8601 instants, <c>in</c> lists of
/// literals, message placeholders, and the length limits of names and strings (<see cref="RuleText.MaxNameLength"/>,
/// <see cref="RuleText.MaxStringLength"/>). It is the one type checker: rules built in C# and rules parsed from text
/// both go through it, and the parser maps the problems' nodes back to source positions.
/// </summary>
internal sealed class RuleValidator
{
    /// <summary>The deepest expression tree a rule may hold.</summary>
    public const int MaxExpressionDepth = 256;

    private readonly List<RuleProblem> _problems = [];
    private readonly IReadOnlySet<Expr>? _poisoned;
    private readonly List<AggregateExpr> _aggregates = [];
    private readonly HashSet<AggregateExpr> _distinctAggregates = [];
    private RuleSite _site;
    private bool _inHaving;
    private bool _inAggregate;

    private RuleValidator(IReadOnlySet<Expr>? poisoned) => _poisoned = poisoned;

    /// <summary>Checks the parts of a rule.</summary>
    /// <param name="parts">The rule's parts.</param>
    /// <param name="context">What the parser knows beyond the model, or <see langword="null"/> for a model built in C#.</param>
    /// <returns>The problems (empty when valid), the parsed message template and the aggregates of <c>having</c>.</returns>
    public static RuleCheck Check(in RuleParts parts, RuleCheckContext? context = null)
    {
        var validator = new RuleValidator(context?.Poisoned);
        return validator.Run(parts, context ?? new RuleCheckContext());
    }

    private RuleCheck Run(in RuleParts parts, RuleCheckContext context)
    {
        if (context.NameKnown)
        {
            _site = RuleSite.Name;
            if (NameTooLong("rule name", parts.Name) is { } tooLong)
                Report(tooLong, "use a shorter name");
            else if (!Field.IsIdentifier(parts.Name))
                Report($"'{DiagnosticText.Shorten(parts.Name)}' is not a valid rule name", "use letters, digits and '_', not starting with a digit");
            else if (Keywords.IsKeyword(parts.Name))
                Report($"'{parts.Name}' is a keyword and cannot be a rule name");
        }

        if (parts.Where is not null)
        {
            _site = RuleSite.Where;
            CheckCondition(parts.Where, "where");
        }

        if (parts.GroupBy is { AttributeName: { } groupAttribute } && NameTooLong("attribute name", groupAttribute) is { } groupTooLong)
        {
            _site = RuleSite.GroupBy;
            Report(groupTooLong, "use a shorter name");
        }

        bool hasWindow = parts.Window is not null || context.WindowClauseSeen;
        bool hasHaving = parts.Having is not null || context.HavingClauseSeen;
        if (parts.Window is { } window)
        {
            _site = RuleSite.Window;
            if (!Enum.IsDefined(window.Kind))
                Report($"unknown window kind {(int)window.Kind}", "expected tumbling or sliding");
            _site = RuleSite.WindowLength;
            if (window.Length <= TimeSpan.Zero)
                Report("the window length must be positive");
        }
        if (hasWindow && !hasHaving)
        {
            _site = RuleSite.Window;
            Report("'window' requires a 'having' clause", "a windowed rule alerts when its having condition holds over the window");
        }

        if (parts.Having is not null)
        {
            _site = RuleSite.Having;
            _inHaving = true;
            CheckCondition(parts.Having, "having");
            _inHaving = false;
        }
        if (hasHaving && !hasWindow)
        {
            _site = RuleSite.Having;
            Report("'having' requires a 'window' clause", "add for example 'window sliding 1h'");
        }

        if (!Enum.IsDefined(parts.Severity))
        {
            _site = RuleSite.Severity;
            Report($"unknown severity {((int)parts.Severity).ToString(CultureInfo.InvariantCulture)}", "expected one of " + WireNames.AllowedSeverities);
        }

        if (parts.Suppress is { } suppress && suppress <= TimeSpan.Zero)
        {
            _site = RuleSite.Suppress;
            Report("the suppression period must be positive");
        }

        var aggregates = new ValueList<AggregateExpr>(_aggregates);
        MessageTemplate? template = null;
        if (parts.Message is { Length: > RuleText.MaxStringLength })
        {
            _site = RuleSite.Message;
            Report(StringTooLong("message", parts.Message), "shorten the message");
        }
        else if (parts.Message is not null)
        {
            _site = RuleSite.Message;
            // When 'having' was written but did not parse, its aggregates are unknown: do not check them.
            bool aggregatesKnown = parts.Having is not null || !context.HavingClauseSeen;
            var errors = new List<TemplateError>();
            template = MessageTemplate.ParseCore(parts.Message, aggregatesKnown ? aggregates : null, errors);
            foreach (var error in errors)
                _problems.Add(new RuleProblem(RuleSite.Message, error.Message, error.Hint, MessageOffset: error.Offset));
        }
        return new RuleCheck(_problems, _problems.Count == 0 ? template : null, aggregates);
    }

    /// <summary>Describes a name over <see cref="RuleText.MaxNameLength"/>, or gives <see langword="null"/> for one within it.</summary>
    /// <param name="what">What the name names, for example <c>rule name</c>.</param>
    /// <param name="name">The name.</param>
    internal static string? NameTooLong(string what, string name) =>
        name.Length <= RuleText.MaxNameLength
            ? null
            : $"{what} is {name.Length.ToString(CultureInfo.InvariantCulture)} characters long; the limit is {RuleText.MaxNameLength.ToString(CultureInfo.InvariantCulture)}";

    private static string StringTooLong(string what, string text) =>
        $"{what} is {text.Length.ToString(CultureInfo.InvariantCulture)} characters long; the limit is {RuleText.MaxStringLength.ToString(CultureInfo.InvariantCulture)}";

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

    private void CheckCondition(Expr root, string clause)
    {
        if (TooDeep(root, 1))
        {
            _problems.Add(new RuleProblem(_site, $"the expression nests deeper than {MaxExpressionDepth} levels",
                "simplify it, or use 'in' for long lists of alternatives", root, ShowNode: false));
            return;
        }
        var type = TypeOf(root);
        if (!IsBoolLike(type))
            Report($"'{clause}' needs a condition (bool), not {TypeName(type!.Value)}", null, root);
    }

    private static bool TooDeep(Expr? e, int depth)
    {
        if (e is null)
            return false;
        if (depth > MaxExpressionDepth)
            return true;
        switch (e)
        {
            case UnaryExpr u:
                return TooDeep(u.Operand, depth + 1);
            case BinaryExpr b:
                return TooDeep(b.Left, depth + 1) || TooDeep(b.Right, depth + 1);
            case InExpr i:
                if (TooDeep(i.Operand, depth + 1))
                    return true;
                if (i.Values is not null)
                {
                    foreach (var v in i.Values)
                    {
                        if (TooDeep(v, depth + 1))
                            return true;
                    }
                }
                return false;
            case IsNullExpr n:
                return TooDeep(n.Operand, depth + 1);
            case AggregateExpr a:
                return TooDeep(a.Argument, depth + 1);
            default:
                return false;
        }
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
                    Report(StringTooLong("string", s.Value), null, e);
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
                if (f.Field.AttributeName is { } attribute && NameTooLong("attribute name", attribute) is { } tooLong)
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
            _aggregates.Add(a);

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
