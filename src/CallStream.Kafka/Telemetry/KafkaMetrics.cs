using System.Diagnostics.Metrics;

namespace CallStream.Kafka;

/// <summary>
/// The metrics of CallStream.Kafka, on the <c>CallStream</c> meter: <c>callstream.kafka.produced</c> and
/// <c>callstream.kafka.produce.failures</c> (messages acknowledged / finally failed, by <c>topic</c>),
/// <c>callstream.kafka.consumed</c> (valid interactions read, by <c>topic</c>), <c>callstream.kafka.poison_records</c>
/// (records that are not valid interactions, by <c>topic</c>, <c>reason</c> and <c>outcome</c> = <c>dead_lettered</c> or
/// <c>skipped</c>: the one count of them, the pipeline's included), and the gauge <c>callstream.kafka.consumer.lag</c>
/// (records between the consumer's position and the end of each assigned partition, by <c>topic</c> and <c>partition</c>).
/// </summary>
internal sealed class KafkaMetrics : IDisposable
{
    public const string MeterName = "CallStream";

    private readonly Meter? _ownedMeter;
    private readonly Meter _meter;
    private readonly Counter<long> _produced;
    private readonly Counter<long> _produceFailures;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _poisonRecords;

    public KafkaMetrics(IMeterFactory? meterFactory)
    {
        _meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        _produced = _meter.CreateCounter<long>("callstream.kafka.produced", "{message}", "Messages the Kafka sinks produced and the brokers acknowledged.");
        _produceFailures = _meter.CreateCounter<long>("callstream.kafka.produce.failures", "{message}", "Messages the Kafka sinks could not get acknowledged.");
        _consumed = _meter.CreateCounter<long>("callstream.kafka.consumed", "{message}", "Valid interactions the Kafka source read.");
        _poisonRecords = _meter.CreateCounter<long>("callstream.kafka.poison_records", "{message}", "Records that are not valid interactions the Kafka source set aside, by outcome: published to the dead-letter topic (once acknowledged) or skipped.");
    }

    public void Produced(string topic, long count)
    {
        if (count > 0)
            _produced.Add(count, new KeyValuePair<string, object?>("topic", topic));
    }

    public void ProduceFailed(string topic, long count)
    {
        if (count > 0)
            _produceFailures.Add(count, new KeyValuePair<string, object?>("topic", topic));
    }

    public void Consumed(string topic, long count) => _consumed.Add(count, new KeyValuePair<string, object?>("topic", topic));

    public void DeadLettered(string topic, string reason) => PoisonRecord(topic, reason, "dead_lettered");

    public void Skipped(string topic, string reason) => PoisonRecord(topic, reason, "skipped");

    private void PoisonRecord(string topic, string reason, string outcome) =>
        _poisonRecords.Add(1,
            new KeyValuePair<string, object?>("topic", topic),
            new KeyValuePair<string, object?>("reason", reason),
            new KeyValuePair<string, object?>("outcome", outcome));

    public void ObserveLag(Func<IEnumerable<Measurement<long>>> observe) =>
        _meter.CreateObservableGauge("callstream.kafka.consumer.lag", observe, "{message}", "Records between the Kafka source's position and the end of each assigned partition.");

    public void Dispose() => _ownedMeter?.Dispose();
}
