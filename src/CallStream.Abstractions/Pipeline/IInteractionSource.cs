namespace CallStream;

/// <summary>
/// A partitioned, replayable source of interactions (a Kafka topic read by a consumer group) with at-least-once
/// delivery: the reader reports what is durable through <see cref="StoreOffset"/>, and after a restart or a
/// rebalance reading resumes after the last stored offset of each partition.
/// </summary>
public interface IInteractionSource : IAsyncDisposable
{
    /// <summary>
    /// Reads the source: records in offset order per partition, with partition events (assigned, revoked, lost, caught
    /// up, active again). A source is read once.
    /// </summary>
    /// <param name="handlers">Callbacks for partition hand-overs, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Stops reading gracefully: the source stops fetching, revokes its partitions
    /// (calling <see cref="InteractionSourceHandlers.OnRevoking"/>), commits the stored offsets and then ends the sequence
    /// normally.</param>
    /// <returns>The events; the sequence ends after a graceful stop and throws when the source fails for good.</returns>
    IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Says that every record of <paramref name="partition"/> before <paramref name="nextOffset"/> is durable in every
    /// sink, so reading may resume at <paramref name="nextOffset"/> after a restart or a rebalance. Thread-safe; calls
    /// for a partition the source no longer owns are ignored, and an offset lower than one stored before is ignored.
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <param name="nextOffset">The offset of the first record that is not (known to be) durable.</param>
    void StoreOffset(int partition, long nextOffset);

    /// <summary>
    /// Says, as <see cref="StoreOffset"/> does, that every record of <paramref name="partition"/> before
    /// <paramref name="nextOffset"/> is durable, together with the reader's event-time position there. A source that can
    /// keep the position makes it durable before it commits the offset, and hands it back on assignment
    /// (<see cref="AssignedPartition.Position"/>) when the committed offset is <paramref name="nextOffset"/>.
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <param name="nextOffset">The offset of the first record that is not (known to be) durable.</param>
    /// <param name="position">The event-time position at <paramref name="nextOffset"/>.</param>
    /// <remarks>The default implementation ignores the position.</remarks>
    void StorePosition(int partition, long nextOffset, EventTimePosition position) => StoreOffset(partition, nextOffset);

    /// <summary>
    /// Finds, for each partition, the earliest offset whose record timestamp is at or after <paramref name="timestamp"/>
    /// (every earlier record of the partition has an earlier timestamp), or the partition's end offset when there is none.
    /// </summary>
    /// <param name="partitions">The partitions.</param>
    /// <param name="timestamp">The instant.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The offset of each partition.</returns>
    Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads, for each partition, the timestamp of the record at the given offset (or of the first record after it, when
    /// that one is gone): what a reader needs to find the event time of a committed position before warming up its state.
    /// Partitions with no record at or after the offset are left out of the result.
    /// </summary>
    /// <param name="offsets">The offset to read, per partition.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The timestamp of each record found.</returns>
    /// <exception cref="NotSupportedException">The source cannot read records at an offset (the default implementation).</exception>
    Task<IReadOnlyDictionary<int, DateTimeOffset>> GetTimestampsAsync(IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken = default) =>
        Task.FromException<IReadOnlyDictionary<int, DateTimeOffset>>(new NotSupportedException($"{GetType().Name} cannot read the timestamp of a record at an offset."));

    /// <summary>
    /// Reads, for each partition, the up to <paramref name="count"/> records just before the given offset and returns
    /// those that are valid interactions, in offset order: what a reader without a stored
    /// <see cref="EventTimePosition"/> needs to estimate the event time of a committed position from several events
    /// rather than from one record's timestamp.
    /// </summary>
    /// <param name="offsets">The offset to read before, per partition.</param>
    /// <param name="count">How many records to read before each offset at most.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>The valid interactions found, per partition (partitions with none are left out).</returns>
    /// <exception cref="NotSupportedException">The source cannot read records at an offset (the default implementation).</exception>
    Task<IReadOnlyDictionary<int, IReadOnlyList<Interaction>>> ReadInteractionsBeforeAsync(IReadOnlyDictionary<int, long> offsets, int count, CancellationToken cancellationToken = default) =>
        Task.FromException<IReadOnlyDictionary<int, IReadOnlyList<Interaction>>>(new NotSupportedException($"{GetType().Name} cannot read records at an offset."));
}
