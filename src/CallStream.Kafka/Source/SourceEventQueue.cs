using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CallStream.Kafka;

/// <summary>
/// Carries source events from the consume thread to the reader: records in batches (one queue item, one wake-up per
/// batch), partition events one by one and in order with the records. Records read before their partition was revoked
/// or lost are dropped on the reader's side, since the partition's next owner reads them again.
/// </summary>
/// <remarks><see cref="Emit"/>, <see cref="Add"/>, <see cref="Flush"/> and <see cref="Revoke"/> are called on the consume
/// thread; <see cref="ReadAllAsync"/> by the one reader.</remarks>
internal sealed class SourceEventQueue
{
    private const int MaxBatchSize = 256;
    private static readonly TimeSpan WriteWaitSlice = TimeSpan.FromMilliseconds(50);

    private readonly Channel<Item> _events;
    private readonly int _batchSize;
    private readonly CancellationToken _readerGone;
    private readonly CancellationToken _stopOrReaderGone;
    private readonly ConcurrentDictionary<int, long> _revokedAtEpoch = new();
    private volatile bool _anyRevoked; // checked per record instead of _revokedAtEpoch.IsEmpty, which takes every lock of an empty dictionary

    // Consume thread only.
    private long _epoch;
    private InteractionSourceEvent[]? _batch;
    private int _batchCount;

    /// <param name="capacity">About how many events the queue holds in all.</param>
    /// <param name="readerGone">Cancelled when the reader left: nothing waits for room any more.</param>
    /// <param name="stopOrReaderGone">Cancelled on a stop as well: records no longer wait for room.</param>
    public SourceEventQueue(int capacity, CancellationToken readerGone, CancellationToken stopOrReaderGone)
    {
        _batchSize = Math.Clamp(capacity / 4, 1, MaxBatchSize);
        _events = System.Threading.Channels.Channel.CreateBounded<Item>(new BoundedChannelOptions(Math.Max(1, capacity / _batchSize))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _readerGone = readerGone;
        _stopOrReaderGone = stopOrReaderGone;
    }

    /// <summary>Gets or sets what to do now and then while waiting for room (the consume thread stores offsets meanwhile).</summary>
    public Action? WhileWaiting { get; set; }

    /// <summary>Gets whether a batch of records is being filled.</summary>
    public bool Filling => _batchCount > 0;

    /// <summary>Queues an event for the reader after the records batched so far; waits while the queue is full.</summary>
    /// <param name="sourceEvent">The event.</param>
    /// <param name="closing">Whether to keep waiting after a stop was requested (partition events); records are dropped
    /// instead, to be read again after the restart.</param>
    public void Emit(InteractionSourceEvent sourceEvent, bool closing = false)
    {
        Flush(); // events of a partition stay in order
        Write(new Item(sourceEvent, null, 0, _epoch), closing);
    }

    /// <summary>Adds a record to the batch being filled; a full batch is queued for the reader.</summary>
    public void Add(in InteractionSourceEvent sourceEvent)
    {
        if (_batchSize == 1)
        {
            Emit(sourceEvent);
            return;
        }
        _batch ??= ArrayPool<InteractionSourceEvent>.Shared.Rent(_batchSize);
        _batch[_batchCount++] = sourceEvent;
        if (_batchCount >= _batchSize)
            Flush();
    }

    /// <summary>Queues the records batched so far (dropped, like single records, when a stop is requested while the queue is full).</summary>
    public void Flush()
    {
        if (_batchCount == 0)
            return;
        var item = new Item(default, _batch, _batchCount, _epoch);
        _batch = null;
        _batchCount = 0;
        Write(item, closing: false);
    }

    /// <summary>Drops, from now on, the queued records of partitions that were revoked or lost.</summary>
    public void Revoke(IEnumerable<int> partitions)
    {
        Flush(); // read before the revocation: the reader drops those of the revoked partitions
        long epoch = ++_epoch;
        foreach (int partition in partitions)
            _revokedAtEpoch[partition] = epoch;
        _anyRevoked = true;
    }

    /// <summary>Ends the stream, with the failure that ended it, if any.</summary>
    public void Complete(Exception? failure) => _events.Writer.TryComplete(failure);

    /// <summary>Reads the events until the stream ends (throwing its failure, if any).</summary>
    public async IAsyncEnumerable<InteractionSourceEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var reader = _events.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item.Batch is { } batch)
                {
                    for (int i = 0; i < item.Count; i++)
                    {
                        if (!IsStale(batch[i], item.Epoch))
                            yield return batch[i];
                    }
                    ArrayPool<InteractionSourceEvent>.Shared.Return(batch, clearArray: true);
                }
                else if (!IsStale(item.Event, item.Epoch))
                {
                    yield return item.Event;
                }
            }
        }
    }

    private bool IsStale(in InteractionSourceEvent sourceEvent, long epoch) =>
        sourceEvent.Kind is InteractionSourceEventKind.Record or InteractionSourceEventKind.DeadLettered
        && _anyRevoked
        && _revokedAtEpoch.TryGetValue(sourceEvent.Partition, out long revokedAt)
        && epoch < revokedAt;

    private void Write(in Item item, bool closing)
    {
        var writer = _events.Writer;
        if (writer.TryWrite(item))
            return;
        var token = closing ? _readerGone : _stopOrReaderGone;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var wait = writer.WaitToWriteAsync(token).AsTask();
                if (!wait.Wait(WriteWaitSlice))
                {
                    WhileWaiting?.Invoke();
                    if (!wait.Wait(Timeout.Infinite, token))
                        return;
                }

                if (!wait.Result)
                    return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (AggregateException ex) when (ex.InnerException is OperationCanceledException)
            {
                return;
            }

            if (writer.TryWrite(item))
                return;
        }
    }

    /// <summary>A queued event, or a batch of records (a pooled array, returned by the reader), and the revocation epoch at which it was read.</summary>
    private readonly record struct Item(InteractionSourceEvent Event, InteractionSourceEvent[]? Batch, int Count, long Epoch);
}
