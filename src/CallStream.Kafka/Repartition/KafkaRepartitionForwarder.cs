using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;
using CallStream.Kafka.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallStream.Kafka;

/// <summary>
/// Forwards the records of a source topic to its repartition topics (<see cref="RepartitionTopics"/>), re-keyed by the
/// field each part's rules are grouped by, followed by progress markers, so that a consumer of a repartition topic
/// gets every event of each group it owns and can tell how far every source partition has been read.
/// </summary>
/// <remarks>
/// <para>
/// It runs as its own consumer group (<see cref="RepartitionTopics.ForwarderGroupId"/>) beside the consumers of the
/// source topic; every member forwards the source partitions it is assigned. Each forwarded record keeps the source
/// value's bytes, gets the event's value of the field as its key and the event time as its timestamp, and names its
/// source partition and offset in a header. After the records of a source partition, at most every
/// <see cref="MarkerInterval"/> and whenever the partition is read to its end, a progress marker goes to every
/// partition of every repartition topic through the same idempotent producer, so it never overtakes the records it
/// covers.
/// </para>
/// <para>
/// A source offset is committed only after the brokers acknowledged every record forwarded from before it. A crash in
/// between forwards records again: readers of the repartition topics drop a record whose source offset they already
/// delivered (<see cref="KafkaRepartitionSource.CopiesDropped"/>). Records that are not valid interactions are skipped here: the
/// source topic's own consumers dead-letter them.
/// </para>
/// </remarks>
public sealed class KafkaRepartitionForwarder : IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);
    private const int MaxBatch = 2048;

    private readonly KafkaSourceOptions _source;
    private readonly IReadOnlyList<string> _parts;
    private readonly bool _endTime;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<Error> _deliveryErrors = new();
    private readonly Dictionary<int, SourcePartitionState> _partitions = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _topicsReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RepartitionTarget[] _targets = [];
    private int _sourcePartitionCount;
    private IProducer<byte[]?, byte[]>? _producer;
    private Task? _running;
    private long _forwarded;
    private long _skipped;
    private long _markers;
    private int[] _assigned = [];
    private volatile bool _caughtUp;
    private bool _closing;

    /// <summary>Creates a forwarder.</summary>
    /// <param name="source">The source topic's consumer options: connection, topic and the group id the repartition topics are named after.</param>
    /// <param name="parts">The parts to forward to: the fields rules are grouped by (<c>agent_id</c>, <c>attributes.region</c>) or <see cref="RepartitionTopics.All"/>.</param>
    /// <param name="eventTimeIsEnd">Whether an event's time is its end (start time + duration) rather than its start time, as the readers' ordering has it.</param>
    /// <param name="loggerFactory">Logging, or <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for <see cref="MarkerInterval"/>, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">No parts, a part that is not a field, or invalid options.</exception>
    public KafkaRepartitionForwarder(KafkaSourceOptions source, IReadOnlyList<string> parts, bool eventTimeIsEnd = false, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(parts);
        source.Validate();
        if (parts.Count == 0)
            throw new ArgumentException("Give at least one part to forward to.", nameof(parts));
        foreach (string part in parts)
        {
            if (part != RepartitionTopics.All)
                RepartitionKey.For(part);
            RepartitionTopics.Name(source.GroupId, part);
        }
        _source = source;
        _parts = parts;
        _endTime = eventTimeIsEnd;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KafkaRepartitionForwarder>();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets or sets how often at most a progress marker is written per source partition while records flow. Default 100 ms.</summary>
    public TimeSpan MarkerInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets how often a progress marker repeats that a source partition read to its end still is, while nothing arrives. Default 1 s.</summary>
    public TimeSpan CaughtUpMarkerInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the source records forwarded and acknowledged (each once, whatever the number of parts).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Gets the source records skipped because they are not valid interactions.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Gets the source partitions this member of the forwarders' group is assigned now.</summary>
    public IReadOnlyCollection<int> AssignedPartitions => Volatile.Read(ref _assigned);

    /// <summary>Gets the progress markers written (one per repartition partition reached).</summary>
    public long Markers => Interlocked.Read(ref _markers);

    /// <summary>Gets the source topic's partition count (the channels of each repartition partition), known once <see cref="TopicsReady"/> completed; 0 before.</summary>
    public int SourcePartitions => Volatile.Read(ref _sourcePartitionCount);

    /// <summary>
    /// Gets whether every source partition this member is assigned has been read to its end, forwarded, acknowledged
    /// and committed (also when it is assigned none): with the source's other consumers caught up too, the
    /// repartition topics hold everything written to the source so far.
    /// </summary>
    internal bool CaughtUp => _caughtUp;

    /// <summary>
    /// Gets a task that completes once the repartition topics exist (created with the source topic's partition count
    /// when missing), or fails with the run. Start the readers of the repartition topics after it: a consumer that
    /// subscribes to a topic before it exists may have it auto-created with the broker's default partition count.
    /// </summary>
    public Task TopicsReady => _topicsReady.Task;

    /// <summary>Starts forwarding on a thread of its own; the task ends when <paramref name="cancellationToken"/> is cancelled (after a last flush and commit) or fails.</summary>
    /// <param name="cancellationToken">Stops the forwarder.</param>
    /// <returns>The run.</returns>
    /// <exception cref="InvalidOperationException">The forwarder was started before.</exception>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (_running is not null)
            throw new InvalidOperationException("The forwarder runs once.");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.Register(() => _stop.Cancel());
        new Thread(() =>
        {
            try
            {
                Run();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                _topicsReady.TrySetException(ex);
                done.TrySetException(ex);
            }
            finally
            {
                registration.Dispose();
            }
        }) { IsBackground = true, Name = "callstream-forwarder" }.Start();
        _running = done.Task;
        return _running;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_running is { } running)
            await running.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _stop.Dispose();
    }

    private void Run()
    {
        KafkaNative.EnsureLoaded();
        var producerConfig = _source.BuildDeadLetterConfig();
        producerConfig.ClientId = "callstream-forwarder";
        // Every event is written once more per part: LZ4 keeps that traffic (and the brokers' disk) a fraction of the
        // source's JSON at little CPU. A compression.type among the dead-letter settings still wins.
        if (!_source.DeadLetterSettings.ContainsKey("compression.type"))
            producerConfig.CompressionType = CompressionType.Lz4;
        Error? lastConnectionError = null;
        using var producer = new ProducerBuilder<byte[]?, byte[]>(producerConfig)
            .SetLogHandler((_, m) => Log.Librdkafka(_logger, m))
            .SetErrorHandler((_, e) =>
            {
                if (BrokerReachability.IsConnectionError(e))
                    Volatile.Write(ref lastConnectionError, e);
            })
            .Build();
        _producer = producer;
        var (sourcePartitions, targets) = RepartitionTopicSetup.Prepare(producer, _source, _parts, () => Volatile.Read(ref lastConnectionError), _logger, _stop.Token);
        Volatile.Write(ref _sourcePartitionCount, sourcePartitions);
        _targets = targets;
        _topicsReady.TrySetResult();

        var consumerConfig = _source.BuildConsumerConfig();
        consumerConfig.GroupId = RepartitionTopics.ForwarderGroupId(_source.GroupId);
        consumerConfig.ClientId = "callstream-forwarder";
        consumerConfig.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(consumerConfig)
            .SetLogHandler((_, m) => Log.Librdkafka(_logger, m))
            .SetPartitionsAssignedHandler((c, assigned) => Volatile.Write(ref _assigned, [.. c.Assignment.Concat(assigned).Select(tp => tp.Partition.Value).Distinct().Order()]))
            .SetPartitionsRevokedHandler((c, revoked) =>
            {
                OnRevoked(c, revoked);
                var gone = revoked.Select(r => r.Partition.Value).ToHashSet();
                Volatile.Write(ref _assigned, [.. _assigned.Where(p => !gone.Contains(p))]);
            })
            .SetPartitionsLostHandler((_, lost) =>
            {
                foreach (var tp in lost)
                    _partitions.Remove(tp.Partition.Value);
                var gone = lost.Select(l => l.Partition.Value).ToHashSet();
                Volatile.Write(ref _assigned, [.. _assigned.Where(p => !gone.Contains(p))]);
            })
            .Build();
        var deserializer = new InteractionDeserializer(_source.MaxMessageBytes);
        consumer.Subscribe(_source.Topic);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                bool any = false;
                for (int n = 0; n < MaxBatch; n++)
                {
                    ConsumeResult<Ignore, byte[]>? result;
                    try
                    {
                        result = consumer.Consume(n == 0 ? PollTimeout : TimeSpan.Zero);
                    }
                    catch (ConsumeException ex) when (!ex.Error.IsFatal)
                    {
                        // A failed fetch (a broker timing out, a leader moving): the client fetches again.
                        Log.ClientError(_logger, consumer.Name, ex.Error.Code, ex.Error.Reason);
                        break;
                    }
                    if (result is null)
                        break;
                    any = true;
                    Forward(result, deserializer);
                }
                RepeatCaughtUpMarkers();
                if (any || _partitions.Values.Any(p => p.MarkerDue))
                    FlushAndCommit(consumer, all: false);
                _caughtUp = Volatile.Read(ref _assigned).All(p => _partitions.TryGetValue(p, out var state) && state.CaughtUp && state.Committed >= state.Next);
            }
            FlushAndCommit(consumer, all: true);
        }
        finally
        {
            // The last commit was made above: the revocation Close runs commits nothing more (a synchronous commit from
            // a closing consumer's rebalance callback can wait forever under broker faults).
            _closing = true;
            consumer.Close();
        }
    }

    private void Forward(ConsumeResult<Ignore, byte[]> result, InteractionDeserializer deserializer)
    {
        int partition = result.Partition.Value;
        if (!_partitions.TryGetValue(partition, out var state))
            _partitions[partition] = state = new SourcePartitionState();
        if (result.IsPartitionEOF)
        {
            if (!state.CaughtUp)
            {
                state.CaughtUp = true;
                state.MarkerDue = true;
                state.MarkerNow = true;
            }
            return;
        }
        state.CaughtUp = false;
        state.Next = result.Offset.Value + 1;
        var value = result.Message.Value;
        Interaction interaction;
        try
        {
            interaction = deserializer.Deserialize(value, value is null, SerializationContext.Empty);
        }
        catch (PoisonRecordException)
        {
            Interlocked.Increment(ref _skipped);
            return;
        }
        var eventTime = _endTime ? new DateTimeOffset(InteractionEnd.Ticks(interaction), TimeSpan.Zero) : interaction.StartTime;
        if (eventTime > state.Newest)
            state.Newest = eventTime;
        state.MarkerDue = true;
        var headers = new Headers { { RepartitionHeaders.Source, RepartitionHeaders.EncodeSource(partition, result.Offset.Value) } };
        var timestamp = new Timestamp(eventTime);
        foreach (var target in _targets)
        {
            var message = new Message<byte[]?, byte[]>
            {
                Key = target.Key is { } key ? Encoding.UTF8.GetBytes(key(interaction)) : null,
                Value = value!,
                Timestamp = timestamp,
                Headers = headers,
            };
            if (target.Key is null)
                Produce(new TopicPartition(target.Topic, 0), message);
            else
                Produce(target.Topic, message);
        }
        state.Forwarded++;
    }

    /// <summary>
    /// Says again, every <see cref="CaughtUpMarkerInterval"/>, that a caught-up partition still is: a reader that starts
    /// (or takes a repartition partition over) trusts only markers written after it reached that partition's end, since
    /// older ones may come from a forwarder that is gone, so without this an idle source partition would hold its
    /// watermark until a record arrives.
    /// </summary>
    private void RepeatCaughtUpMarkers()
    {
        long now = _time.GetTimestamp();
        foreach (var state in _partitions.Values)
        {
            if (state.CaughtUp && !state.MarkerDue && _time.GetElapsedTime(state.LastMarker, now) >= CaughtUpMarkerInterval)
            {
                state.MarkerDue = true;
                state.MarkerNow = true;
            }
        }
    }

    private void WriteMarkers(bool all)
    {
        long now = _time.GetTimestamp();
        foreach (var (partition, state) in _partitions)
        {
            if (!state.MarkerDue || (!all && !state.MarkerNow && _time.GetElapsedTime(state.LastMarker, now) < MarkerInterval))
                continue;
            var marker = new ProgressMarker(partition, _sourcePartitionCount, state.Newest, state.CaughtUp);
            var headers = new Headers { { RepartitionHeaders.Progress, RepartitionHeaders.EncodeProgress(marker) } };
            var timestamp = new Timestamp(state.Newest == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : state.Newest);
            foreach (var target in _targets)
            {
                for (int r = 0; r < target.Partitions; r++)
                {
                    Produce(new TopicPartition(target.Topic, r), new Message<byte[]?, byte[]> { Key = null, Value = [], Timestamp = timestamp, Headers = headers });
                    Interlocked.Increment(ref _markers);
                }
            }
            state.MarkerDue = false;
            state.MarkerNow = false;
            state.LastMarker = now;
        }
    }

    private void Produce(string topic, Message<byte[]?, byte[]> message) =>
        ProduceWithRetry(() => _producer!.Produce(topic, message, OnDelivered));

    private void Produce(TopicPartition partition, Message<byte[]?, byte[]> message) =>
        ProduceWithRetry(() => _producer!.Produce(partition, message, OnDelivered));

    private void ProduceWithRetry(Action produce)
    {
        while (true)
        {
            try
            {
                produce();
                return;
            }
            catch (ProduceException<byte[]?, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                _producer!.Poll(TimeSpan.FromMilliseconds(50)); // the local queue is full: let deliveries drain it
            }
        }
    }

    private void OnDelivered(DeliveryReport<byte[]?, byte[]> report)
    {
        if (report.Error.IsError)
            _deliveryErrors.Enqueue(report.Error);
    }

    /// <summary>Writes due markers, waits until the brokers acknowledged everything produced, then commits the source positions forwarded.</summary>
    private void FlushAndCommit(IConsumer<Ignore, byte[]> consumer, bool all, IReadOnlyCollection<int>? only = null)
    {
        WriteMarkers(all);
        var producer = _producer!;
        while (producer.Flush(TimeSpan.FromMilliseconds(500)) > 0)
        {
            if (_stop.IsCancellationRequested && all)
                break;
        }
        if (_deliveryErrors.TryDequeue(out var error))
            throw new KafkaException(new Error(error.Code, $"A record could not be forwarded to a repartition topic: {error.Reason}. Its source offset is not committed; a restart forwards it again."));
        var offsets = new List<TopicPartitionOffset>();
        long forwarded = 0;
        foreach (var (partition, state) in _partitions)
        {
            forwarded += state.Forwarded;
            state.Forwarded = 0;
            if (state.Next > state.Committed && (only is null || only.Contains(partition)))
                offsets.Add(new TopicPartitionOffset(_source.Topic, partition, state.Next));
        }
        Interlocked.Add(ref _forwarded, forwarded);
        if (offsets.Count == 0)
            return;
        try
        {
            consumer.Commit(offsets);
            foreach (var offset in offsets)
            {
                if (_partitions.TryGetValue(offset.Partition.Value, out var state))
                    state.Committed = offset.Offset.Value;
            }
        }
        catch (KafkaException ex)
        {
            // A rebalance or a coordinator move: the next batch commits again, and if the partition moves meanwhile its
            // new owner forwards the uncommitted records again (readers drop them as duplicates).
            Log.ClientError(_logger, consumer.Name, ex.Error.Code, ex.Error.Reason);
        }
    }

    private void OnRevoked(IConsumer<Ignore, byte[]> consumer, List<TopicPartitionOffset> revoked)
    {
        var partitions = revoked.Select(r => r.Partition.Value).ToList();
        try
        {
            if (!_closing)
                FlushAndCommit(consumer, all: true, partitions);
        }
        catch (KafkaException ex)
        {
            Log.ClientError(_logger, consumer.Name, ex.Error.Code, ex.Error.Reason);
        }
        foreach (int partition in partitions)
            _partitions.Remove(partition);
    }

    private sealed class SourcePartitionState
    {
        public DateTimeOffset Newest { get; set; } = DateTimeOffset.MinValue;

        public long Next { get; set; } = -1;

        public long Committed { get; set; } = -1;

        public long Forwarded { get; set; }

        public bool CaughtUp { get; set; }

        public bool MarkerDue { get; set; }

        public bool MarkerNow { get; set; }

        public long LastMarker { get; set; }
    }
}
