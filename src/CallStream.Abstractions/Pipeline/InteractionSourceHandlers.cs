namespace CallStream;

/// <summary>
/// Callbacks through which the reader of an <see cref="IInteractionSource"/> takes part in partition hand-overs:
/// choosing where a newly assigned partition starts, and making its work durable before a partition is given up.
/// </summary>
/// <remarks>
/// The source calls them on its own reading thread and waits for them (up to a timeout the source documents), so
/// they must not wait for the source to yield more events. They may call <see cref="IInteractionSource.StoreOffset"/>
/// and <see cref="IInteractionSource.GetOffsetsForTimeAsync"/>.
/// </remarks>
public sealed class InteractionSourceHandlers
{
    /// <summary>
    /// Gets the callback invoked when partitions are assigned, before any of their records is read. It receives each
    /// partition with its committed offset and returns the offsets to start at, for example earlier offsets to re-read
    /// events for warm-up; partitions it leaves out (or a <see langword="null"/> result) start at the committed offset.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: every partition starts at its committed offset.</value>
    public Func<IReadOnlyList<AssignedPartition>, CancellationToken, ValueTask<IReadOnlyDictionary<int, long>?>>? OnAssigned { get; init; }

    /// <summary>
    /// Gets the callback invoked before partitions are given up in an orderly way (a rebalance, or the source
    /// stopping). Complete it when everything that will ever be completed for those partitions is durable and its
    /// offsets were passed to <see cref="IInteractionSource.StoreOffset"/> — typically: finish the events already
    /// received, flush every sink. The source then commits the stored offsets and only then releases the partitions,
    /// so their next owner resumes exactly after the durable records.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: offsets stored so far are committed and the partitions released.</value>
    /// <remarks>Events of those partitions that the source had read but not yet yielded are dropped; the next owner
    /// reads them again. Partitions that are lost (not revoked) do not get this call: their offsets are not committed.</remarks>
    public Func<IReadOnlyList<int>, CancellationToken, ValueTask>? OnRevoking { get; init; }
}
