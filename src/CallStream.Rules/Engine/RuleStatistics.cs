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

/// <summary>Counters and state size of a <see cref="RuleEngine"/>, at the time they were read.</summary>
public sealed class RuleEngineStatistics
{
    internal RuleEngineStatistics(long eventsOffered, long eventsEvaluated, long lateEvents, int heldEvents, DateTimeOffset? watermark, IReadOnlyList<RuleStatistics> rules)
    {
        EventsOffered = eventsOffered;
        EventsEvaluated = eventsEvaluated;
        LateEvents = lateEvents;
        HeldEvents = heldEvents;
        Watermark = watermark;
        Rules = rules;
    }

    /// <summary>Gets the number of events offered to the engine.</summary>
    public long EventsOffered { get; }

    /// <summary>Gets the number of events released in event-time order and evaluated by the rules.</summary>
    public long EventsEvaluated { get; }

    /// <summary>Gets the number of late events: released at once, out of order, because they sorted before an event already released.</summary>
    public long LateEvents { get; }

    /// <summary>Gets the number of events held, waiting for the watermark.</summary>
    public int HeldEvents { get; }

    /// <summary>Gets the current watermark, or <see langword="null"/> while there is none.</summary>
    public DateTimeOffset? Watermark { get; }

    /// <summary>Gets the statistics of each rule, in rule-set order.</summary>
    public IReadOnlyList<RuleStatistics> Rules { get; }

    /// <summary>Gets the total number of alerts emitted.</summary>
    public long Alerts => Rules.Sum(r => r.Alerts);

    /// <summary>Gets the total number of groups holding window state.</summary>
    public int Groups => Rules.Sum(r => r.Groups);

    /// <summary>Gets the number of alerts emitted by each rule, by rule name.</summary>
    public IReadOnlyDictionary<string, long> AlertsByRule => Rules.ToDictionary(r => r.Rule, r => r.Alerts, StringComparer.Ordinal);
}
