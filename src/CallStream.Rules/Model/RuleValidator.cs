namespace CallStream.Rules;

/// <summary>
/// Checks a rule model against the language's rules. This first version checks the clause structure; the
/// type checker (types, aggregates only in having, known channel/outcome values, message placeholders)
/// extends it.
/// </summary>
internal static class RuleValidator
{
    public static IReadOnlyList<string> Validate(Rule rule)
    {
        var problems = new List<string>();
        if (!Field.IsIdentifier(rule.Name))
            problems.Add($"'{rule.Name}' is not a valid rule name: use letters, digits and '_', not starting with a digit.");
        if (rule.Having is not null && rule.Window is null)
            problems.Add("'having' requires 'window'.");
        if (rule.Window is not null && rule.Having is null)
            problems.Add("'window' requires 'having'.");
        if (rule.Window is { Length: var w } && w <= TimeSpan.Zero)
            problems.Add("The window length must be positive.");
        if (rule.Suppress is { } s && s <= TimeSpan.Zero)
            problems.Add("The suppression period must be positive.");
        if (!Enum.IsDefined(rule.Severity))
            problems.Add("The severity must be one of " + WireNames.AllowedSeverities + ".");
        return problems;
    }
}
