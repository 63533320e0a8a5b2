using System.Diagnostics.Metrics;

namespace CallStream.Pipeline;

/// <summary>
/// The pipeline's metrics on the <c>CallStream</c> meter: <c>callstream.pipeline.records</c> and
/// <c>callstream.pipeline.warmup_events</c> (counters), <c>callstream.pipeline.held_events</c> and
/// <c>callstream.pipeline.in_flight</c> (gauges). Alerts are counted once, by the rule engine
/// (<c>callstream.rules.alerts</c>); records that are not valid interactions by their source
/// (<c>callstream.kafka.poison_records</c>).
/// </summary>
internal sealed class PipelineMetrics : IDisposable
{
    private const string MeterName = "CallStream";

    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _records;
    private readonly Counter<long> _warmUp;

    public PipelineMetrics(IMeterFactory? meterFactory, Func<int> held, Func<int> inFlight)
    {
        var meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        _records = meter.CreateCounter<long>("callstream.pipeline.records", "{record}", "Records the pipeline read at or after their committed offsets.");
        _warmUp = meter.CreateCounter<long>("callstream.pipeline.warmup_events", "{event}", "Records re-read before their committed offsets to rebuild rule state.");
        meter.CreateObservableGauge("callstream.pipeline.held_events", held, "{event}", "Events waiting for the event-time watermark.");
        meter.CreateObservableGauge("callstream.pipeline.in_flight", inFlight, "{record}", "Records read whose outputs are not yet durable in every sink.");
    }

    public void Record() => _records.Add(1);

    public void Records(int count) => _records.Add(count);

    public void WarmUpEvent() => _warmUp.Add(1);

    public void Dispose() => _ownedMeter?.Dispose();
}
