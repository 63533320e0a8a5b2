using System.Globalization;
using System.Text;
using CallStream.Kafka.Native;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Publishes records that are not valid interactions to the dead-letter topic, and remembers which are not yet
/// acknowledged so that no offset is stored past a record whose dead letter is not durable. A dead letter that finally
/// fails stops the source (<see cref="Failure"/>): skipping the record would lose it.
/// </summary>
/// <remarks>The <see cref="PoisonRecordPolicy.DeadLetter"/> policy. Called on the consume thread; delivery reports arrive on
/// the producer's thread.</remarks>
internal sealed class DeadLetterPublisher(KafkaSourceOptions options, ILogger logger, KafkaMetrics metrics, TimeProvider time) : IPoisonRecordHandler
{
    private static readonly TimeSpan DisposeFlushTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How many of the latest messages of each partition of the dead-letter topic <see cref="Assigned"/> reads.</summary>
    internal const int Lookback = 10_000;

    private readonly string _topic = options.Topic;
    private readonly string _deadLetterTopic = options.ResolvedDeadLetterTopic;
    private readonly string _groupId = options.GroupId;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, SortedSet<long>> _pending = [];
    private IProducer<byte[]?, byte[]?>? _producer;
    private IConsumer<Ignore, Ignore>? _reader;
    private readonly Dictionary<int, HashSet<long>> _published = []; // consume thread only
    private volatile bool _acknowledged;
    private Exception? _failure;

    /// <summary>Gets the first dead letter that could not be published, which makes the source stop.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Publishes a record that is not a valid interaction, unless an earlier run of the group did.</summary>
    public PoisonOutcome Handle(ConsumeResult<byte[], byte[]> record, PoisonRecordException error)
    {
        int partition = record.Partition.Value;
        long offset = record.Offset.Value;
        if (IsPublished(partition, offset))
            return PoisonOutcome.HandledBefore;
        Log.DeadLettering(logger, _topic, partition, offset, error.Kind, error.Message, _deadLetterTopic);
        var message = BuildMessage(record, error, partition, offset);

        lock (_lock)
        {
            if (!_pending.TryGetValue(partition, out var offsets))
                _pending[partition] = offsets = [];
            offsets.Add(offset);
        }

        var producer = GetProducer();
        while (true)
        {
            try
            {
                producer.Produce(_deadLetterTopic, message, report => OnDelivered(partition, offset, error.Kind, report));
                return PoisonOutcome.DeadLettered;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Flush(TimeSpan.FromMilliseconds(100));
            }
            catch (ProduceException<byte[]?, byte[]?> ex)
            {
                Fail(partition, offset, ex.Error);
                return PoisonOutcome.DeadLettered;
            }
        }
    }

    /// <summary>Gets the lowest offset of a partition whose dead letter is not acknowledged yet.</summary>
    public long? FirstUnsettled(int partition)
    {
        lock (_lock)
            return _pending.TryGetValue(partition, out var offsets) && offsets.Count > 0 ? offsets.Min : null;
    }

    /// <summary>Tells (once) whether dead letters were acknowledged since the last call, so held-back offsets can be stored.</summary>
    public bool TakeSettled()
    {
        if (!_acknowledged)
            return false;
        _acknowledged = false;
        return true;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the dead letters in flight, when any of the partitions has one.</summary>
    public void Settle(IReadOnlyCollection<int> partitions, TimeSpan timeout)
    {
        bool pending;
        lock (_lock)
            pending = partitions.Any(p => _pending.TryGetValue(p, out var offsets) && offsets.Count > 0);
        if (pending && _producer is { } producer && timeout > TimeSpan.Zero)
            producer.Flush(timeout);
    }

    /// <summary>Stops tracking partitions that are no longer owned.</summary>
    public void Forget(IEnumerable<int> partitions)
    {
        lock (_lock)
        {
            foreach (int partition in partitions)
            {
                _pending.Remove(partition);
                _published.Remove(partition);
            }
        }
    }

    /// <summary>Tells whether an earlier run of the group dead-lettered this record (as read back by <see cref="Assigned"/>).</summary>
    private bool IsPublished(int partition, long offset) => _published.TryGetValue(partition, out var offsets) && offsets.Contains(offset);

    /// <summary>
    /// Reads back from the dead-letter topic which records of newly assigned partitions, at or after their committed
    /// offsets, the group dead-lettered before: an earlier run that stopped or failed before committing past them. The
    /// latest <see cref="Lookback"/> messages of each partition of the dead-letter topic are read, within
    /// <see cref="KafkaSourceOptions.RequestTimeout"/>.
    /// </summary>
    /// <param name="committed">The committed offset of each newly assigned partition (-1 when none).</param>
    public void Assigned(IReadOnlyDictionary<int, long> committed)
    {
        if (committed.Count == 0)
            return;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var timeout = options.RequestTimeout;
        try
        {
            var reader = GetReader();
            Metadata metadata;
            using (var admin = new DependentAdminClientBuilder(reader.Handle).Build())
                metadata = admin.GetMetadata(_deadLetterTopic, timeout);
            var topic = metadata.Topics.FirstOrDefault(t => t.Topic == _deadLetterTopic);
            if (topic is null || topic.Error.IsError || topic.Partitions.Count == 0)
                return; // no dead-letter topic yet: nothing was dead-lettered
            var starts = new List<TopicPartitionOffset>();
            var ends = new Dictionary<int, long>();
            foreach (var partition in topic.Partitions)
            {
                var watermarks = reader.QueryWatermarkOffsets(new TopicPartition(_deadLetterTopic, partition.PartitionId), timeout);
                if (watermarks.High.Value <= watermarks.Low.Value)
                    continue;
                starts.Add(new TopicPartitionOffset(_deadLetterTopic, partition.PartitionId, Math.Max(watermarks.Low.Value, watermarks.High.Value - Lookback)));
                ends[partition.PartitionId] = watermarks.High.Value;
            }

            if (starts.Count == 0)
                return;
            reader.Assign(starts);
            try
            {
                int found = 0;
                while (ends.Count > 0 && clock.Elapsed < timeout)
                {
                    var result = reader.Consume(TimeSpan.FromMilliseconds(100));
                    if (result is null)
                        continue;
                    int dlqPartition = result.Partition.Value;
                    if (!result.IsPartitionEOF && IsOurs(result.Message.Headers, committed, out int partition, out long offset))
                    {
                        if (!_published.TryGetValue(partition, out var offsets))
                            _published[partition] = offsets = [];
                        if (offsets.Add(offset))
                            found++;
                    }

                    if (ends.TryGetValue(dlqPartition, out long end) && (result.IsPartitionEOF || result.Offset.Value >= end - 1))
                        ends.Remove(dlqPartition);
                }

                if (ends.Count > 0)
                    Log.DeadLettersUnread(logger, _deadLetterTopic, timeout);
                else if (found > 0)
                    Log.DeadLettersFound(logger, found, _deadLetterTopic, _topic);
            }
            finally
            {
                reader.Unassign();
            }
        }
        catch (KafkaException ex)
        {
            Log.DeadLettersUnknown(logger, _deadLetterTopic, ex.Error.Reason);
        }
    }

    private bool IsOurs(Headers? headers, IReadOnlyDictionary<int, long> committed, out int partition, out long offset)
    {
        partition = -1;
        offset = -1;
        return headers is not null
            && Header(headers, DeadLetterHeaders.Topic) == _topic
            && Header(headers, DeadLetterHeaders.ConsumerGroup) == _groupId
            && int.TryParse(Header(headers, DeadLetterHeaders.Partition), NumberStyles.None, CultureInfo.InvariantCulture, out partition)
            && long.TryParse(Header(headers, DeadLetterHeaders.Offset), NumberStyles.None, CultureInfo.InvariantCulture, out offset)
            && committed.TryGetValue(partition, out long from)
            && offset >= from;
    }

    private static string? Header(Headers headers, string name) =>
        headers.TryGetLastBytes(name, out byte[] bytes) ? Encoding.UTF8.GetString(bytes) : null;

    private IConsumer<Ignore, Ignore> GetReader()
    {
        if (_reader is { } existing)
            return existing;
        var config = options.BuildLookupConfig();
        config.ClientId = "callstream-dead-letter-reader";
        config.ConsumeResultFields = "headers";
        config.AllowAutoCreateTopics = false;
        _reader = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, m))
            .SetErrorHandler((c, e) => Log.ClientError(logger, c.Name, e.Code, BrokerReachability.Describe(e.Reason)))
            .Build();
        return _reader;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
        if (_producer is not { } producer)
            return;
        producer.Flush(DisposeFlushTimeout);
        producer.Dispose();
        _producer = null;
    }

    private Message<byte[]?, byte[]?> BuildMessage(ConsumeResult<byte[], byte[]> record, PoisonRecordException error, int partition, long offset)
    {
        byte[]? value = record.Message.Value;
        var headers = new Headers
        {
            { DeadLetterHeaders.Topic, Encoding.UTF8.GetBytes(_topic) },
            { DeadLetterHeaders.Partition, Encoding.UTF8.GetBytes(partition.ToString(CultureInfo.InvariantCulture)) },
            { DeadLetterHeaders.Offset, Encoding.UTF8.GetBytes(offset.ToString(CultureInfo.InvariantCulture)) },
            { DeadLetterHeaders.ConsumerGroup, Encoding.UTF8.GetBytes(_groupId) },
            { DeadLetterHeaders.Error, Encoding.UTF8.GetBytes(error.Kind) },
            { DeadLetterHeaders.Reason, Encoding.UTF8.GetBytes(error.Message) },
            { DeadLetterHeaders.DeadLetteredAt, Encoding.UTF8.GetBytes(Iso8601.Format(time.GetUtcNow())) },
        };
        if (record.Message.Timestamp.Type != TimestampType.NotAvailable)
            headers.Add(DeadLetterHeaders.Timestamp, Encoding.UTF8.GetBytes(Iso8601.Format(DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs))));
        if (error.Field is { } field)
            headers.Add(DeadLetterHeaders.Field, Encoding.UTF8.GetBytes(field));
        if (error.Value is { } offending)
            headers.Add(DeadLetterHeaders.Value, Encoding.UTF8.GetBytes(offending));
        if (error.Kind == DeadLetterHeaders.ErrorTooLarge && value is not null)
        {
            headers.Add(DeadLetterHeaders.OriginalSize, Encoding.UTF8.GetBytes(value.Length.ToString(CultureInfo.InvariantCulture)));
            value = value[..Math.Min(value.Length, DeadLetterHeaders.TruncatedValueBytes)];
        }

        return new Message<byte[]?, byte[]?> { Key = record.Message.Key, Value = value, Headers = headers, Timestamp = record.Message.Timestamp.Type == TimestampType.NotAvailable ? Timestamp.Default : record.Message.Timestamp };
    }

    private IProducer<byte[]?, byte[]?> GetProducer()
    {
        if (_producer is { } existing)
            return existing;
        KafkaNative.EnsureLoaded();
        var config = options.BuildDeadLetterConfig();
        _producer = new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, m))
            .SetErrorHandler(ProducerErrors.Handler<byte[]?, byte[]?>(logger, e => Interlocked.CompareExchange(ref _failure, e, null)))
            .Build();
        Log.ProducerCreated(logger, _deadLetterTopic, KafkaConfigRedactor.Redact(config));
        return _producer;
    }

    private void OnDelivered(int partition, long offset, string kind, DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.Code != ErrorCode.NoError)
        {
            Fail(partition, offset, report.Error);
            return;
        }

        lock (_lock)
        {
            if (_pending.TryGetValue(partition, out var offsets))
                offsets.Remove(offset);
        }

        metrics.DeadLettered(_topic, kind);
        _acknowledged = true;
    }

    private void Fail(int partition, long offset, Error error)
    {
        Log.DeadLetterFailed(logger, _topic, partition, offset, _deadLetterTopic, error.Code, error.Reason);
        Interlocked.CompareExchange(ref _failure, new KafkaException(new Error(error.Code,
            $"Record {_topic}[{partition}]@{offset} could not be published to the dead-letter topic '{_deadLetterTopic}': {error.Reason}. The source stopped so that the record is not skipped.")), null);
    }
}
