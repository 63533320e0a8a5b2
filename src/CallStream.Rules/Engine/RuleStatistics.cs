namespace CallStream.Rules;

/// <summary>Counters and state size of one rule in an engine or evaluator, at the time they were read.</summary>
public sealed class RuleStatistics
{
    internal RuleStatistics(string rule, long eventsTaken, long candidates, long alerts, long suppressed, int groups, int suppressedKeys)
    {
        Rule = rule;
        EventsTaken = eventsTaken;
        Candidates = candidates;
        Alerts = alerts;
        Suppressed = suppressed;
        Groups = groups;
        SuppressedKeys = suppressedKeys;
    }

    /// <summary>Gets the rule's name.</summary>
    public string Rule { get; }

    /// <summary>Gets the number of events that passed the rule's <c>where</c> clause.</summary>
    public long EventsTaken { get; }

    /// <summary>Gets the number of candidates: events for which the rule would alert, before suppression.</summary>
    public long Candidates { get; }

    /// <summary>Gets the number of alerts emitted (warm-up events emit none).</summary>
    public long Alerts { get; }

    /// <summary>Gets the number of candidates dropped by suppression.</summary>
    public long Suppressed { get; }

    /// <summary>Gets the number of groups currently holding window state.</summary>
    public int Groups { get; }

    /// <summary>Gets the number of keys currently under suppression.</summary>
    public int SuppressedKeys { get; }
}
