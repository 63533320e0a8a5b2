namespace CallStream.Rules;

/// <summary>
/// One alert rule: an immutable model that compares by value. Built by the fluent builder or parsed from the
/// text language (spec/rules.md); both produce equal models, and the printer writes any model back as text.
/// </summary>
public sealed partial class Rule : IEquatable<Rule>
{
    /// <summary>Creates a rule, checking that its clauses fit together.</summary>
    /// <param name="name">The rule's name: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</param>
    /// <param name="where">The filter, or <see langword="null"/> to take every event.</param>
    /// <param name="groupBy">The field whose value is the group key, or <see langword="null"/>.</param>
    /// <param name="window">The window; required with <paramref name="having"/>.</param>
    /// <param name="having">The aggregate condition; required with <paramref name="window"/>.</param>
    /// <param name="severity">The alerts' severity.</param>
    /// <param name="suppress">How long after an alert the same rule and key stay quiet, or <see langword="null"/>.</param>
    /// <param name="message">The message template, or <see langword="null"/> for the default message.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="RuleValidationException">The rule is not valid; the exception lists every problem.</exception>
    public Rule(
        string name,
        Expr? where = null,
        Field? groupBy = null,
        WindowSpec? window = null,
        Expr? having = null,
        Severity severity = Severity.Warning,
        TimeSpan? suppress = null,
        string? message = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Where = where;
        GroupBy = groupBy;
        Window = window;
        Having = having;
        Severity = severity;
        Suppress = suppress;
        Message = message;
        var check = RuleValidator.Check(new RuleParts(name, where, groupBy, window, having, severity, suppress, message));
        if (check.Problems.Count > 0)
            throw new RuleValidationException(name, [.. check.Problems.Select(p => p.Describe())]);
        Template = check.Template;
        Aggregates = check.Aggregates;
    }

    /// <summary>Gets the deepest expression tree a rule's <c>where</c> or <c>having</c> may hold.</summary>
    public const int MaxExpressionDepth = RuleValidator.MaxExpressionDepth;

    /// <summary>Gets the rule's name.</summary>
    public string Name { get; }

    /// <summary>Gets the filter (<c>where</c>), or <see langword="null"/>.</summary>
    public Expr? Where { get; }

    /// <summary>Gets the group-by field, or <see langword="null"/>.</summary>
    public Field? GroupBy { get; }

    /// <summary>Gets the window, or <see langword="null"/> for a per-event rule.</summary>
    public WindowSpec? Window { get; }

    /// <summary>Gets the aggregate condition (<c>having</c>), or <see langword="null"/>.</summary>
    public Expr? Having { get; }

    /// <summary>Gets the alerts' severity. The default is <see cref="Severity.Warning"/>.</summary>
    public Severity Severity { get; }

    /// <summary>Gets the suppression period, or <see langword="null"/> for none.</summary>
    public TimeSpan? Suppress { get; }

    /// <summary>Gets the message template, or <see langword="null"/> for the default message.</summary>
    public string? Message { get; }

    /// <summary>Gets the parsed <see cref="Message"/>, or <see langword="null"/> when the rule has no message.</summary>
    public MessageTemplate? Template { get; }

    /// <summary>
    /// Gets the distinct aggregates of <c>having</c> (compared by value), in order of first appearance; empty for a
    /// per-event rule. An alert's <c>values</c> hold each one's value, keyed by its text (<see cref="RuleText.Print(Expr)"/>).
    /// </summary>
    public IReadOnlyList<AggregateExpr> Aggregates { get; }

    /// <summary>Gets whether the rule aggregates over a window.</summary>
    public bool IsWindowed => Window is not null;

    /// <inheritdoc/>
    public bool Equals(Rule? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Name == other.Name
                && Equals(Where, other.Where)
                && Equals(GroupBy, other.GroupBy)
                && Equals(Window, other.Window)
                && Equals(Having, other.Having)
                && Severity == other.Severity
                && Suppress == other.Suppress
                && Message == other.Message));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Rule);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Where, GroupBy, Window, Having, Severity, Suppress, Message);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
