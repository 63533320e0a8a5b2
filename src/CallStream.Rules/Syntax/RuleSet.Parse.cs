namespace CallStream.Rules;

/// <content>Parsing rule sets from text.</content>
public sealed partial class RuleSet
{
    /// <summary>Parses rule text, throwing with every error when it is not valid.</summary>
    /// <param name="text">The rules.</param>
    /// <param name="fileName">The name shown in diagnostics.</param>
    /// <returns>The rule set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="fileName"/> is null.</exception>
    /// <exception cref="RuleParseException">The text has errors; <see cref="RuleParseException.Diagnostics"/> lists them all.</exception>
    public static RuleSet Parse(string text, string fileName = RuleText.DefaultFileName) =>
        RuleText.Parse(text, fileName).GetRuleSetOrThrow();

    /// <summary>Reads and parses a rule file, throwing with every error when it is not valid.</summary>
    /// <param name="path">The file; diagnostics name it as given.</param>
    /// <returns>The rule set.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="RuleParseException">The file has errors; <see cref="RuleParseException.Diagnostics"/> lists them all.</exception>
    public static RuleSet ParseFile(string path) => RuleText.ParseFile(path).GetRuleSetOrThrow();
}
