using System.Diagnostics.Metrics;
using CallStream.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallStream.Kafka;

/// <summary>
/// Produces interactions to a Kafka topic (<c>consumerdata</c> by default) as the UTF-8 JSON of the data contract,
/// keyed by customer id, with an idempotent producer. A write returns only when the brokers acknowledged every message
/// of the batch, and otherwise throws <see cref="KafkaDeliveryException"/> naming the interactions that failed. Added to
/// a host or a pipeline as an interaction sink, it is written to through the pipeline's buffering, retries and
/// checkpointing.
/// </summary>
/// <remarks>The producer is created on the first write (no I/O before). When a failed batch is written again, the
/// messages that had been acknowledged are produced a second time: readers must tolerate duplicates (CallStream's
/// stores are idempotent by interaction id).</remarks>
public sealed class KafkaInteractionSink : IBatchedSink<Interaction>, IDisposable, IAsyncDisposable
{
    private readonly KafkaProducerSink<Interaction> _sink;
    private readonly KafkaMetrics _metrics;

    /// <summary>Creates the sink (no I/O until the first write).</summary>
    /// <param name="options">Where and how to produce, or <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/>.</param>
    /// <param name="meterFactory">The meter factory for the <c>CallStream</c> meter, or <see langword="null"/> for a meter of its own.</param>
    /// <param name="timeProvider">The clock for retry delays, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public KafkaInteractionSink(KafkaSinkOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        _metrics = new KafkaMetrics(meterFactory);
        _sink = new KafkaProducerSink<Interaction>(
            options ?? new KafkaSinkOptions(), KafkaSinkOptions.DefaultInteractionsTopic, new InteractionJsonConverter(),
            static i => i.CustomerId, static i => i.InteractionId, static i => i.StartTime,
            (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<KafkaInteractionSink>(), _metrics, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Gets the topic the sink produces to.</summary>
    public string Topic => _sink.Topic;

    /// <summary>Produces a batch; returns when every message is acknowledged.</summary>
    /// <param name="batch">The interactions, in order (order is kept per customer id).</param>
    /// <param name="cancellationToken">Stops waiting; messages already handed to the producer may still be delivered.</param>
    /// <returns>A task that completes when the batch is acknowledged.</returns>
    /// <exception cref="ArgumentException"><paramref name="batch"/> holds <see langword="null"/>.</exception>
    /// <exception cref="KafkaDeliveryException">Some messages were not acknowledged; the exception names their interaction ids.</exception>
    /// <exception cref="Confluent.Kafka.KafkaException">No broker answered within <see cref="KafkaClientOptions.ConnectTimeout"/> before the sink\'s first write (<c>Local_AllBrokersDown</c>); nothing of the batch was sent.</exception>
    /// <exception cref="ObjectDisposedException">The sink is disposed.</exception>
    public ValueTask WriteBatchAsync(IReadOnlyList<Interaction> batch, CancellationToken cancellationToken) =>
        _sink.WriteBatchAsync(batch, cancellationToken);

    /// <summary>Waits (up to 30 seconds) for messages still in flight, then closes the producer.</summary>
    public void Dispose()
    {
        _sink.Dispose();
        _metrics.Dispose();
    }

    /// <summary>Closes the producer (see <see cref="Dispose"/>).</summary>
    /// <returns>A task that completes when the producer is closed.</returns>
    public ValueTask DisposeAsync() => new(Task.Run(Dispose));
}
