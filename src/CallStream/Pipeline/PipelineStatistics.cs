namespace CallStream;

/// <summary>A snapshot of an <see cref="InteractionPipeline"/>'s figures, for progress lines, health checks and reconciliation.</summary>
/// <param name="Consumed">Records read at or after their partition's committed offset (warm-up excluded; a record read again after a hand-over counts again).</param>
/// <param name="DeadLettered">Records the source set aside as not valid interactions (<see cref="InteractionSourceEventKind.DeadLettered"/> events at or after the committed offset), whatever its poison-record policy did with them: published to a dead-letter topic or skipped.</param>
/// <param name="WarmUpEvents">Records read before their partition's committed offset, run through the rules for state only.</param>
/// <param name="Evaluated">Events (not warm-up) the rules have evaluated (duplicates excluded: see <see cref="Duplicates"/>).</param>
/// <param name="Late">Events that arrived after a later event had been released (the rule engine's late count; warm-up included).</param>
/// <param name="Alerts">Alerts handed to the sinks.</param>
/// <param name="AlertsNotReemitted">Alerts that warm-up events would have raised: delivered before their offset was committed, so not emitted again.</param>
/// <param name="Replayed">Records read again that this pipeline had already evaluated (after a hand-over back to it); not evaluated twice.</param>
/// <param name="Held">Events waiting for the watermark; after a stop they are read again by the next run.</param>
/// <param name="InFlight">Records read whose outputs are not yet durable in every sink.</param>
/// <param name="Watermark">The event-time watermark, or <see langword="null"/> while there is none.</param>
/// <param name="Sinks">The sinks, in the order they were added.</param>
/// <param name="Partitions">The partitions currently assigned, by number.</param>
public sealed record PipelineStatistics(
    long Consumed,
    long DeadLettered,
    long WarmUpEvents,
    long Evaluated,
    long Late,
    long Alerts,
    long AlertsNotReemitted,
    long Replayed,
    int Held,
    long InFlight,
    DateTimeOffset? Watermark,
    IReadOnlyList<SinkStatistics> Sinks,
    IReadOnlyList<PartitionStatistics> Partitions)
{
    /// <summary>
    /// Gets the records (not warm-up) dropped before the rules because an interaction with the same id was evaluated
    /// before (within the engine's duplicate horizon): the same interaction sent twice. They are not evaluated, raise no
    /// alert and are not written to the interaction sinks.
    /// </summary>
    public long Duplicates { get; init; }
}

/// <summary>The figures of one sink of an <see cref="InteractionPipeline"/>.</summary>
/// <param name="Name">The name the sink was added with.</param>
/// <param name="Kind">What it stores: <c>alerts</c> or <c>interactions</c>.</param>
/// <param name="Enqueued">Items handed to the sink.</param>
/// <param name="Written">Items the sink has durably written.</param>
/// <param name="Failed">Items that will not be written because the sink failed for good (0 while it works).</param>
/// <param name="Rejected">Items the sink's store refused for good (a document that fails validation): not written, not
/// retried, logged as errors; the checkpoint moves past them.</param>
/// <param name="AlreadyStored">Of the items written, those the store already held (an earlier run, a replay, twice in one
/// batch), when the sink tells (<see cref="IDeduplicatingSink"/>); <see langword="null"/> otherwise.</param>
public sealed record SinkStatistics(string Name, string Kind, long Enqueued, long Written, long Failed, long Rejected, long? AlreadyStored);

/// <summary>The figures of one assigned partition of an <see cref="InteractionPipeline"/>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="CommittedOffset">The group's committed offset when the partition was assigned (-1: none).</param>
/// <param name="StoredOffset">The last offset handed to the source as durable (-1: none yet).</param>
/// <param name="WarmUpFrom">Where the warm-up started (-1: no warm-up).</param>
/// <param name="LastReadOffset">The offset of the last record read (-1: none yet).</param>
/// <param name="CaughtUp">Whether the source has read the partition to its end.</param>
public sealed record PartitionStatistics(int Partition, long CommittedOffset, long StoredOffset, long WarmUpFrom, long LastReadOffset, bool CaughtUp);
