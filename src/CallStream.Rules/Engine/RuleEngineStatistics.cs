namespace CallStream.Rules;

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

    /// <summary>Gets the number of events released in event-time order and evaluated by the rules (duplicates excluded).</summary>
    public long EventsEvaluated { get; }

    /// <summary>Gets the number of late events: released at once, out of order, because they sorted before an event already released.</summary>
    public long LateEvents { get; }

    /// <summary>Gets the number of events held, waiting for the watermark.</summary>
    public int HeldEvents { get; }

    /// <summary>Gets the number of events dropped before the rules as duplicates: an interaction with the same id was released before, within the engine's duplicate horizon.</summary>
    public long DuplicateEvents { get; internal init; }

    /// <summary>Gets the number of interaction ids remembered to recognise duplicates (those within the duplicate horizon of the newest event time released).</summary>
    public int RememberedIds { get; internal init; }

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
