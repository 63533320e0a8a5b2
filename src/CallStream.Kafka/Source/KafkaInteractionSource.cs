using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CallStream.Kafka.Native;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallStream.Kafka;

/// <summary>
/// Reads interactions from a Kafka topic as a member of a consumer group, at least once: offsets are stored only when
/// the pipeline says the records before them are durable (<see cref="StoreOffset"/>) and committed in the background,
/// on revocation and on stop. Records that are not valid interactions go to a dead-letter topic and the partition
/// moves on. A partition is reported caught up only when the consumer has read up to the end the broker reported.
/// </summary>
/// <remarks>
/// <para>The consumer runs on a thread of its own, started when the events are first enumerated (no I/O before), and reads up to
/// <see cref="KafkaSourceOptions.EventQueueCapacity"/> events ahead of the reader. Handlers run on that thread.</para>
/// <para>All members are thread-safe. A source is read once; dispose it when done.</para>
/// </remarks>
public sealed class KafkaInteractionSource : IInteractionSource
{
    private const int ConsumedReportEvery = 1024;
    private const int MaxBatchSize = 256;
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WriteWaitSlice = TimeSpan.FromMilliseconds(50);
    private static readonly long StoreIntervalTicks = Stopwatch.Frequency / 200; // 5 ms
    private const int StoreCheckEvery = 32;

    private readonly KafkaSourceOptions _options;
    private readonly ILogger _logger;
    private readonly KafkaMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly string _topic;
    private readonly Channel<Item> _events;
    private readonly int _batchSize;
    private readonly OffsetStore _offsets = new();
    private readonly DeadLetterPublisher _deadLetters;
    private readonly TimestampOffsetLookup _lookup;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _readerGone = new();
    private readonly CancellationTokenSource _stopOrReaderGone;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, long> _revokedAtEpoch = new();
    private volatile bool _anyRevoked; // checked per record instead of _revokedAtEpoch.IsEmpty, which takes every lock of an empty dictionary
    private readonly ConcurrentDictionary<int, bool> _owned = new();
    private int _started;
    private int _running;
    private int _disposed;
    private long _consumed;
    private long _deadLettered;
    private volatile IReadOnlyDictionary<int, long> _lag = new Dictionary<int, long>();

    // Consume thread only.
    private readonly Dictionary<int, PartitionState> _partitions = [];
    private InteractionSourceHandlers _handlers = new();
    private IConsumer<Ignore, Interaction>? _consumer;
    private long _epoch;
    private long _lastStoreTicks;
    private int _sinceStoreCheck;
    private int _consumedUnreported;
    private InteractionSourceEvent[]? _batch;
    private int _batchCount;
    private volatile string? _statistics;
    private volatile Error? _fatal;
    private volatile Error? _lastConnectionError;
    private volatile bool _assignedNone;

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
        _time = timeProvider ?? TimeProvider.System;
        _metrics = new KafkaMetrics(meterFactory);
        _metrics.ObserveLag(ObserveLag);
        // Records travel to the reader in batches (one queue item, one wake-up per batch); the queue holds about
        // EventQueueCapacity events in all.
        _batchSize = Math.Clamp(_options.EventQueueCapacity / 4, 1, MaxBatchSize);
        _events = System.Threading.Channels.Channel.CreateBounded<Item>(new BoundedChannelOptions(Math.Max(1, _options.EventQueueCapacity / _batchSize))
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _deadLetters = new DeadLetterPublisher(_options, _logger, _metrics, _time);
        _lookup = new TimestampOffsetLookup(_options, _logger);
        _stopOrReaderGone = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _readerGone.Token);
    }

    /// <summary>Gets the topic read.</summary>
    public string Topic => _topic;

    /// <summary>Gets the consumer group.</summary>
    public string GroupId => _options.GroupId;

    /// <summary>Gets the topic records that are not valid interactions are published to.</summary>
    public string DeadLetterTopic => _options.ResolvedDeadLetterTopic;

    /// <summary>Gets how many valid interactions were read so far.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Gets how many records were published to the dead-letter topic so far.</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Gets whether the source has no partition to read: the consumer group's latest assignment gave it none
    /// (more members than partitions, for example), or the topic did not exist when the source started and no assignment
    /// came since; <see langword="false"/> before the first assignment and during a rebalance.</summary>
    public bool AssignedNone => _assignedNone;

    /// <summary>Gets the partitions currently assigned to this source.</summary>
    public IReadOnlyCollection<int> AssignedPartitions => [.. _owned.Keys.Order()];

    /// <summary>Gets, per assigned partition, how many records lie between the source's position and the partition's end,
    /// as of the latest client statistics (empty when <see cref="KafkaSourceOptions.StatisticsInterval"/> is zero).</summary>
    public IReadOnlyDictionary<int, long> Lag => _lag;

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The source is already being read, or was read before.</exception>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    /// <exception cref="KafkaException">The consumer failed for good (a fatal client error, or a dead letter that could not be published).</exception>
    public IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("A KafkaInteractionSource is read once; create another source to read again.");
        _handlers = handlers ?? new InteractionSourceHandlers();
        return ReadEventsAsync(cancellationToken);
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
        if (Volatile.Read(ref _running) != 0)
            await _stopped.Task.ConfigureAwait(false);
        _lookup.Dispose();
        _metrics.Dispose();
        _stopOrReaderGone.Dispose();
        _stop.Dispose();
        _readerGone.Dispose();
    }

    private async IAsyncEnumerable<InteractionSourceEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Volatile.Write(ref _running, 1);
        new Thread(Run) { IsBackground = true, Name = $"callstream-kafka-{_topic}" }.Start();
        using var registration = cancellationToken.Register(static state => ((KafkaInteractionSource)state!).RequestStop(), this);
        var reader = _events.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
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
        finally
        {
            // The reader is gone (done, or left early): nothing may wait for it any more.
            TryCancel(_readerGone);
            RequestStop();
            await _stopped.Task.ConfigureAwait(false);
        }
    }

    private bool IsStale(in InteractionSourceEvent sourceEvent, long epoch) =>
        sourceEvent.Kind is InteractionSourceEventKind.Record or InteractionSourceEventKind.DeadLettered
        && _anyRevoked
        && _revokedAtEpoch.TryGetValue(sourceEvent.Partition, out long revokedAt)
        && epoch < revokedAt;

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

    private void Run()
    {
        Exception? failure = null;
        try
        {
            KafkaNative.EnsureLoaded();
            var config = _options.BuildConsumerConfig();
            _consumer = new ConsumerBuilder<Ignore, Interaction>(config)
                .SetValueDeserializer(new InteractionDeserializer(_options.MaxMessageBytes))
                .SetLogHandler((_, m) => Log.Librdkafka(_logger, m))
                .SetErrorHandler(OnError)
                .SetStatisticsHandler((_, json) => _statistics = json)
                .SetPartitionsAssignedHandler(OnAssigned)
                .SetPartitionsRevokedHandler(OnRevoked)
                .SetPartitionsLostHandler(OnLost)
                .Build();
            Log.ConsumerCreated(_logger, _topic, _options.GroupId, KafkaConfigRedactor.Redact(config));
            // librdkafka retries an unreachable cluster for ever: a wrong address must fail, not wait in silence.
            var metadata = BrokerReachability.WaitForBroker(_consumer, _topic, _options.ConnectTimeout, _stop.Token, ServeCallbacks);
            if (metadata is null && !_stop.IsCancellationRequested)
                throw BrokerReachability.Unreachable(config.BootstrapServers, _options.ConnectTimeout, _lastConnectionError);
            if (metadata?.Topics.FirstOrDefault(t => t.Topic == _topic) is { } topic && (topic.Error.IsError || topic.Partitions.Count == 0))
            {
                // The group assigns nothing until the topic exists (librdkafka then rejoins by itself).
                Log.TopicMissing(_logger, _topic, topic.Error.Reason);
                _assignedNone = true;
            }
            if (!_stop.IsCancellationRequested)
            {
                _consumer.Subscribe(_topic);
                ConsumeLoop(_consumer);
            }
        }
#pragma warning disable CA1031 // any failure of the loop ends the stream with that exception
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        try
        {
            failure = Close(failure);
            ReportConsumed();
            Log.SourceStopped(_logger, _topic, Consumed, DeadLettered);
        }
        finally
        {
            _events.Writer.TryComplete(failure);
            _stopped.TrySetResult();
        }
    }

    /// <summary>Polls the consumer before it subscribes, only so that it reports its errors (nothing can be read yet).</summary>
    private void ServeCallbacks()
    {
        try
        {
            _consumer?.Consume(TimeSpan.Zero);
        }
        catch (ConsumeException)
        {
            // Reported through the error callback as well.
        }
    }

    private void ConsumeLoop(IConsumer<Ignore, Interaction> consumer)
    {
        while (!_stop.IsCancellationRequested)
        {
            if (_fatal is { } fatal)
                throw new KafkaException(fatal);
            if (_deadLetters.Failure is { } deadLetterFailure)
                throw deadLetterFailure;
            ProcessStatistics(consumer);
            // While records flow (a batch is being filled), look at the clock for due stores only every few records.
            if (_batchCount == 0 || ++_sinceStoreCheck >= StoreCheckEvery)
            {
                _sinceStoreCheck = 0;
                ApplyStores(consumer, force: false);
            }

            ConsumeResult<Ignore, Interaction>? result;
            try
            {
                // While a batch is being filled, take only what the client has fetched; hand the batch over before waiting.
                result = consumer.Consume(_batchCount > 0 ? TimeSpan.Zero : PollTimeout);
            }
            catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.Local_ValueDeserialization && ex.InnerException is PoisonRecordException poison)
            {
                DeadLetter(ex.ConsumerRecord, poison);
                continue;
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                Log.ConsumeError(_logger, _topic, ex.Error.Code, ex.Error.Reason);
                continue;
            }

            if (result is null)
            {
                FlushBatch();
                continue;
            }
            if (result.IsPartitionEOF)
                OnEndOfPartition(result.Partition.Value, result.Offset.Value);
            else
                OnRecord(result);
        }
    }

    private void OnRecord(ConsumeResult<Ignore, Interaction> result)
    {
        int partition = result.Partition.Value;
        long offset = result.Offset.Value;
        var state = StateOf(partition);
        if (state.CaughtUp)
        {
            state.CaughtUp = false;
            Emit(InteractionSourceEvent.PartitionActive(partition, "new records arrived"));
        }

        state.Position = offset + 1;
        state.RecheckEnd = false;
        AddToBatch(InteractionSourceEvent.Record(partition, offset, DateTimeOffset.FromUnixTimeMilliseconds(result.Message.Timestamp.UnixTimestampMs), result.Message.Value));
        Volatile.Write(ref _consumed, _consumed + 1); // the consume thread only
        if (++_consumedUnreported >= ConsumedReportEvery)
            ReportConsumed();
    }

    private void DeadLetter(ConsumeResult<byte[], byte[]> record, PoisonRecordException poison)
    {
        int partition = record.Partition.Value;
        long offset = record.Offset.Value;
        var state = StateOf(partition);
        if (state.CaughtUp)
        {
            state.CaughtUp = false;
            Emit(InteractionSourceEvent.PartitionActive(partition, "new records arrived"));
        }

        state.Position = offset + 1;
        state.RecheckEnd = false;
        if (offset < state.Committed || _deadLetters.IsPublished(partition, offset))
        {
            // Below the group's committed offset (a warm-up re-read), the commit passed this record only after its dead
            // letter was acknowledged; after it, an earlier run's dead letter was found in the dead-letter topic.
            Log.DeadLetterKnown(_logger, _topic, partition, offset, state.Committed);
        }
        else
        {
            _deadLetters.Publish(record, poison);
            Interlocked.Increment(ref _deadLettered);
        }

        var timestamp = record.Message.Timestamp.Type == TimestampType.NotAvailable ? default : DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs);
        Emit(InteractionSourceEvent.DeadLettered(partition, offset, timestamp, poison.Kind + ": " + poison.Message));
    }

    private void OnEndOfPartition(int partition, long offset)
    {
        var state = StateOf(partition);
        state.Position = offset;
        if (state.CaughtUp)
            return;
        state.CaughtUp = true;
        state.RecheckEnd = false;
        Log.PartitionCaughtUp(_logger, _topic, partition, offset);
        Emit(InteractionSourceEvent.PartitionCaughtUp(partition, offset));
    }

    /// <summary>
    /// Turns a caught-up partition active again when its leader becomes unreachable (the source can no longer tell that
    /// nothing new arrived), and caught up again once the leader is back and the broker confirms the partition's end.
    /// </summary>
    private void ProcessStatistics(IConsumer<Ignore, Interaction> consumer)
    {
        string? json = _statistics;
        if (json is null)
            return;
        _statistics = null;
        ReportConsumed();
        ConsumerStatistics statistics;
        try
        {
            statistics = ConsumerStatistics.Parse(json, _topic);
        }
        catch (System.Text.Json.JsonException)
        {
            return;
        }

        var lag = new Dictionary<int, long>();
        foreach (var (partition, state) in _partitions)
        {
            if (!statistics.Partitions.TryGetValue(partition, out var stats))
                continue;
            if (stats.HighWatermark >= 0 && state.Position >= 0)
                lag[partition] = Math.Max(0, stats.HighWatermark - state.Position);

            if (!stats.LeaderReachable)
            {
                if (state.CaughtUp)
                {
                    state.CaughtUp = false;
                    state.RecheckEnd = true;
                    string reason = stats.Leader >= 0 ? $"its leader (broker {stats.Leader}) is unreachable" : "it has no reachable leader";
                    Log.PartitionActive(_logger, _topic, partition, reason);
                    Emit(InteractionSourceEvent.PartitionActive(partition, reason));
                }

                continue;
            }

            if (state.RecheckEnd && !state.CaughtUp && state.Position >= 0)
                RecheckEnd(consumer, partition, state);
        }

        _lag = lag;
    }

    private void RecheckEnd(IConsumer<Ignore, Interaction> consumer, int partition, PartitionState state)
    {
        WatermarkOffsets ends;
        try
        {
            ends = consumer.QueryWatermarkOffsets(new TopicPartition(_topic, partition), _options.RequestTimeout);
        }
        catch (KafkaException)
        {
            return; // still not reachable enough; the next statistics try again
        }

        if (ends.High.Value > state.Position)
        {
            state.RecheckEnd = false; // more to read: the end-of-partition event will follow the records
            return;
        }

        state.CaughtUp = true;
        state.RecheckEnd = false;
        Log.PartitionCaughtUp(_logger, _topic, partition, ends.High.Value);
        Emit(InteractionSourceEvent.PartitionCaughtUp(partition, ends.High.Value));
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<Ignore, Interaction> consumer, List<TopicPartition> assigned)
    {
        FlushBatch();
        var partitions = assigned.Select(tp => tp.Partition.Value).ToList();
        var committed = ReadCommitted(consumer, assigned);
        _deadLetters.LoadPublished(committed);
        IReadOnlyDictionary<int, long>? starts = null;
        if (_handlers.OnAssigned is { } onAssigned)
        {
            var list = partitions.Select(p => new AssignedPartition(p, committed[p])).ToList();
            starts = RunHandler(nameof(InteractionSourceHandlers.OnAssigned), token => onAssigned(list, token), default(IReadOnlyDictionary<int, long>));
        }

        var result = new List<TopicPartitionOffset>(assigned.Count);
        foreach (var tp in assigned)
        {
            int partition = tp.Partition.Value;
            long committedOffset = committed[partition];
            long start = starts is not null && starts.TryGetValue(partition, out long chosen) && chosen >= 0 ? chosen : committedOffset;
            result.Add(new TopicPartitionOffset(tp, starts is not null && starts.ContainsKey(partition) && start >= 0 ? new Offset(start) : Offset.Unset));
            _partitions[partition] = new PartitionState { Position = start, Committed = committedOffset };
            _offsets.Assigned(partition, committedOffset);
            _owned[partition] = true;
            Emit(InteractionSourceEvent.PartitionAssigned(partition, start, committedOffset), closing: true);
        }

        Log.PartitionsAssigned(_logger, _topic, string.Join(",", result.Select(r => $"{r.Partition.Value}@{r.Offset}")));
        _assignedNone = _owned.IsEmpty;
        return result;
    }

    private Dictionary<int, long> ReadCommitted(IConsumer<Ignore, Interaction> consumer, List<TopicPartition> assigned)
    {
        var committed = assigned.ToDictionary(tp => tp.Partition.Value, _ => -1L);
        try
        {
            foreach (var tpo in consumer.Committed(assigned, _options.RequestTimeout))
            {
                if (tpo.Offset.Value >= 0)
                    committed[tpo.Partition.Value] = tpo.Offset.Value;
            }
        }
        catch (KafkaException ex)
        {
            Log.CommittedUnknown(_logger, _topic, ex.Error.Reason);
        }

        return committed;
    }

    private void OnRevoked(IConsumer<Ignore, Interaction> consumer, List<TopicPartitionOffset> revoked)
    {
        _assignedNone = false;
        FlushBatch(); // read before the revocation: the reader drops those of the revoked partitions
        var partitions = revoked.Select(tpo => tpo.Partition.Value).ToList();
        long epoch = ++_epoch;
        foreach (int partition in partitions)
            _revokedAtEpoch[partition] = epoch; // queued records of these partitions are dropped from now on
        _anyRevoked = true;

        var clock = Stopwatch.StartNew();
        if (_handlers.OnRevoking is { } onRevoking)
            RunHandler(nameof(InteractionSourceHandlers.OnRevoking), async token => { await onRevoking(partitions, token).ConfigureAwait(false); return true; }, false);

        // Dead letters of these partitions must be durable before offsets move past them.
        if (_deadLetters.AnyPending(partitions))
            _deadLetters.Flush(_options.HandlerTimeout - clock.Elapsed);
        ApplyStores(consumer, force: true);

        var commits = new List<TopicPartitionOffset>();
        foreach (int partition in partitions)
        {
            if (_offsets.TryGetStored(partition, out long offset))
                commits.Add(new TopicPartitionOffset(_topic, partition, offset));
        }

        if (commits.Count > 0)
        {
            try
            {
                consumer.Commit(commits);
            }
            catch (KafkaException ex)
            {
                Log.CommitFailed(_logger, _topic, ex.Error.Code, ex.Error.Reason);
            }
        }

        Release(partitions);
        Log.PartitionsRevoked(_logger, _topic, string.Join(",", partitions), commits.Count == 0 ? "nothing" : string.Join(",", commits.Select(c => $"{c.Partition.Value}@{c.Offset.Value}")));
        foreach (int partition in partitions)
            Emit(InteractionSourceEvent.PartitionRevoked(partition), closing: true);
    }

    private void OnLost(IConsumer<Ignore, Interaction> consumer, List<TopicPartitionOffset> lost)
    {
        _assignedNone = false;
        FlushBatch();
        var partitions = lost.Select(tpo => tpo.Partition.Value).ToList();
        long epoch = ++_epoch;
        foreach (int partition in partitions)
            _revokedAtEpoch[partition] = epoch;
        _anyRevoked = true;
        Release(partitions);
        Log.PartitionsLost(_logger, _topic, string.Join(",", partitions));
        foreach (int partition in partitions)
            Emit(InteractionSourceEvent.PartitionLost(partition), closing: true);
    }

    private void Release(List<int> partitions)
    {
        foreach (int partition in partitions)
        {
            _owned.TryRemove(partition, out _);
            _partitions.Remove(partition);
        }

        _offsets.Forget(partitions);
        _deadLetters.Forget(partitions);
    }

    private void ApplyStores(IConsumer<Ignore, Interaction> consumer, bool force)
    {
        bool acknowledged = _deadLetters.TakeAcknowledged();
        if (!force && !_offsets.Dirty && !acknowledged)
            return;
        long now = Stopwatch.GetTimestamp();
        if (!force && !acknowledged && now - _lastStoreTicks < StoreIntervalTicks)
            return;
        _lastStoreTicks = now;

        var skipped = new List<(int Partition, long Offset)>();
        foreach (var (partition, offset) in _offsets.TakeStores(p => _owned.ContainsKey(p), _deadLetters.FirstPending, skipped))
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(_topic, partition, offset));
                _offsets.Stored(partition, offset);
            }
            catch (KafkaException ex)
            {
                Log.StoreSkipped(_logger, offset, _topic, partition, ex.Error.Reason);
            }
        }

        foreach (var (partition, offset) in skipped)
            Log.StoreSkipped(_logger, offset, _topic, partition, "the partition is not assigned to this source");
    }

    private T RunHandler<T>(string name, Func<CancellationToken, ValueTask<T>> handler, T fallback)
    {
        using var timeout = new CancellationTokenSource(_options.HandlerTimeout);
        try
        {
            var task = handler(timeout.Token).AsTask();
            if (task.Wait(_options.HandlerTimeout))
                return task.Result;
            Log.HandlerTimedOut(_logger, name, _options.HandlerTimeout);
        }
        catch (AggregateException ex)
        {
            Log.HandlerFailed(_logger, ex.InnerException ?? ex, name);
        }
#pragma warning disable CA1031 // a handler may throw anything synchronously; the hand-over goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, ex, name);
        }

        return fallback;
    }

    /// <summary>Closes the consumer: its partitions are revoked (handler, stores, commit), then it leaves the group.</summary>
    private Exception? Close(Exception? failure)
    {
        var consumer = _consumer;
        if (consumer is not null)
        {
            try
            {
                if (_fatal is null)
                    consumer.Close();
            }
#pragma warning disable CA1031 // whatever closing throws (also from the revocation it runs) ends the stream with it
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failure ??= ex;
            }
            finally
            {
                consumer.Dispose();
            }
        }

        try
        {
            _deadLetters.Dispose();
        }
#pragma warning disable CA1031 // reported through the stream
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure ??= ex;
        }

        return failure ?? _deadLetters.Failure;
    }

    private void OnError(IConsumer<Ignore, Interaction> consumer, Error error)
    {
        if (error.IsFatal)
        {
            Log.FatalError(_logger, consumer.Name, error.Code, error.Reason);
            _fatal = error;
        }
        else
        {
            if (BrokerReachability.IsConnectionError(error))
                _lastConnectionError = error;
            Log.ClientError(_logger, consumer.Name, error.Code, BrokerReachability.Describe(error.Reason));
        }
    }

    private PartitionState StateOf(int partition)
    {
        if (!_partitions.TryGetValue(partition, out var state))
            _partitions[partition] = state = new PartitionState();
        return state;
    }

    /// <summary>Queues an event for the reader; waits while the queue is full (applying stores meanwhile).</summary>
    /// <param name="sourceEvent">The event.</param>
    /// <param name="closing">Whether to keep waiting after a stop was requested (partition events); records are dropped
    /// instead, to be read again after the restart.</param>
    private void Emit(InteractionSourceEvent sourceEvent, bool closing = false)
    {
        FlushBatch(); // events of a partition stay in order
        Write(new Item(sourceEvent, null, 0, _epoch), closing);
    }

    /// <summary>Adds a record to the batch being filled; a full batch is queued for the reader.</summary>
    private void AddToBatch(in InteractionSourceEvent sourceEvent)
    {
        if (_batchSize == 1)
        {
            Emit(sourceEvent);
            return;
        }
        _batch ??= ArrayPool<InteractionSourceEvent>.Shared.Rent(_batchSize);
        _batch[_batchCount++] = sourceEvent;
        if (_batchCount >= _batchSize)
            FlushBatch();
    }

    /// <summary>Queues the records batched so far (dropped, like single records, when a stop is requested while the queue is full).</summary>
    private void FlushBatch()
    {
        if (_batchCount == 0)
            return;
        var item = new Item(default, _batch, _batchCount, _epoch);
        _batch = null;
        _batchCount = 0;
        Write(item, closing: false);
    }

    private void Write(in Item item, bool closing)
    {
        var writer = _events.Writer;
        if (writer.TryWrite(item))
            return;
        var token = closing ? _readerGone.Token : _stopOrReaderGone.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var wait = writer.WaitToWriteAsync(token).AsTask();
                if (!wait.Wait(WriteWaitSlice))
                {
                    if (_consumer is { } consumer)
                        ApplyStores(consumer, force: false);
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

    private void ReportConsumed()
    {
        if (_consumedUnreported == 0)
            return;
        _metrics.Consumed(_topic, _consumedUnreported);
        _consumedUnreported = 0;
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var (partition, lag) in _lag)
            yield return new Measurement<long>(lag, new KeyValuePair<string, object?>("topic", _topic), new KeyValuePair<string, object?>("partition", partition));
    }

    /// <summary>A queued event, or a batch of records (a pooled array, returned by the reader), and the revocation epoch at which it was read.</summary>
    private readonly record struct Item(InteractionSourceEvent Event, InteractionSourceEvent[]? Batch, int Count, long Epoch);

    /// <summary>What the consume thread knows about an assigned partition.</summary>
    private sealed class PartitionState
    {
        /// <summary>The next offset to read, or -1 when not known yet.</summary>
        public long Position { get; set; } = -1;

        /// <summary>The group's committed offset when the partition was assigned, or -1.</summary>
        public long Committed { get; init; } = -1;

        /// <summary>Whether everything up to the end the broker reported has been read.</summary>
        public bool CaughtUp { get; set; }

        /// <summary>Whether the partition was caught up when its leader became unreachable, so its end must be confirmed
        /// again once the leader is back (no end-of-partition event comes when nothing new arrived).</summary>
        public bool RecheckEnd { get; set; }
    }
}
