using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallStream.Kafka;

/// <summary>
/// Reads interactions from a Kafka topic as a member of a consumer group, at least once: offsets are stored only when
/// the pipeline says the records before them are durable (<see cref="StoreOffset"/>) and committed in the background,
/// on revocation and on stop. Records that are not valid interactions are handled as
/// <see cref="KafkaSourceOptions.PoisonRecords"/> says: published to a dead-letter topic, skipped and counted, or the
/// source stops. A partition is reported caught up only when the consumer has read up to the end the broker reported.
/// </summary>
/// <remarks>
/// <para>The consumer runs on a thread of its own, started when the events are first enumerated (no I/O before), and reads up to
/// <see cref="KafkaSourceOptions.EventQueueCapacity"/> events ahead of the reader. Handlers run on that thread.</para>
/// <para>All members are thread-safe. A source is read once; dispose it when done.</para>
/// </remarks>
public sealed class KafkaInteractionSource : IInteractionSource
{
    private readonly KafkaSourceOptions _options;
    private readonly ILogger _logger;
    private readonly KafkaMetrics _metrics;
    private readonly string _topic;
    private readonly SourceEventQueue _queue;
    private readonly OffsetStore _offsets = new();
    private readonly PartitionProgress _progress;
    private readonly IPoisonRecordHandler _poison;
    private readonly OffsetCommitter _committer;
    private readonly RecordDecoder _decoder;
    private readonly TimestampOffsetLookup _lookup;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _readerGone = new();
    private readonly CancellationTokenSource _stopOrReaderGone;
    private volatile KafkaConsumerLoop? _loop;
    private int _started;
    private int _running;
    private int _disposed;

    /// <summary>Creates the source (no I/O until <see cref="ReadAsync"/>).</summary>
    /// <param name="options">What and how to read, or <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/>.</param>
    /// <param name="meterFactory">The meter factory for the <c>CallStream</c> meter, or <see langword="null"/> for a meter of its own.</param>
    /// <param name="timeProvider">The clock for dead-letter timestamps, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public KafkaInteractionSource(KafkaSourceOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new KafkaSourceOptions();
        _options.Validate();
        _topic = _options.Topic;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KafkaInteractionSource>();
        _metrics = new KafkaMetrics(meterFactory);
        _stopOrReaderGone = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _readerGone.Token);
        _queue = new SourceEventQueue(_options.EventQueueCapacity, _readerGone.Token, _stopOrReaderGone.Token);
        _progress = new PartitionProgress(_topic, _options.RequestTimeout, _logger, _queue);
        _metrics.ObserveLag(ObserveLag);
        PoisonRecords = _options.PoisonRecords;
        _poison = PoisonRecordHandlers.Create(_options, _logger, _metrics, timeProvider ?? TimeProvider.System);
        _committer = new OffsetCommitter(_options, _logger, _offsets, _progress, _poison, new ProgressStore(_options, _logger));
        _decoder = new RecordDecoder(_topic, _logger, _metrics, _queue, _progress, _poison, _options.ReadsRepartitionTopic);
        _lookup = new TimestampOffsetLookup(_options, _logger);
    }

    /// <summary>Gets the topic read.</summary>
    public string Topic => _topic;

    /// <summary>Gets the consumer group.</summary>
    public string GroupId => _options.GroupId;

    /// <summary>Gets the topic records that are not valid interactions are published to under <see cref="PoisonRecordPolicy.DeadLetter"/>.</summary>
    public string DeadLetterTopic => _options.ResolvedDeadLetterTopic;

    /// <summary>Gets what the source does with records that are not valid interactions.</summary>
    public PoisonRecordPolicy PoisonRecords { get; }

    /// <summary>Gets how many valid interactions were read so far.</summary>
    public long Consumed => _decoder.Consumed;

    /// <summary>Gets how many records were published to the dead-letter topic so far (<see cref="PoisonRecordPolicy.DeadLetter"/>).</summary>
    public long DeadLettered => _decoder.DeadLettered;

    /// <summary>Gets how many records that are not valid interactions were skipped so far (<see cref="PoisonRecordPolicy.SkipAndCount"/>).</summary>
    public long Skipped => _decoder.Skipped;

    /// <summary>Gets whether the source has no partition to read: the consumer group's latest assignment gave it none
    /// (more members than partitions, for example), or the topic did not exist when the source started and no assignment
    /// came since; <see langword="false"/> before the first assignment and during a rebalance.</summary>
    public bool AssignedNone => _progress.AssignedNone;

    /// <summary>Gets the partitions currently assigned to this source.</summary>
    public IReadOnlyCollection<int> AssignedPartitions => _progress.AssignedPartitions;

    /// <summary>Gets, per assigned partition, how many records lie between the source's position and the partition's end,
    /// as of the latest client statistics (empty when <see cref="KafkaSourceOptions.StatisticsInterval"/> is zero).</summary>
    public IReadOnlyDictionary<int, long> Lag => _progress.Lag;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The source is already being read, or was read before.</exception>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    /// <exception cref="KafkaException">The consumer failed for good: a fatal client error, a dead letter that could not be
    /// published, or a record that is not a valid interaction under <see cref="PoisonRecordPolicy.Stop"/>.</exception>
    public IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("A KafkaInteractionSource is read once; create another source to read again.");
        return ReadEventsAsync(handlers ?? new InteractionSourceHandlers(), cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">The partition or offset is negative.</exception>
    public void StoreOffset(int partition, long nextOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(nextOffset);
        _offsets.Request(partition, nextOffset);
    }

    /// <inheritdoc/>
    /// <remarks>The position is written to <see cref="KafkaSourceOptions.ProgressTopic"/> (created compacted when missing) and
    /// acknowledged before the offset is handed to the consumer for commit; the source fails if it cannot be written.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The partition or an offset is negative.</exception>
    public void StorePosition(int partition, long nextOffset, EventTimePosition position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(nextOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(position.WarmUpFrom, nameof(position));
        _offsets.Request(partition, nextOffset, position);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="offsets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A partition or offset is negative, or <paramref name="count"/> is not positive.</exception>
    /// <exception cref="KafkaException">The brokers could not answer within <see cref="KafkaSourceOptions.RequestTimeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    public Task<IReadOnlyDictionary<int, IReadOnlyList<Interaction>>> ReadInteractionsBeforeAsync(IReadOnlyDictionary<int, long> offsets, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        foreach (var (partition, offset) in offsets)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(partition, nameof(offsets));
            ArgumentOutOfRangeException.ThrowIfNegative(offset, nameof(offsets));
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _lookup.ReadInteractionsBeforeAsync(offsets, count, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="partitions"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A partition is negative.</exception>
    /// <exception cref="KafkaException">The brokers could not answer within <see cref="KafkaSourceOptions.RequestTimeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        foreach (int partition in partitions)
            ArgumentOutOfRangeException.ThrowIfNegative(partition, nameof(partitions));
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _lookup.FindAsync([.. partitions.Distinct()], timestamp, cancellationToken);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="offsets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A partition or offset is negative.</exception>
    /// <exception cref="KafkaException">The brokers could not answer within <see cref="KafkaSourceOptions.RequestTimeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    public Task<IReadOnlyDictionary<int, DateTimeOffset>> GetTimestampsAsync(IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        foreach (var (partition, offset) in offsets)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(partition, nameof(offsets));
            ArgumentOutOfRangeException.ThrowIfNegative(offset, nameof(offsets));
        }
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _lookup.ReadTimestampsAsync(offsets, cancellationToken);
    }

    /// <summary>
    /// Stops reading (revoking the partitions through <see cref="InteractionSourceHandlers.OnRevoking"/> and committing, as
    /// cancelling <see cref="ReadAsync"/> does), waits for the consumer to close, and releases the clients. Unlike a
    /// cancellation it does not wait for the reader to take the last partition events: those that do not fit in the
    /// queue are dropped.
    /// </summary>
    /// <returns>A task that completes when everything is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        RequestStop();
        TryCancel(_readerGone);
        if (Volatile.Read(ref _running) != 0 && _loop is { } loop)
            await loop.Stopped.ConfigureAwait(false);
        _lookup.Dispose();
        _metrics.Dispose();
        _stopOrReaderGone.Dispose();
        _stop.Dispose();
        _readerGone.Dispose();
    }

    private async IAsyncEnumerable<InteractionSourceEvent> ReadEventsAsync(InteractionSourceHandlers handlers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var loop = new KafkaConsumerLoop(_options, _logger, handlers, _queue, _progress, _committer, _decoder, _poison, _stop.Token);
        _loop = loop;
        Volatile.Write(ref _running, 1);
        loop.Start();
        using var registration = cancellationToken.Register(static state => ((KafkaInteractionSource)state!).RequestStop(), this);
        try
        {
            await foreach (var sourceEvent in _queue.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
                yield return sourceEvent;
        }
        finally
        {
            // The reader is gone (done, or left early): nothing may wait for it any more.
            TryCancel(_readerGone);
            RequestStop();
            await loop.Stopped.ConfigureAwait(false);
        }
    }

    private void RequestStop() => TryCancel(_stop);

    private static void TryCancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed after the source stopped: nothing left to cancel.
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var (partition, lag) in _progress.Lag)
            yield return new Measurement<long>(lag, new KeyValuePair<string, object?>("topic", _topic), new KeyValuePair<string, object?>("partition", partition));
    }
}
