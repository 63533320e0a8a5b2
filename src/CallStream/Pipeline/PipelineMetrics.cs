using System.Diagnostics.Metrics;

namespace CallStream.Pipeline;

/// <summary>
/// The pipeline's metrics on the <c>CallStream</c> meter: <c>callstream.pipeline.records</c>,
/// <c>callstream.pipeline.dead_lettered</c>, <c>callstream.pipeline.warmup_events</c> and <c>callstream.pipeline.alerts</c>
/// (counters), <c>callstream.pipeline.held_events</c> and <c>callstream.pipeline.in_flight</c> (gauges).
/// </summary>
internal sealed class PipelineMetrics : IDisposable
{
    private const string MeterName = "CallStream";

    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _records;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _warmUp;
    private readonly Counter<long> _alerts;

    public PipelineMetrics(IMeterFactory? meterFactory, Func<int> held, Func<int> inFlight)
    {
        var meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        _records = meter.CreateCounter<long>("callstream.pipeline.records", "{record}", "Records the pipeline read at or after their committed offsets.");
        _deadLettered = meter.CreateCounter<long>("callstream.pipeline.dead_lettered", "{record}", "Records the source set aside as not valid interactions.");
        _warmUp = meter.CreateCounter<long>("callstream.pipeline.warmup_events", "{event}", "Records re-read before their committed offsets to rebuild rule state.");
        _alerts = meter.CreateCounter<long>("callstream.pipeline.alerts", "{alert}", "Alerts handed to the alert sinks.");
        meter.CreateObservableGauge("callstream.pipeline.held_events", held, "{event}", "Events waiting for the event-time watermark.");
        meter.CreateObservableGauge("callstream.pipeline.in_flight", inFlight, "{record}", "Records read whose outputs are not yet durable in every sink.");
    }

    public void Record() => _records.Add(1);

    public void Records(int count) => _records.Add(count);

    public void DeadLettered() => _deadLettered.Add(1);

    public void WarmUpEvent() => _warmUp.Add(1);

    public void Alert() => _alerts.Add(1);

    public void Dispose() => _ownedMeter?.Dispose();
}
