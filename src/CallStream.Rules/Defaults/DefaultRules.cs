using System.Reflection;

namespace CallStream.Rules;

/// <summary>
/// The built-in rule set, as text in the rule language (<c>default.rules</c>, embedded in this assembly): the
/// thresholds of the original system (LongCall, FailedCall, RepeatedFailures, AgentFailureRate, LongVideoCall)
/// plus LowSatisfactionStreak and ProblematicSpike. Seven rules, four of them windowed.
/// </summary>
public static class DefaultRules
{
    /// <summary>The name of the embedded resource holding the text.</summary>
    public const string ResourceName = "CallStream.Rules.Defaults.default.rules";

    /// <summary>The file name under which the text is reported in diagnostics.</summary>
    public const string FileName = "default.rules";

    // Lazy<T> defaults to ExecutionAndPublication: read and parsed once, on first use, whichever thread comes first.
    private static readonly Lazy<string> LazyText = new(ReadText);
    private static readonly Lazy<RuleSet> LazyRuleSet = new(() => Rules.RuleSet.Parse(Text, FileName));

    /// <summary>Gets the text of the default rules, with comments.</summary>
    public static string Text => LazyText.Value;

    /// <summary>
    /// Gets the default rules, parsed from <see cref="Text"/> once (on first use, thread-safe); the same immutable
    /// instance every time, ready for a <see cref="RuleEngine"/> or to combine with other rules.
    /// </summary>
    public static RuleSet RuleSet => LazyRuleSet.Value;

    private static string ReadText()
    {
        using var stream = typeof(DefaultRules).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The resource '{ResourceName}' is missing from {typeof(DefaultRules).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
