
namespace CallStream.Rules.Engine;

/// <summary>
/// The mutable state that evaluates one compiled rule over events in event-time order: group state, suppression,
/// and counters. One runner per rule per evaluator; not thread-safe.
/// </summary>
internal abstract class RuleRunner
{
    protected static readonly double[] NoAggregates = [];

    private readonly SuppressionTable? _suppression;

    protected RuleRunner(CompiledRule rule, ExpiryAlarm alarm, KeyHashes hashes)
    {
        Rule = rule;
        if (rule.SuppressTicks > 0)
            _suppression = new SuppressionTable(rule.SuppressTicks, alarm, hashes);
    }

    public CompiledRule Rule { get; }

    /// <summary>Gets the number of events that passed <c>where</c>.</summary>
    public long EventsTaken { get; private set; }

    /// <summary>Gets the number of candidates (spec points 3 to 5), emitted or not.</summary>
    public long Candidates { get; private set; }

    /// <summary>Gets the number of alerts emitted.</summary>
    public long Alerts { get; private set; }

    /// <summary>Gets the number of candidates dropped by suppression.</summary>
    public long Suppressed { get; private set; }

    /// <summary>Gets the number of alerts that would have been emitted by events offered for warm-up only.</summary>
    public long WarmUpAlerts { get; private set; }

    /// <summary>Gets the number of groups holding window state.</summary>
    public virtual int GroupCount => 0;

    /// <summary>Gets the number of keys under suppression.</summary>
    public int SuppressionCount => _suppression?.Count ?? 0;

    /// <summary>Offers an event to the rule.</summary>
    /// <param name="e">The event.</param>
    /// <param name="ticks">Its event time in UTC ticks (start or end time, <see cref="EventTimes"/>).</param>
    /// <param name="output">Where alerts go; null to update the state only (warm-up).</param>
    public abstract void Offer(Interaction e, long ticks, ICollection<Alert>? output);

    /// <summary>Gets the event time (ticks) from which <see cref="Expire"/> may drop something; <see cref="long.MaxValue"/> when nothing can expire.</summary>
    public virtual long NextExpiry => _suppression?.NextExpiry ?? long.MaxValue;

    /// <summary>Drops the state that event time <paramref name="frontier"/> has made useless (spec point 7).</summary>
    public virtual void Expire(long frontier) => _suppression?.RemoveExpired(frontier);

    /// <summary>Applies <c>where</c> (spec point 1) and counts the events it lets through.</summary>
    /// <returns>Whether the rule takes the event.</returns>
    protected bool Take(Interaction e)
    {
        if (Rule.Where is { } where && where(e, NoAggregates) != Tri.True)
            return false;
        EventsTaken++;
        return true;
    }

    /// <summary>Handles a candidate: drops it when suppressed (point 6), otherwise emits it.</summary>
    /// <returns>Whether the candidate was emitted (or would have been, during warm-up).</returns>
    protected bool Candidate(Interaction e, long ticks, string key, ICollection<Alert>? output, double[] aggregates, long windowStart, long windowEnd)
    {
        Candidates++;
        if (_suppression is not null && !_suppression.TryRecord(key, ticks))
        {
            Suppressed++;
            return false;
        }
        if (output is null)
        {
            WarmUpAlerts++;
            return true;
        }
        output.Add(CreateAlert(e, ticks, key, aggregates, windowStart, windowEnd));
        Alerts++;
        return true;
    }

    /// <summary>Creates an alert triggered at the event's event time (data.md: <c>triggeredAt</c>).</summary>
    private Alert CreateAlert(Interaction e, long ticks, string key, double[] aggregates, long windowStart, long windowEnd)
    {
        var rule = Rule;
        string message = rule.Message.Render(rule.Name, e, key, aggregates);
        if (rule.Aggregates is not { } plan)
            return new Alert(rule.Name, rule.Rule.Severity, key, e.InteractionId, EventTicks.ToInstant(ticks), message);
        return new Alert(
            rule.Name,
            rule.Rule.Severity,
            key,
            e.InteractionId,
            EventTicks.ToInstant(ticks),
            message,
            EventTicks.ToInstant(windowStart),
            EventTicks.ToInstant(windowEnd),
            plan.ToAlertValues(aggregates));
    }
}
