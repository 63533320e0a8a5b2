using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallStream.Pipeline;

/// <summary>
/// Puts a bounded queue in front of an <see cref="IBatchedSink{T}"/>: items are written in batches when a batch
/// is full, when the oldest item has waited <see cref="BatchingOptions.FlushInterval"/>, on
/// <see cref="FlushAsync"/> and on dispose; writers wait when the queue is full (backpressure); failed batches
/// are retried with exponential backoff. Each item may carry a <see cref="RecordTicket"/> that is released once
/// the item is durable, which is how the checkpoint learns what it may commit.
/// </summary>
/// <remarks>
/// Items the sink refuses for good (it throws <see cref="SinkItemsRejectedException"/>, for example a document that
/// fails validation) are not retried: each is logged as an error with its id and the store's reason, counted in
/// <see cref="Rejected"/>, and its ticket is released as if it were written, so the checkpoint moves past it. The rest
/// of the batch is done when the sink says it is stored, and otherwise retried with backoff.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class BatchingSink<T> : IAsyncDisposable
{
    private readonly IBatchedSink<T> _sink;
    private readonly BatchingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Entry> _channel;
    private readonly Task _loop;
    private readonly Lock _flushLock = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushWaiters = [];
    private TaskCompletionSource _wake = NewSignal();
    private int _wakeAt = int.MaxValue; // queued items at which a writer wakes the waiting loop (a full batch, or a full queue)
    private long _enqueued;
    private long _written;
    private long _rejected;
    private long _settled; // written or rejected: what flushes wait for
    private volatile bool _completing;
    private volatile SinkWriteException? _fault;

    /// <summary>Creates the batching sink and starts its writer loop.</summary>
    /// <param name="sink">The sink that writes batches.</param>
    /// <param name="name">A name for messages, logs and metrics, for example <c>mongo:alerts</c>.</param>
    /// <param name="options">The batching options, or <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock for flush intervals and retry delays, or <see langword="null"/> for the system clock.</param>
    /// <param name="logger">The logger, or <see langword="null"/>.</param>
    public BatchingSink(IBatchedSink<T> sink, string name, BatchingOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _sink = sink;
        Name = name;
        _options = options ?? new BatchingOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _channel = System.Threading.Channels.Channel.CreateBounded<Entry>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Gets the sink's name.</summary>
    public string Name { get; }

    /// <summary>Gets how many items were accepted so far.</summary>
    public long Enqueued => Interlocked.Read(ref _enqueued);

    /// <summary>Gets how many items the sink has durably written so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Gets how many items the sink refused for good (<see cref="SinkItemsRejectedException"/>): not written, not retried.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    private long Settled => Interlocked.Read(ref _settled);

    /// <summary>Gets a task that completes when the writer loop ends: after dispose, or faulted when the sink failed for good.</summary>
    public Task Completion => _loop;

    /// <summary>Queues an item; waits while the queue is full.</summary>
    /// <param name="item">The item.</param>
    /// <param name="ticket">The ticket to release once the item is durable, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for queue space.</param>
    /// <returns>A task that completes when the item is queued (not yet written).</returns>
    /// <exception cref="SinkWriteException">The sink has failed for good.</exception>
    /// <exception cref="ObjectDisposedException">The sink is disposed.</exception>
    public ValueTask EnqueueAsync(T item, RecordTicket? ticket = null, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable();
        ticket?.AddPending();
        Interlocked.Increment(ref _enqueued);
        var entry = new Entry(item, ticket);
        if (!_channel.Writer.TryWrite(entry))
            return SlowEnqueueAsync(entry, cancellationToken);
        // The loop is woken when a batch is full, not per item (a wake-up per item costs more than the write).
        Interlocked.MemoryBarrier(); // the write above before the read of _wakeAt (the loop sets it, then counts)
        int wakeAt = Volatile.Read(ref _wakeAt);
        if (wakeAt != int.MaxValue && _channel.Reader.Count >= wakeAt && Interlocked.CompareExchange(ref _wakeAt, int.MaxValue, wakeAt) == wakeAt)
            Wake();
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes every item queued so far and waits until they are durable (or refused for good).</summary>
    /// <param name="cancellationToken">Cancels the wait (not the writes).</param>
    /// <returns>A task that completes when everything queued before the call is durable.</returns>
    /// <exception cref="SinkWriteException">The sink failed for good.</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        long target = Enqueued;
        TaskCompletionSource done;
        lock (_flushLock)
        {
            if (_fault is { } fault)
                return Task.FromException(fault);
            if (Settled >= target)
                return Task.CompletedTask;
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushWaiters.Add((target, done));
            WakeLocked();
        }
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Writes everything still queued, then stops the writer loop.</summary>
    /// <returns>A task that completes when the loop has ended.</returns>
    public async ValueTask DisposeAsync()
    {
        _completing = true;
        _channel.Writer.TryComplete();
        lock (_flushLock)
            WakeLocked();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (SinkWriteException)
        {
            // Already reported through Completion, FlushAsync and the log.
        }
    }

    private async ValueTask SlowEnqueueAsync(Entry entry, CancellationToken cancellationToken)
    {
        Wake(); // the queue is full: the loop must take a batch now
        try
        {
            await _channel.Writer.WriteAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ThrowIfUnusable();
            throw new ObjectDisposedException(Name);
        }
    }

    private void ThrowIfUnusable()
    {
        if (_fault is SinkWriteException fault)
            throw new SinkWriteException(fault.SinkName, fault.BatchSize, fault.Attempts, fault.ItemIds, fault.InnerException!); // a fresh one, with the failed batch's figures
        ObjectDisposedException.ThrowIf(_completing, this);
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<Entry>(Math.Min(_options.BatchSize, 4096));
        var items = new List<T>(batch.Capacity);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            long start = _time.GetTimestamp();
            while (true)
            {
                while (batch.Count < _options.BatchSize && reader.TryRead(out var entry))
                    batch.Add(entry);
                if (batch.Count >= _options.BatchSize || _completing)
                    break;
                Task wake;
                lock (_flushLock)
                {
                    if (_flushWaiters.Count > 0)
                        break;
                    wake = _wake.Task;
                }
                TimeSpan remaining = _options.FlushInterval - _time.GetElapsedTime(start);
                if (remaining <= TimeSpan.Zero)
                    break;
                // Wait for the interval, a flush, the end, or enough items for a full batch (writers check _wakeAt).
                Interlocked.Exchange(ref _wakeAt, Math.Min(_options.BatchSize - batch.Count, _options.QueueCapacity));
                if (reader.Count >= Volatile.Read(ref _wakeAt))
                {
                    Volatile.Write(ref _wakeAt, int.MaxValue);
                    continue;
                }
                using var cancelWait = new CancellationTokenSource();
                var delay = Task.Delay(remaining, _time, cancelWait.Token);
                await Task.WhenAny(delay, wake, reader.Completion).ConfigureAwait(false);
                Volatile.Write(ref _wakeAt, int.MaxValue);
                await cancelWait.CancelAsync().ConfigureAwait(false);
                if (reader.Completion.IsCompleted)
                    break; // the channel is completed and empty
            }
            if (batch.Count == 0)
                continue;
            items.Clear();
            foreach (var e in batch)
                items.Add(e.Item);
            int rejected = await WriteWithRetryAsync(items).ConfigureAwait(false);
            foreach (var e in batch)
                e.Ticket?.Release();
            Interlocked.Add(ref _written, batch.Count - rejected);
            Interlocked.Add(ref _settled, batch.Count);
            batch.Clear();
            CompleteFlushWaiters();
        }
        CompleteFlushWaiters();
    }

    /// <summary>Writes a batch, retrying what failed for a transient reason; removes the items the sink refused for good.</summary>
    /// <returns>How many items the sink refused for good.</returns>
    private async Task<int> WriteWithRetryAsync(List<T> items)
    {
        TimeSpan delay = _options.FirstRetryDelay;
        int rejected = 0;
        for (int attempt = 1; ; attempt++)
        {
            Exception failure;
            try
            {
                await _sink.WriteBatchAsync(items, CancellationToken.None).ConfigureAwait(false);
                if (attempt > 1)
                    Log.BatchRecovered(_logger, Name, items.Count, attempt);
                return rejected;
            }
            catch (SinkItemsRejectedException ex) when (IsValid(ex, items.Count))
            {
                rejected += Reject(items, ex);
                if (ex.OthersStored || items.Count == 0)
                    return rejected;
                failure = ex; // the rest failed for a transient reason
            }
#pragma warning disable CA1031 // a sink may throw anything; it is retried, then reported
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure = ex;
            }

            if (attempt >= _options.MaxAttempts)
            {
                var fault = new SinkWriteException(Name, items.Count, attempt, items.Select(IdOf).ToList(), failure);
                Log.SinkFailed(_logger, failure, Name, items.Count, attempt);
                _fault = fault;
                _channel.Writer.TryComplete(fault);
                FailFlushWaiters(fault);
                throw fault;
            }
            Log.BatchFailed(_logger, failure, Name, items.Count, attempt, _options.MaxAttempts, delay);
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, _time).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    /// <summary>Says whether a rejection names items of the batch (anything else is an ordinary failure, retried).</summary>
    private static bool IsValid(SinkItemsRejectedException rejection, int count) =>
        rejection.Rejected.Count > 0 && rejection.Rejected.All(r => r is not null && r.Position >= 0 && r.Position < count);

    /// <summary>Reports the items the sink refused for good and removes them from the batch.</summary>
    /// <returns>How many were removed.</returns>
    private int Reject(List<T> items, SinkItemsRejectedException rejection)
    {
        var positions = new SortedDictionary<int, string>();
        foreach (var item in rejection.Rejected)
            positions.TryAdd(item.Position, item.Reason);
        foreach (var (position, reason) in positions)
            Log.ItemRejected(_logger, Name, IdOf(items[position]), reason);
        foreach (int position in positions.Keys.Reverse())
            items.RemoveAt(position);
        Interlocked.Add(ref _rejected, positions.Count);
        return positions.Count;
    }

    /// <summary>Names an item for error messages: interactions and alerts by id.</summary>
    private static string IdOf(T item) => item switch
    {
        Interaction interaction => interaction.InteractionId,
        Alert alert => alert.AlertId,
        _ => item?.ToString() ?? "null",
    };

    private void Wake()
    {
        lock (_flushLock)
            WakeLocked();
    }

    private void CompleteFlushWaiters()
    {
        long written = Settled;
        lock (_flushLock)
        {
            for (int i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                if (_flushWaiters[i].Target <= written || _completing && _channel.Reader.Completion.IsCompleted)
                {
                    _flushWaiters[i].Done.TrySetResult();
                    _flushWaiters.RemoveAt(i);
                }
            }
        }
    }

    private void FailFlushWaiters(Exception fault)
    {
        lock (_flushLock)
        {
            foreach (var waiter in _flushWaiters)
                waiter.Done.TrySetException(fault);
            _flushWaiters.Clear();
            WakeLocked();
        }
    }

    private void WakeLocked()
    {
        _wake.TrySetResult();
        _wake = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly record struct Entry(T Item, RecordTicket? Ticket);
}
