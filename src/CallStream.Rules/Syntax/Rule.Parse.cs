namespace CallStream.Rules;

/// <content>Parsing a single rule from text.</content>
public sealed partial class Rule
{
    /// <summary>Parses text holding exactly one rule.</summary>
    /// <param name="text">The rule, for example <c>rule LongCall where duration_seconds &gt; 50m</c>.</param>
    /// <param name="fileName">The name shown in diagnostics.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="fileName"/> is null.</exception>
    /// <exception cref="RuleParseException">The text has errors, or does not hold exactly one rule.</exception>
    public static Rule Parse(string text, string fileName = RuleText.DefaultFileName)
    {
        var rules = RuleText.Parse(text, fileName).GetRuleSetOrThrow();
        if (rules.Count != 1)
        {
            throw new RuleParseException(fileName,
                [new Diagnostic(fileName, 1, 1, $"expected exactly one rule, found {rules.Count}")]);
        }
        return rules[0];
    }

    /// <summary>Gets the rule's canonical text, as <see cref="RuleText.Print(Rule)"/> writes it.</summary>
    /// <returns>The text, ending with a newline.</returns>
    public string ToText() => RulePrinter.Print(this);
}
