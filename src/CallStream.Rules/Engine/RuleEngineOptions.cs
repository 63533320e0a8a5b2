using System.Diagnostics.Metrics;

namespace CallStream.Rules;

/// <summary>Options of a <see cref="RuleEngine"/>: event-time ordering, metrics, and a progress callback.</summary>
public sealed class RuleEngineOptions : EventOrderingOptions
{
    /// <summary>Gets or sets the factory of the <c>CallStream</c> meter the engine reports to (events, late events, alerts by rule).</summary>
    /// <value>The default value is <see langword="null"/>: the engine creates its own <c>CallStream</c> meter and disposes it with itself.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Gets or sets a callback told of each event once every rule has evaluated it (after its alerts were
    /// delivered), or once it was dropped as a duplicate (see <see cref="OnDuplicateEvent"/>), in release order: what a
    /// checkpointing source needs to know which offsets are done.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<PartitionedInteraction>? OnEventEvaluated { get; set; }

    /// <summary>
    /// Gets or sets how long, in event time, the engine remembers the id of an interaction it released, to recognise a
    /// copy sent again (a duplicate, dropped before the rules): an id is forgotten once the newest event time released
    /// is more than this past the event time it was first seen at.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the largest window plus suppression period of any one rule, plus
    /// <see cref="EventOrderingOptions.AllowedLateness"/> (what a restarted consumer re-reads to warm up, so it
    /// remembers the same ids as one that never stopped). Zero still recognises copies with the same event time that are
    /// not late. Negative values are rejected.
    /// </value>
    public TimeSpan? DuplicateHorizon { get; set; }

    /// <summary>
    /// Gets or sets a callback told of each event dropped as a duplicate (its id was released before within
    /// <see cref="DuplicateHorizon"/>), in release order, before <see cref="OnEventEvaluated"/> is told of it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: duplicates are only counted.</value>
    public Action<PartitionedInteraction>? OnDuplicateEvent { get; set; }

    /// <summary>
    /// Gets or sets the number of threads the rules are evaluated on: above 1, the rules are split into that many
    /// shards of about equal estimated cost (at most one per rule), each evaluating the events released by one call of
    /// the engine on its own thread (the caller's for the first); alerts, callbacks and statistics are exactly those of
    /// one thread. It pays only where the rules cost more than handing the events over: rules with long windows, and
    /// events offered many at a time (<see cref="RuleEngine.Offer(ReadOnlySpan{PartitionedInteraction})"/>, a
    /// watermark that releases many, <see cref="RuleEngine.Complete"/>); events offered one by one and released one by
    /// one are evaluated on the caller's thread. 0 picks 1 or more from the rules' estimated cost and the processors.
    /// </summary>
    /// <value>The default value is 1: every rule on the caller's thread, one event at a time. Negative values are rejected.</value>
    public int EvaluationThreads { get; set; } = 1;

    /// <summary>A copy of every setting, for an operator that changes one or two without touching the caller's object.</summary>
    internal RuleEngineOptions Clone() => (RuleEngineOptions)MemberwiseClone();

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (DuplicateHorizon < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(DuplicateHorizon), DuplicateHorizon, $"{Name(nameof(DuplicateHorizon))} must not be negative (was {DuplicateHorizon}).");
        if (EvaluationThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(EvaluationThreads), EvaluationThreads, $"{Name(nameof(EvaluationThreads))} must be 0 (automatic) or a number of threads (was {EvaluationThreads}).");
    }
}
