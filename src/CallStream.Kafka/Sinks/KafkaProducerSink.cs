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

    private readonly ProducerConfig _config;
    private readonly JsonConverter<T> _converter;
    private readonly Func<T, string> _key;
    private readonly Func<T, string> _id;
    private readonly Func<T, DateTimeOffset>? _eventTime;
    private readonly TimeSpan _deliveryTimeout;
    private readonly ILogger _logger;
    private readonly KafkaMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly HashSet<BatchDelivery> _active = [];
    private IProducer<string, byte[]>? _producer;
    private bool _producerFailed;
    private bool _disposed;

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
        var delivery = new BatchDelivery(batch.Count);
        lock (_gate)
            _active.Add(delivery);
        try
        {
            ProduceAll(producer, batch, delivery, cancellationToken, out var retry);
            while (retry is { } pending)
            {
                await Task.Delay(pending.Delay, _time, cancellationToken).ConfigureAwait(false);
                var next = TimeSpan.FromTicks(Math.Min(pending.Delay.Ticks * 2, MaxRetryDelay.Ticks));
                ProduceFrom(producer, batch, delivery, pending with { Delay = next }, cancellationToken, out retry);
            }

            delivery.AllProduced();
            await delivery.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
                _active.Remove(delivery);
        }

        var failures = delivery.Failures(batch, _id);
        _metrics.Produced(Topic, batch.Count - failures.Count);
        if (failures.Count == 0)
            return;
        _metrics.ProduceFailed(Topic, failures.Count);
        Log.DeliveryFailed(_logger, failures.Count, batch.Count, Topic, failures[0].Id, failures[0].Error, failures[0].Reason);
        throw new KafkaDeliveryException(Topic, batch.Count, failures);
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

    private void ProduceAll(IProducer<string, byte[]> producer, IReadOnlyList<T> batch, BatchDelivery delivery, CancellationToken cancellationToken, out PendingRetry? retry) =>
        ProduceFrom(producer, batch, delivery, new PendingRetry(0, FirstRetryDelay, _time.GetTimestamp()), cancellationToken, out retry);

    private void ProduceFrom(IProducer<string, byte[]> producer, IReadOnlyList<T> batch, BatchDelivery delivery, PendingRetry from, CancellationToken cancellationToken, out PendingRetry? retry)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var options = CallStreamJsonContext.Default.Options;
        var delay = from.Delay;
        for (int i = from.Index; i < batch.Count; i++)
        {
            var item = batch[i];
            var value = delivery.Values[i];
            if (value is null)
            {
                buffer.ResetWrittenCount();
                writer.Reset(buffer);
                _converter.Write(writer, item, options);
                writer.Flush();
                value = delivery.Values[i] = buffer.WrittenSpan.ToArray();
            }

            var message = new Message<string, byte[]>
            {
                Key = _key(item),
                Value = value,
                Timestamp = _eventTime is null ? Timestamp.Default : new Timestamp(_eventTime(item)),
            };
            try
            {
                producer.Produce(Topic, message, delivery.Handler);
                delivery.Produced();
                delay = FirstRetryDelay;
            }
            catch (ProduceException<string, byte[]> ex)
            {
                var error = ex.Error;
                if (error.IsFatal || IsPermanent(error.Code))
                {
                    delivery.Fail(i, error.Code, error.Reason);
                    if (error.IsFatal)
                    {
                        FailRest(delivery, i + 1, batch.Count, error);
                        retry = null;
                        return;
                    }

                    continue;
                }

                if (_time.GetElapsedTime(from.Started) >= _deliveryTimeout || cancellationToken.IsCancellationRequested)
                {
                    FailRest(delivery, i, batch.Count, error);
                    retry = null;
                    return;
                }

                Log.ProduceRetry(_logger, Topic, error.Code, error.Reason, delay);
                retry = new PendingRetry(i, delay, from.Started);
                return;
            }
        }

        retry = null;
    }

    private static void FailRest(BatchDelivery delivery, int from, int count, Error error)
    {
        for (int j = from; j < count; j++)
            delivery.Fail(j, error.Code, j == from ? error.Reason : "not sent: an earlier message of the batch could not be produced (" + error.Reason + ")");
    }

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
                .SetLogHandler((_, m) => Log.Librdkafka(_logger, Log.LevelOf(m.Level), m.Name, m.Facility, m.Message))
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
            Log.ClientError(_logger, producer.Name, error.Code, error.Reason);
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

    private sealed record PendingRetry(int Index, TimeSpan Delay, long Started);

    /// <summary>The messages of one batch in flight: counts outstanding delivery reports and records failures by index.</summary>
    private sealed class BatchDelivery
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(int Index, ErrorCode Code, string Reason)> _failures = [];
        private int _outstanding = 1; // released by AllProduced

        public BatchDelivery(int count)
        {
            Values = new byte[]?[count];
            Handler = OnReport;
        }

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

        public List<KafkaDeliveryFailure> Failures(IReadOnlyList<T> batch, Func<T, string> id)
        {
            lock (_failures)
            {
                _failures.Sort((a, b) => a.Index.CompareTo(b.Index));
                return [.. _failures.Select(f => new KafkaDeliveryFailure(id(batch[f.Index]), f.Code, f.Reason))];
            }
        }

        private void OnReport(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.Code != ErrorCode.NoError)
            {
                int index = Array.IndexOf(Values, report.Message.Value);
                Debug.Assert(index >= 0, "a delivery report carries the value array that was produced");
                Fail(index, report.Error.Code, report.Error.Reason);
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
