using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using CallStream.Json;
using CallStream.Kafka.Native;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// The machinery of the Kafka sinks: serialises items to JSON, produces them with an idempotent producer, and returns
/// only when the brokers acknowledged every message of the batch, or throws <see cref="KafkaDeliveryException"/>
/// naming the items that failed.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class KafkaProducerSink<T> : IDisposable
    where T : class
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan DisposeFlushTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(5);

    private readonly ProducerConfig _config;
    private readonly JsonConverter<T> _converter;
    private readonly Func<T, string> _key;
    private readonly Func<T, string> _id;
    private readonly Func<T, DateTimeOffset>? _eventTime;
    private readonly TimeSpan _deliveryTimeout;
    private readonly TimeSpan _connectTimeout;
    private readonly string _servers;
    private readonly ILogger _logger;
    private readonly KafkaMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly HashSet<DeliveryRound> _active = [];
    private IProducer<string, byte[]>? _producer;
    private bool _producerFailed;
    private bool _disposed;
    private volatile bool _reached;
    private volatile Error? _lastConnectionError;

    public KafkaProducerSink(
        KafkaSinkOptions options, string defaultTopic, JsonConverter<T> converter, Func<T, string> key, Func<T, string> id,
        Func<T, DateTimeOffset> eventTime, ILogger logger, KafkaMetrics metrics, TimeProvider time)
    {
        options.Validate();
        Topic = options.Topic ?? defaultTopic;
        _config = options.BuildProducerConfig();
        _converter = converter;
        _key = key;
        _id = id;
        _eventTime = options.MessageTimestamp == KafkaMessageTimestamp.EventTime ? eventTime : null;
        _deliveryTimeout = options.DeliveryTimeout;
        _connectTimeout = options.ConnectTimeout;
        _servers = _config.BootstrapServers;
        _logger = logger;
        _metrics = metrics;
        _time = time;
    }

    public string Topic { get; }

    public async ValueTask WriteBatchAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        for (int i = 0; i < batch.Count; i++)
        {
            if (batch[i] is null)
                throw new ArgumentException($"The batch holds null at index {i}.", nameof(batch));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (batch.Count == 0)
            return;

        var producer = GetProducer();
        if (!_reached)
            await EnsureReachableAsync(producer, cancellationToken).ConfigureAwait(false);
        var values = new byte[]?[batch.Count];
        var failures = new List<(int Index, ErrorCode Code, string Reason)>();
        long started = _time.GetTimestamp();
        List<int>? indices = null; // null: the whole batch
        var delay = FirstRetryDelay;
        while (true)
        {
            var round = new DeliveryRound(values, failures);
            lock (_gate)
                _active.Add(round);
            try
            {
                await ProduceRoundAsync(producer, batch, indices, round, started, cancellationToken).ConfigureAwait(false);
                round.AllProduced();
                await round.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                    _active.Remove(round);
            }

            // Messages refused for a topic-level reason were not written: send them again once the topic's metadata is fresh.
            var again = round.TakeRetries();
            if (again.Count == 0)
                break;
            if (_time.GetElapsedTime(started) >= _deliveryTimeout)
            {
                failures.AddRange(again);
                break;
            }

            Log.ProduceRetry(_logger, Topic, again[0].Code, again[0].Reason, delay);
            await RefreshMetadataAsync(producer, started, cancellationToken).ConfigureAwait(false);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = Double(delay);
            indices = [.. again.Select(r => r.Index).Order()];
        }

        var failed = failures.OrderBy(f => f.Index).Select(f => new KafkaDeliveryFailure(_id(batch[f.Index]), f.Code, f.Reason)).ToList();
        _metrics.Produced(Topic, batch.Count - failed.Count);
        if (failed.Count == 0)
            return;
        _metrics.ProduceFailed(Topic, failed.Count);
        Log.DeliveryFailed(_logger, failed.Count, batch.Count, Topic, failed[0].Id, failed[0].Error, failed[0].Reason);
        throw new KafkaDeliveryException(Topic, batch.Count, failed);
    }

    public void Dispose()
    {
        IProducer<string, byte[]>? producer;
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            producer = _producer;
            _producer = null;
        }

        if (producer is null)
            return;
        try
        {
            producer.Flush(DisposeFlushTimeout);
        }
        catch (KafkaException ex)
        {
            Log.ClientError(_logger, producer.Name, ex.Error.Code, ex.Error.Reason);
        }

        producer.Dispose();
        lock (_gate)
        {
            foreach (var delivery in _active)
                delivery.Abandon(new ObjectDisposedException(GetType().Name, "The Kafka sink was disposed while a batch was being written."));
            _active.Clear();
        }
    }

    /// <summary>
    /// Waits until a broker answers before the first batch is handed to the producer: librdkafka would otherwise keep the
    /// messages of an unreachable cluster queued for the whole <see cref="KafkaSinkOptions.DeliveryTimeout"/>.
    /// </summary>
    /// <exception cref="KafkaException">No broker answered within <see cref="KafkaClientOptions.ConnectTimeout"/>.</exception>
    private async Task EnsureReachableAsync(IProducer<string, byte[]> producer, CancellationToken cancellationToken)
    {
        bool reached = await Task.Run(() => BrokerReachability.WaitForBroker(producer, Topic, _connectTimeout, cancellationToken) is not null, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (!reached)
            throw BrokerReachability.Unreachable(_servers, _connectTimeout, _lastConnectionError);
        _reached = true;
    }

    /// <summary>Hands the messages of a round to the producer; waits and retries when it refuses one for a passing reason.</summary>
    private async Task ProduceRoundAsync(IProducer<string, byte[]> producer, IReadOnlyList<T> batch, List<int>? indices, DeliveryRound round, long started, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var options = CallStreamJsonContext.Default.Options;
        var delay = FirstRetryDelay;
        int count = indices?.Count ?? batch.Count;
        for (int k = 0; k < count; k++)
        {
            int index = indices is null ? k : indices[k];
            var item = batch[index];
            if (round.Values[index] is not { } value)
            {
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                _converter.Write(writer, item, options);
                writer.Flush();
                value = round.Values[index] = buffer.WrittenSpan.ToArray();
            }

            var message = new Message<string, byte[]>
            {
                Key = _key(item),
                Value = value,
                Timestamp = _eventTime is null ? Timestamp.Default : new Timestamp(_eventTime(item)),
            };
            while (true)
            {
                try
                {
                    producer.Produce(Topic, message, round.Handler);
                    round.Produced();
                    delay = FirstRetryDelay;
                    break;
                }
                catch (ProduceException<string, byte[]> ex)
                {
                    var error = ex.Error;
                    if (!error.IsFatal && IsPermanent(error.Code))
                    {
                        round.Fail(index, error.Code, error.Reason);
                        break;
                    }

                    if (error.IsFatal || _time.GetElapsedTime(started) >= _deliveryTimeout || cancellationToken.IsCancellationRequested)
                    {
                        // Nothing more of the batch can go out: the producer is broken, or the time is up.
                        for (int rest = k; rest < count; rest++)
                        {
                            int i = indices is null ? rest : indices[rest];
                            round.Fail(i, error.Code, rest == k ? error.Reason : "not sent: an earlier message of the batch could not be produced (" + error.Reason + ")");
                        }

                        return;
                    }

                    Log.ProduceRetry(_logger, Topic, error.Code, error.Reason, delay);
                    if (IsTopicError(error.Code))
                        await RefreshMetadataAsync(producer, started, cancellationToken).ConfigureAwait(false);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    delay = Double(delay);
                }
            }
        }
    }

    private static TimeSpan Double(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));

    /// <summary>
    /// Asks the brokers for the topic's metadata through the producer's own handle. librdkafka remembers a topic error
    /// (for example <see cref="ErrorCode.TopicAuthorizationFailed"/>) and refuses to produce to the topic until its next
    /// metadata refresh, which by default comes only every 5 minutes.
    /// </summary>
    private async Task RefreshMetadataAsync(IProducer<string, byte[]> producer, long started, CancellationToken cancellationToken)
    {
        var remaining = _deliveryTimeout - _time.GetElapsedTime(started);
        var timeout = remaining < MetadataTimeout ? remaining : MetadataTimeout;
        if (timeout <= TimeSpan.Zero)
            return;
        await Task.Run(() =>
        {
            try
            {
                using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
                admin.GetMetadata(Topic, timeout);
            }
            catch (KafkaException ex)
            {
                Log.ClientError(_logger, producer.Name, ex.Error.Code, ex.Error.Reason);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Errors that librdkafka keeps reporting for a topic until it refreshes the topic's metadata.</summary>
    private static bool IsTopicError(ErrorCode code) => code is ErrorCode.TopicAuthorizationFailed or ErrorCode.Local_UnknownTopic
        or ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownPartition or ErrorCode.LeaderNotAvailable or ErrorCode.TopicException;

    /// <summary>Errors that retrying the same message cannot cure.</summary>
    private static bool IsPermanent(ErrorCode code) => code is ErrorCode.MsgSizeTooLarge
        or ErrorCode.Local_BadMsg or ErrorCode.Local_InvalidArg or ErrorCode.RecordListTooLarge
        or ErrorCode.InvalidRecord or ErrorCode.Local_Fatal;

    private IProducer<string, byte[]> GetProducer()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_producer is { } existing && !_producerFailed)
                return existing;
            var old = _producer;
            _producer = null;
            _producerFailed = false;
            old?.Dispose();

            KafkaNative.EnsureLoaded();
            var producer = new ProducerBuilder<string, byte[]>(_config)
                .SetLogHandler((_, m) => Log.Librdkafka(_logger, m))
                .SetErrorHandler(OnError)
                .Build();
            Log.ProducerCreated(_logger, Topic, KafkaConfigRedactor.Redact(_config));
            _producer = producer;
            return producer;
        }
    }

    private void OnError(IProducer<string, byte[]> producer, Error error)
    {
        if (!error.IsFatal)
        {
            if (BrokerReachability.IsConnectionError(error))
                _lastConnectionError = error;
            Log.ClientError(_logger, producer.Name, error.Code, BrokerReachability.Describe(error.Reason));
            return;
        }

        // A fatal error (for example a broken idempotence sequence) makes the producer unusable: the batch in flight
        // fails through its delivery reports, and the next batch gets a new producer.
        Log.FatalError(_logger, producer.Name, error.Code, error.Reason);
        lock (_gate)
        {
            if (ReferenceEquals(producer, _producer))
                _producerFailed = true;
        }
    }

    /// <summary>
    /// One round of sends of a batch: counts outstanding delivery reports, and sorts the failures into those that are
    /// final and those a topic-level refusal caused (the broker did not write the message), which are sent again.
    /// </summary>
    private sealed class DeliveryRound
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(int Index, ErrorCode Code, string Reason)> _failures;
        private readonly List<(int Index, ErrorCode Code, string Reason)> _retries = [];
        private int _outstanding = 1; // released by AllProduced

        public DeliveryRound(byte[]?[] values, List<(int Index, ErrorCode Code, string Reason)> failures)
        {
            Values = values;
            _failures = failures;
            Handler = OnReport;
        }

        /// <summary>Gets the serialised values of the whole batch, by index; a delivery report carries the very array produced.</summary>
        public byte[]?[] Values { get; }

        public Action<DeliveryReport<string, byte[]>> Handler { get; }

        public Task Completion => _done.Task;

        public void Produced() => Interlocked.Increment(ref _outstanding);

        public void AllProduced() => Release();

        public void Fail(int index, ErrorCode code, string reason)
        {
            lock (_failures)
                _failures.Add((index, code, reason));
        }

        public void Abandon(Exception reason) => _done.TrySetException(reason);

        public List<(int Index, ErrorCode Code, string Reason)> TakeRetries()
        {
            lock (_retries)
                return [.. _retries];
        }

        private void OnReport(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.Code != ErrorCode.NoError)
            {
                int index = Array.IndexOf(Values, report.Message.Value);
                Debug.Assert(index >= 0, "a delivery report carries the value array that was produced");
                if (report.Status == PersistenceStatus.NotPersisted && IsTopicError(report.Error.Code))
                {
                    lock (_retries)
                        _retries.Add((index, report.Error.Code, report.Error.Reason));
                }
                else
                {
                    Fail(index, report.Error.Code, report.Error.Reason);
                }
            }

            Release();
        }

        private void Release()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
                _done.TrySetResult();
        }
    }
}
