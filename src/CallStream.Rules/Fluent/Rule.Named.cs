namespace CallStream.Rules;

/// <content>The entry point of the fluent builder.</content>
public sealed partial class Rule
{
    /// <summary>
    /// Starts building a rule in C#: <c>Rule.Named("LongCall").Where(i =&gt; i.DurationSeconds &gt; 3000).Build()</c>.
    /// The lambdas are translated into the same model the text language produces.
    /// </summary>
    /// <param name="name">The rule's name: <c>[A-Za-z_][A-Za-z0-9_]*</c>, not a keyword.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid rule name.</exception>
    /// <exception cref="RuleValidationException"><paramref name="name"/> is longer than <see cref="RuleText.MaxNameLength"/>.</exception>
    public static IRuleBuilder Named(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (RuleValidator.NameTooLong("rule name", name) is { } tooLong)
            throw new RuleValidationException(name, [new RuleProblem(RuleSite.Name, tooLong, "use a shorter name").Describe()]);
        if (!Field.IsIdentifier(name))
            throw new ArgumentException($"'{DiagnosticText.Escape(DiagnosticText.Shorten(name))}' is not a valid rule name: use letters, digits and '_', not starting with a digit.", nameof(name));
        if (Keywords.IsKeyword(name))
            throw new ArgumentException($"'{name}' is a keyword of the rule language and cannot be a rule name.", nameof(name));
        return new RuleBuilder(name);
    }
}
