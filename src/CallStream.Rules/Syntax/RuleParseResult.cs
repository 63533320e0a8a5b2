using System.Diagnostics.CodeAnalysis;

namespace CallStream.Rules;

/// <summary>
/// The outcome of parsing rule text: the rule set when the text is valid, otherwise every error found. A file
/// with errors yields no rule set at all: it is rejected as a whole, never half-loaded.
/// </summary>
public sealed class RuleParseResult
{
    internal RuleParseResult(string fileName, RuleSet? ruleSet, IReadOnlyList<Diagnostic> diagnostics)
    {
        FileName = fileName;
        RuleSet = ruleSet;
        Diagnostics = diagnostics;
    }

    /// <summary>Gets the file name used in the diagnostics.</summary>
    public string FileName { get; }

    /// <summary>Gets the rules, or <see langword="null"/> when the text has errors.</summary>
    public RuleSet? RuleSet { get; }

    /// <summary>Gets every error found, in order of position; empty on success.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>Gets whether the text is valid (then <see cref="RuleSet"/> is set).</summary>
    [MemberNotNullWhen(true, nameof(RuleSet))]
    public bool Succeeded => RuleSet is not null;

    /// <summary>Gets the rules, or throws with every diagnostic when the text has errors.</summary>
    /// <returns>The rule set.</returns>
    /// <exception cref="RuleParseException">The text has errors.</exception>
    public RuleSet GetRuleSetOrThrow() => RuleSet ?? throw new RuleParseException(FileName, Diagnostics);
}
