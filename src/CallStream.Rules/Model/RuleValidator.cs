using System.Globalization;

namespace CallStream.Rules;

/// <summary>
/// Checks a rule model against the rules of the language (spec/rules.md): clause combinations, types,
/// aggregates only in <c>having</c>, known channel and outcome values, ISO-8601 instants, <c>in</c> lists of
/// literals, message placeholders, and the length limits of names and strings (<see cref="RuleText.MaxNameLength"/>,
/// <see cref="RuleText.MaxStringLength"/>). It checks the clauses and hands their expressions to
/// <see cref="ExprTypeChecker"/>. Together they are the one type checker: rules built in C# and rules parsed from text
/// both go through them, and the parser maps the problems' nodes back to source positions.
/// </summary>
internal sealed class RuleValidator
{
    /// <summary>The deepest expression tree a rule may hold.</summary>
    public const int MaxExpressionDepth = 256;

    private readonly List<RuleProblem> _problems = [];
    private readonly ExprTypeChecker _types;
    private RuleSite _site;

    private RuleValidator(IReadOnlySet<Expr>? poisoned) => _types = new ExprTypeChecker(_problems, poisoned);

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
            CheckCondition(parts.Where, "where", inHaving: false);
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
            CheckCondition(parts.Having, "having", inHaving: true);
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

        var aggregates = new ValueList<AggregateExpr>(_types.Aggregates);
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

    internal static string StringTooLong(string what, string text) =>
        $"{what} is {text.Length.ToString(CultureInfo.InvariantCulture)} characters long; the limit is {RuleText.MaxStringLength.ToString(CultureInfo.InvariantCulture)}";

    private void Report(string message, string? hint = null) =>
        _problems.Add(new RuleProblem(_site, message, hint, null));

    /// <summary>Checks a clause's condition; one nested too deeply is reported once and not checked further.</summary>
    private void CheckCondition(Expr root, string clause, bool inHaving)
    {
        if (TooDeep(root, 1))
        {
            _problems.Add(new RuleProblem(_site, $"the expression nests deeper than {MaxExpressionDepth} levels",
                "simplify it, or use 'in' for long lists of alternatives", root, ShowNode: false));
            return;
        }
        _types.CheckCondition(root, clause, _site, inHaving);
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
}
