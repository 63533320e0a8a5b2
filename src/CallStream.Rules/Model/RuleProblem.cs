namespace CallStream.Rules;

/// <summary>The part of a rule a problem concerns, so that the parser can point at the right token.</summary>
internal enum RuleSite
{
    Name,
    Where,
    GroupBy,
    Window,
    WindowLength,
    Having,
    Severity,
    Suppress,
    Message,
}

/// <summary>
/// One problem the validator found in a rule model: what is wrong, an optional hint, and where — the model node
/// (the parser maps nodes back to source positions), an offset in the message template, or the clause.
/// </summary>
/// <param name="Site">The clause.</param>
/// <param name="Message">What is wrong (lowercase, no final period, as compilers write).</param>
/// <param name="Hint">How to fix it, or <see langword="null"/>.</param>
/// <param name="Node">The expression node at fault, or <see langword="null"/>.</param>
/// <param name="MessageOffset">The offset in the message template, or -1.</param>
/// <param name="ShowNode">Whether <see cref="Describe"/> quotes the node's text (not for trees too deep to print).</param>
internal sealed record RuleProblem(RuleSite Site, string Message, string? Hint = null, Expr? Node = null, int MessageOffset = -1, bool ShowNode = true)
{
    /// <summary>Describes the problem for a rule built in C#, where there are no source positions.</summary>
    public string Describe()
    {
        string site = Site switch
        {
            RuleSite.Name => "name",
            RuleSite.Where => "where",
            RuleSite.GroupBy => "group by",
            RuleSite.Window or RuleSite.WindowLength => "window",
            RuleSite.Having => "having",
            RuleSite.Severity => "severity",
            RuleSite.Suppress => "suppress",
            _ => "message",
        };
        string context = ShowNode && Node is BinaryExpr or UnaryExpr or InExpr or IsNullExpr ? $" in '{DiagnosticText.Shorten(RuleText.Print(Node))}'" : "";
        string hint = Hint is null ? "" : $" ({Hint})";
        string offset = MessageOffset >= 0 ? $" at offset {MessageOffset}" : "";
        return $"{site}: {Message}{context}{offset}{hint}.";
    }
}

/// <summary>The parts of a rule, before it is built.</summary>
internal readonly record struct RuleParts(
    string Name,
    Expr? Where,
    Field? GroupBy,
    WindowSpec? Window,
    Expr? Having,
    Severity Severity,
    TimeSpan? Suppress,
    string? Message);

/// <summary>What the parser knows beyond the model: nodes standing in for errors already reported, and broken clauses.</summary>
internal sealed class RuleCheckContext
{
    /// <summary>Gets the nodes that stand in for errors already reported (compared by reference); they type-check as anything.</summary>
    public IReadOnlySet<Expr>? Poisoned { get; init; }

    /// <summary>Gets whether a <c>window</c> clause was written (even if it did not parse).</summary>
    public bool WindowClauseSeen { get; init; }

    /// <summary>Gets whether a <c>having</c> clause was written (even if it did not parse).</summary>
    public bool HavingClauseSeen { get; init; }

    /// <summary>Gets whether the rule name is known; when not, it is not checked.</summary>
    public bool NameKnown { get; init; } = true;
}

/// <summary>The outcome of checking a rule: its problems, and what the engine needs from a valid rule.</summary>
internal sealed class RuleCheck
{
    public RuleCheck(List<RuleProblem> problems, MessageTemplate? template, ValueList<AggregateExpr> aggregates)
    {
        Problems = problems;
        Template = template;
        Aggregates = aggregates;
    }

    public List<RuleProblem> Problems { get; }

    public MessageTemplate? Template { get; }

    public ValueList<AggregateExpr> Aggregates { get; }
}
