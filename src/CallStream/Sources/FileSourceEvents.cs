namespace CallStream;

/// <summary>
/// The events of one read of a <see cref="FileInteractionSource"/>: the assignment of partition 0, the records batch by
/// batch, then the end of input. A record of the current batch is yielded without waiting (no task per event, so the
/// pipeline loop's fast path holds), or the rest of the batch at once (<see cref="IRecordBatches"/>); only a new batch may
/// need a wait.
/// </summary>
internal sealed class FileSourceEvents(BatchedFileReader reader, Action<long>? onProgress, CancellationToken cancellationToken)
    : IAsyncEnumerable<InteractionSourceEvent>, IAsyncEnumerator<InteractionSourceEvent>, IRecordBatches
{
    private const int Partition = 0;

    private Interaction[] _batch = [];
    private int _next;
    private long _offset;
    private Stage _stage;
    private int _enumerated;

    private enum Stage
    {
        Unassigned,
        Reading,
        Ended,
        Done,
    }

    public InteractionSourceEvent Current { get; private set; }

    public IAsyncEnumerator<InteractionSourceEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
            throw new InvalidOperationException("A FileInteractionSource's events are enumerated once.");
        return this;
    }

    public ValueTask<bool> MoveNextAsync()
    {
        int next = _next;
        var batch = _batch;
        if ((uint)next < (uint)batch.Length)
        {
            var interaction = batch[next];
            _next = next + 1;
            Current = InteractionSourceEvent.Record(Partition, _offset++, interaction.StartTime, interaction);
            return new ValueTask<bool>(true);
        }
        return MoveNextSlowAsync();
    }

    public ReadOnlySpan<Interaction> TakeRestOfBatch(out int partition, out long firstOffset)
    {
        partition = Partition;
        firstOffset = _offset;
        var batch = _batch;
        if (_next >= batch.Length)
            return default;
        var rest = batch.AsSpan(_next);
        _next = batch.Length;
        _offset += rest.Length;
        return rest;
    }

    public async ValueTask DisposeAsync()
    {
        _stage = Stage.Done;
        _batch = [];
        _next = 0;
        await reader.StopAsync().ConfigureAwait(false);
    }

    private async ValueTask<bool> MoveNextSlowAsync()
    {
        switch (_stage)
        {
            case Stage.Unassigned:
                reader.Start();
                _stage = Stage.Reading;
                Current = InteractionSourceEvent.PartitionAssigned(Partition, 0, -1);
                return true;
            case Stage.Reading:
                break;
            case Stage.Ended:
                _stage = Stage.Done;
                return false;
            default:
                return false;
        }

        _batch = [];
        _next = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (reader.TryTake(out var batch))
            {
                _batch = batch;
                _next = 1;
                long handedOver = _offset + batch.Length;
                Current = InteractionSourceEvent.Record(Partition, _offset++, batch[0].StartTime, batch[0]);
                onProgress?.Invoke(handedOver);
                return true;
            }
            bool more;
            try
            {
                more = await reader.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            if (!more)
            {
                _stage = Stage.Ended;
                Current = InteractionSourceEvent.EndOfInput();
                return true;
            }
        }

        // Stopped before the end: the rest of the file is not read.
        _stage = Stage.Done;
        await reader.StopAsync().ConfigureAwait(false);
        return false;
    }
}
