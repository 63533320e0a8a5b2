using System.Runtime.CompilerServices;

namespace CallStream.Cli.Commands;

/// <summary>
/// Lets <c>consume --max-messages N</c> stop at exactly N messages: passes a source's events through until N messages
/// (records and dead-lettered records, counted as the pipeline counts them: not the warm-up re-reads before a
/// partition's committed offset) have gone by, and holds back every later one. A held-back message is never evaluated
/// nor stored, so its offset is not committed and the next run reads it.
/// </summary>
/// <param name="inner">The source.</param>
/// <param name="limit">How many messages to let through.</param>
internal sealed class MessageLimitSource(IInteractionSource inner, long limit) : IInteractionSource
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<int, long> _committed = [];
    private long _passed;

    /// <summary>Gets a task that completes when the last message of the limit has been passed on.</summary>
    public Task Reached => _reached.Task;

    /// <inheritdoc/>
    public IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default) =>
        LimitAsync(inner.ReadAsync(handlers, cancellationToken));

    /// <inheritdoc/>
    public void StoreOffset(int partition, long nextOffset) => inner.StoreOffset(partition, nextOffset);

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
        inner.GetOffsetsForTimeAsync(partitions, timestamp, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, DateTimeOffset>> GetTimestampsAsync(IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken = default) =>
        inner.GetTimestampsAsync(offsets, cancellationToken);

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async IAsyncEnumerable<InteractionSourceEvent> LimitAsync(IAsyncEnumerable<InteractionSourceEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (e.Kind)
            {
                case InteractionSourceEventKind.PartitionAssigned:
                    _committed[e.Partition] = e.CommittedOffset;
                    break;
                case InteractionSourceEventKind.Record or InteractionSourceEventKind.DeadLettered when e.Offset >= _committed.GetValueOrDefault(e.Partition, -1):
                    if (_passed >= limit)
                        continue;
                    if (++_passed == limit)
                        _reached.TrySetResult();
                    break;
                case InteractionSourceEventKind.PartitionCaughtUp when _passed >= limit:
                    // Records of the partition may have been held back: it is not caught up as far as the pipeline knows.
                    continue;
            }

            yield return e;
        }
    }
}
