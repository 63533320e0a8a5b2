using System.Reflection;

namespace CallStream.Rules;

/// <summary>
/// The built-in rule set, as text in the rule language (<c>default.rules</c>, embedded in this assembly): rules an
/// operations team keeps switched on, built on the thresholds of the original system. Eight rules, five of them
/// windowed: LongCall, FailedLongCall, FailingCustomer, RepeatedFailures (critical), AgentFailureRate, LongVideoCall,
/// AgentLowSatisfaction and ProblematicSpike.
/// </summary>
/// <remarks>
/// A failed contact alone raises no alert (the original system's FailedCall did, one alert per failure, which buried
/// every other alert); failures alert when they took over 20 minutes, when a customer has a third one in a day or
/// five within an hour, and when an agent fails most of a day's contacts. On the generated demo log (seed 42, 200,000
/// contacts) the rules raise a few alerts per 1,000 contacts in all, and each of them fires; the file's comments give
/// the reason for each threshold.
/// </remarks>
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
