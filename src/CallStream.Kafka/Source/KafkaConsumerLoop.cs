using CallStream.Kafka.Native;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// The consumer's life on its own thread: creates it, fails fast when no broker answers, subscribes, polls until a
/// stop (handing records to the <see cref="RecordDecoder"/>, partition hand-overs to the <see cref="PartitionHandover"/>,
/// stores to the <see cref="OffsetCommitter"/>), then closes it (revoking and committing) and ends the event stream,
/// with the failure that stopped it, if any.
/// </summary>
internal sealed class KafkaConsumerLoop
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private const int StoreCheckEvery = 32;

    private readonly KafkaSourceOptions _options;
    private readonly string _topic;
    private readonly ILogger _logger;
    private readonly SourceEventQueue _queue;
    private readonly PartitionProgress _progress;
    private readonly OffsetCommitter _committer;
    private readonly RecordDecoder _decoder;
    private readonly IPoisonRecordHandler _poison;
    private readonly PartitionHandover _handover;
    private readonly CancellationToken _stop;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private IConsumer<Ignore, Interaction>? _consumer;
    private int _sinceStoreCheck;
    private volatile string? _statistics;
    private volatile Error? _fatal;
    private volatile Error? _lastConnectionError;

    public KafkaConsumerLoop(
        KafkaSourceOptions options,
        ILogger logger,
        InteractionSourceHandlers handlers,
        SourceEventQueue queue,
        PartitionProgress progress,
        OffsetCommitter committer,
        RecordDecoder decoder,
        IPoisonRecordHandler poison,
        CancellationToken stop)
    {
        _options = options;
        _topic = options.Topic;
        _logger = logger;
        _queue = queue;
        _progress = progress;
        _committer = committer;
        _decoder = decoder;
        _poison = poison;
        _stop = stop;
        _handover = new PartitionHandover(options, logger, handlers, queue, progress, committer, poison);
        queue.WhileWaiting = () =>
        {
            if (_consumer is { } consumer)
                _committer.Apply(consumer, force: false);
        };
    }

    /// <summary>Gets a task that completes when the consumer is closed and the stream ended.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Starts the consume thread.</summary>
    public void Start() => new Thread(Run) { IsBackground = true, Name = $"callstream-kafka-{_topic}" }.Start();

    private void Run()
    {
        Exception? failure = null;
        try
        {
            KafkaNative.EnsureLoaded();
            var config = _options.BuildConsumerConfig();
            _consumer = new ConsumerBuilder<Ignore, Interaction>(config)
                .SetValueDeserializer(_options.ReadsRepartitionTopic
                    ? new RepartitionDeserializer(new InteractionDeserializer(_options.MaxMessageBytes))
                    : new InteractionDeserializer(_options.MaxMessageBytes))
                .SetLogHandler((_, m) => Log.Librdkafka(_logger, m))
                .SetErrorHandler(OnError)
                .SetStatisticsHandler((_, json) => _statistics = json)
                .SetPartitionsAssignedHandler(_handover.OnAssigned)
                .SetPartitionsRevokedHandler(_handover.OnRevoked)
                .SetPartitionsLostHandler(_handover.OnLost)
                .SetOffsetsCommittedHandler((_, committed) => _committer.Committed(committed))
                .Build();
            Log.ConsumerCreated(_logger, _topic, _options.GroupId, KafkaConfigRedactor.Redact(config));
            // librdkafka retries an unreachable cluster for ever: a wrong address must fail, not wait in silence.
            var metadata = BrokerReachability.WaitForBroker(_consumer, _topic, _options.ConnectTimeout, _stop, ServeCallbacks);
            if (metadata is null && !_stop.IsCancellationRequested)
                throw BrokerReachability.Unreachable(config.BootstrapServers, _options.ConnectTimeout, _lastConnectionError);
            if (metadata?.Topics.FirstOrDefault(t => t.Topic == _topic) is { } topic && (topic.Error.IsError || topic.Partitions.Count == 0))
            {
                // The group assigns nothing until the topic exists (librdkafka then rejoins by itself).
                Log.TopicMissing(_logger, _topic, topic.Error.Reason);
                _progress.AssignedNone = true;
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
            _decoder.ReportConsumed();
            Log.SourceStopped(_logger, _topic, _decoder.Consumed, _decoder.DeadLettered, _decoder.Skipped);
        }
        finally
        {
            _queue.Complete(failure);
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
            if (_poison.Failure is { } poisonFailure)
                throw poisonFailure;
            if (_committer.Failure is { } progressFailure)
                throw progressFailure;
            ProcessStatistics(consumer);
            // While records flow (a batch is being filled), look at the clock for due stores only every few records.
            if (!_queue.Filling || ++_sinceStoreCheck >= StoreCheckEvery)
            {
                _sinceStoreCheck = 0;
                _committer.Apply(consumer, force: false);
            }

            ConsumeResult<Ignore, Interaction>? result;
            try
            {
                // While a batch is being filled, take only what the client has fetched; hand the batch over before waiting.
                result = consumer.Consume(_queue.Filling ? TimeSpan.Zero : PollTimeout);
            }
            catch (ConsumeException ex) when (ex.Error.Code == ErrorCode.Local_ValueDeserialization && ex.InnerException is PoisonRecordException poison)
            {
                _decoder.OnPoisonRecord(ex.ConsumerRecord, poison);
                continue;
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                Log.ConsumeError(_logger, _topic, ex.Error.Code, ex.Error.Reason);
                continue;
            }

            if (result is null)
            {
                _queue.Flush();
                continue;
            }
            if (result.IsPartitionEOF)
                _progress.EndReached(result.Partition.Value, result.Offset.Value);
            else
                _decoder.OnRecord(result);
        }
    }

    private void ProcessStatistics(IConsumer<Ignore, Interaction> consumer)
    {
        string? json = _statistics;
        if (json is null)
            return;
        _statistics = null;
        _decoder.ReportConsumed();
        ConsumerStatistics statistics;
        try
        {
            statistics = ConsumerStatistics.Parse(json, _topic);
        }
        catch (System.Text.Json.JsonException)
        {
            return;
        }

        _progress.Update(consumer, statistics);
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
                {
                    _handover.Closing = true;
                    consumer.Close();
                }
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
            _committer.Dispose();
            _poison.Dispose();
        }
#pragma warning disable CA1031 // reported through the stream
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure ??= ex;
        }

        return failure ?? _poison.Failure;
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
}
