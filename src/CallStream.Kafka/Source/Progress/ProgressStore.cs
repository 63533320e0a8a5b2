using System.Diagnostics;
using CallStream.Kafka.Native;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Keeps the event-time position of the group's commits beside them, in a compacted topic
/// (<see cref="KafkaSourceOptions.ResolvedProgressTopic"/>) keyed <c>topic/partition</c>: Confluent.Kafka cannot attach
/// metadata to an offset commit. Writes are acknowledged before the offsets they describe are stored for commit
/// (<see cref="OffsetCommitter"/>); on assignment the latest record of each partition is read back.
/// </summary>
/// <remarks>Writes happen on the consume thread, acknowledgements arrive on the producer's thread.</remarks>
internal sealed class ProgressStore(KafkaSourceOptions options, ILogger logger) : IDisposable
{

    private readonly string _topic = options.Topic;
    private readonly string _progressTopic = options.ResolvedProgressTopic;
    private IProducer<string, byte[]>? _producer;
    private IConsumer<string, byte[]>? _reader;
    private readonly Lock _producerLock = new();
    private bool _topicReady;
    private Task? _ensure;
    private Exception? _failure;

    /// <summary>Gets the progress topic.</summary>
    public string Topic => _progressTopic;

    /// <summary>Gets the first progress record that could not be written, which makes the source stop.</summary>
    public Exception? Failure => Volatile.Read(ref _failure);

    /// <summary>Gets whether the topic is known to exist, so that <see cref="Write"/> may be called; the first call starts
    /// making sure of it (created when missing) in the background, off the consume thread.</summary>
    public bool Ready
    {
        get
        {
            var ensure = Prepare();
            if (ensure.IsFaulted)
                Interlocked.CompareExchange(ref _failure, ensure.Exception!.InnerException, null);
            return ensure.IsCompletedSuccessfully;
        }
    }

    /// <summary>Starts making sure of the topic in the background, if that has not started; returns the task doing it.</summary>
    public Task Prepare()
    {
        lock (_producerLock)
            return _ensure ??= Task.Run(() => EnsureTopic(GetProducer()));
    }

    /// <summary>Waits up to <paramref name="timeout"/> for <see cref="Ready"/>.</summary>
    public bool WaitReady(TimeSpan timeout)
    {
        try
        {
            Prepare().Wait(timeout);
        }
        catch (AggregateException)
        {
            // Reported through Ready and Failure.
        }
        return Ready;
    }

    /// <summary>Writes the positions a partition's committed offset may be at (once <see cref="Ready"/>); <paramref name="acknowledged"/>
    /// runs (on the producer's thread) once the brokers have it.</summary>
    public void Write(int partition, IReadOnlyList<StoredPosition> positions, Action acknowledged)
    {
        var producer = GetProducer();
        var message = new Message<string, byte[]> { Key = ProgressRecord.Key(_topic, partition), Value = ProgressRecord.Write(_topic, partition, positions) };
        while (true)
        {
            try
            {
                producer.Produce(_progressTopic, message, report =>
                {
                    if (report.Error.IsError)
                        Fail(partition, report.Error);
                    else
                        acknowledged();
                });
                return;
            }
            catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Flush(TimeSpan.FromMilliseconds(100));
            }
            catch (ProduceException<string, byte[]> ex)
            {
                Fail(partition, ex.Error);
                return;
            }
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the writes in flight.</summary>
    public void Flush(TimeSpan timeout)
    {
        if (_producer is { } producer && timeout > TimeSpan.Zero)
            producer.Flush(timeout);
    }

    /// <summary>
    /// Reads the latest progress record of each of <paramref name="partitions"/> (the whole progress topic, within
    /// <see cref="KafkaSourceOptions.RequestTimeout"/>). A partition without one is left out; so is every partition when
    /// the topic does not exist or cannot be read (logged).
    /// </summary>
    public Dictionary<int, List<StoredPosition>> Read(IReadOnlyCollection<int> partitions)
    {
        var result = new Dictionary<int, List<StoredPosition>>();
        if (partitions.Count == 0)
            return result;
        var wanted = partitions.ToDictionary(p => ProgressRecord.Key(_topic, p), p => p, StringComparer.Ordinal);
        var timeout = options.RequestTimeout;
        var clock = Stopwatch.StartNew();
        try
        {
            var reader = GetReader();
            Metadata metadata;
            using (var admin = new DependentAdminClientBuilder(reader.Handle).Build())
                metadata = admin.GetMetadata(_progressTopic, timeout);
            var topic = metadata.Topics.FirstOrDefault(t => t.Topic == _progressTopic);
            if (topic is null || topic.Error.IsError || topic.Partitions.Count == 0)
            {
                Log.ProgressTopicMissing(logger, _progressTopic, _topic);
                return result;
            }
            lock (_producerLock)
                _ensure ??= Task.CompletedTask; // it exists: nothing to create

            var starts = new List<TopicPartitionOffset>();
            var ends = new Dictionary<int, long>();
            foreach (var partition in topic.Partitions)
            {
                var watermarks = reader.QueryWatermarkOffsets(new TopicPartition(_progressTopic, partition.PartitionId), timeout);
                if (watermarks.High.Value <= watermarks.Low.Value)
                    continue;
                starts.Add(new TopicPartitionOffset(_progressTopic, partition.PartitionId, watermarks.Low));
                ends[partition.PartitionId] = watermarks.High.Value;
            }

            if (starts.Count == 0)
                return result;
            reader.Assign(starts);
            try
            {
                while (ends.Count > 0 && clock.Elapsed < timeout)
                {
                    var record = reader.Consume(TimeSpan.FromMilliseconds(100));
                    if (record is null)
                        continue;
                    int progressPartition = record.Partition.Value;
                    if (!record.IsPartitionEOF && record.Message.Key is { } key && wanted.TryGetValue(key, out int partition))
                    {
                        // Latest wins; a tombstone or a record this version cannot read removes what came before.
                        if (ProgressRecord.TryRead(_topic, partition, record.Message.Value) is { } positions)
                            result[partition] = positions;
                        else
                            result.Remove(partition);
                    }

                    if (ends.TryGetValue(progressPartition, out long end) && (record.IsPartitionEOF || record.Offset.Value >= end - 1))
                        ends.Remove(progressPartition);
                }

                if (ends.Count > 0)
                {
                    Log.ProgressUnread(logger, _progressTopic, timeout);
                    result.Clear();
                }
            }
            finally
            {
                reader.Unassign();
            }
        }
        catch (KafkaException ex)
        {
            Log.ProgressUnknown(logger, _progressTopic, ex.Error.Reason);
            result.Clear();
        }

        return result;
    }

    public void Dispose()
    {
        try
        {
            _ensure?.Wait(options.RequestTimeout * 2);
        }
        catch (AggregateException)
        {
            // Reported through Failure.
        }
        _reader?.Dispose();
        _reader = null;
        if (_producer is { } producer)
        {
            producer.Flush(options.RequestTimeout);
            producer.Dispose();
            _producer = null;
        }
    }

    /// <summary>
    /// Makes sure the progress topic exists: created compacted, with one partition, when it does not. A cluster that
    /// refuses to create it (no permission, auto-creation off and no admin rights) stops the source with a message saying
    /// how to create it by hand.
    /// </summary>
    private void EnsureTopic(IProducer<string, byte[]> producer)
    {
        if (_topicReady)
            return;
        var timeout = options.RequestTimeout;
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        if (Exists(admin, timeout))
        {
            _topicReady = true;
            return;
        }

        var specification = new TopicSpecification
        {
            Name = _progressTopic,
            NumPartitions = 1,
            ReplicationFactor = -1, // the cluster's default
            Configs = new Dictionary<string, string>
            {
                ["cleanup.policy"] = "compact",
                ["segment.ms"] = "3600000", // let the cleaner compact within the hour: assignments read the whole topic
            },
        };
        string reason;
        try
        {
            // A cluster without a controller to ask (librdkafka's mock) makes this wait its whole timeout: keep it short.
            var createTimeout = timeout < TopicAutoCreation.CreateTimeout ? timeout : TopicAutoCreation.CreateTimeout;
            admin.CreateTopicsAsync([specification], new CreateTopicsOptions { RequestTimeout = createTimeout, OperationTimeout = createTimeout }).GetAwaiter().GetResult();
            Log.ProgressTopicCreated(logger, _progressTopic, _topic);
            _topicReady = true;
            return;
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            _topicReady = true; // another member created it first
            return;
        }
        catch (CreateTopicsException ex)
        {
            var error = ex.Results.First(r => r.Error.IsError).Error;
            reason = $"{error.Code}: {error.Reason}";
            if (error.Code == ErrorCode.Local_TimedOut || !TopicAutoCreation.MayNotBeOffered(error.Code))
                throw CannotCreate(reason);
        }
        catch (KafkaException ex)
        {
            reason = $"{ex.Error.Code}: {ex.Error.Reason}";
            if (!TopicAutoCreation.MayNotBeOffered(ex.Error.Code))
                throw CannotCreate(reason);
        }

        if (Exists(admin, timeout))
        {
            _topicReady = true; // created after all (the request outlived its timeout)
            return;
        }

        // A cluster that does not offer CreateTopics (librdkafka's mock cluster): ask it to create the topic on first use.
        if (TopicAutoCreation.Request(options.BuildProgressConfig(), _progressTopic, timeout, logger) == 0)
            throw CannotCreate(reason);
        Log.ProgressTopicAutoCreated(logger, _progressTopic, reason);
        _topicReady = true;
    }

    private bool Exists(IAdminClient admin, TimeSpan timeout)
    {
        var topic = admin.GetMetadata(_progressTopic, timeout).Topics.FirstOrDefault(t => t.Topic == _progressTopic);
        return topic is not null && !topic.Error.IsError && topic.Partitions.Count > 0;
    }

    private KafkaException CannotCreate(string reason) => new(new Error(ErrorCode.TopicException,
        $"The progress topic '{_progressTopic}' (the event-time position of each commit of group '{options.GroupId}', read by the warm-up after a restart) does not exist and could not be created ({reason}). " +
        "Create it as a compacted topic (cleanup.policy=compact, 1 partition), allow this client to create topics, or name another one with KafkaSourceOptions.ProgressTopic."));

    private void Fail(int partition, Error error)
    {
        Log.ProgressFailed(logger, _progressTopic, _topic, partition, error.Code, error.Reason);
        Interlocked.CompareExchange(ref _failure, new KafkaException(new Error(error.Code,
            $"The event-time position of '{_topic}'[{partition}] could not be written to the progress topic '{_progressTopic}': {error.Reason}. The source stopped: its offsets are not committed without it.")), null);
    }

    private IProducer<string, byte[]> GetProducer()
    {
        lock (_producerLock)
            return _producer ??= CreateProducer();
    }

    private IProducer<string, byte[]> CreateProducer()
    {
        KafkaNative.EnsureLoaded();
        var config = options.BuildProgressConfig();
        var producer = new ProducerBuilder<string, byte[]>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, m))
            .SetErrorHandler(ProducerErrors.Handler<string, byte[]>(logger, e => Interlocked.CompareExchange(ref _failure, e, null)))
            .Build();
        Log.ProducerCreated(logger, _progressTopic, KafkaConfigRedactor.Redact(config));
        return producer;
    }

    private IConsumer<string, byte[]> GetReader()
    {
        if (_reader is { } existing)
            return existing;
        KafkaNative.EnsureLoaded();
        var config = options.BuildLookupConfig();
        config.ClientId = "callstream-progress-reader";
        config.ConsumeResultFields = "none";
        config.AllowAutoCreateTopics = false;
        _reader = new ConsumerBuilder<string, byte[]>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, m))
            .SetErrorHandler((c, e) => Log.ClientError(logger, c.Name, e.Code, BrokerReachability.Describe(e.Reason)))
            .Build();
        return _reader;
    }
}
