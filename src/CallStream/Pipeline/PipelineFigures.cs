using System.Diagnostics.Metrics;
using CallStream.Rules;

namespace CallStream.Pipeline;

/// <summary>
/// The pipeline's figures: counts written by the loop alone (a plain increment, published, is enough), gauges copied
/// from the rule engine now and then, and the matching metrics; read from any thread as <see cref="PipelineStatistics"/>.
/// </summary>
internal sealed class PipelineFigures : IDisposable
{
    private const int WarmUpRefreshEvery = 256;
    private const int GaugeRefreshEvery = 256;

    private readonly PipelineMetrics _metrics;
    private long _consumed;
    private long _deadLettered;
    private long _warmUpEvents;
    private long _evaluated;
    private long _alerts;
    private long _alertsNotReemitted;
    private long _replayed;
    private long _duplicates;
    private long _late;
    private volatile int _held;
    private long _watermarkTicks = long.MinValue;
    private long _warmUpSinceRefresh;
    private int _sinceGaugeUpdate;

    public PipelineFigures(IMeterFactory? meterFactory, Func<int> inFlight) =>
        _metrics = new PipelineMetrics(meterFactory, () => _held, inFlight);

    public long Evaluated => Interlocked.Read(ref _evaluated);

    public void RecordRead()
    {
        Bump(ref _consumed);
        _metrics.Record();
    }

    /// <summary>Counts records read in a run (the rest of a file's batch).</summary>
    public void RecordsRead(int count)
    {
        Volatile.Write(ref _consumed, _consumed + count);
        _metrics.Records(count);
    }

    public void Replayed() => Interlocked.Increment(ref _replayed);

    public void DeadLettered() => Interlocked.Increment(ref _deadLettered);

    public void WarmUpRead()
    {
        Interlocked.Increment(ref _warmUpEvents);
        _metrics.WarmUpEvent();
    }

    public void WarmUpEvaluated() => _warmUpSinceRefresh++;

    public void EventEvaluated() => Bump(ref _evaluated);

    public void DuplicateDropped() => Bump(ref _duplicates);

    public void Alert() => Bump(ref _alerts);

    /// <summary>Keeps the engine's figures current while busy: every so many events, not per event.</summary>
    public void RefreshAfterEvent(RuleEngine engine)
    {
        if (_warmUpSinceRefresh >= WarmUpRefreshEvery)
            RefreshEngineFigures(engine);
        else if (++_sinceGaugeUpdate >= GaugeRefreshEvery)
            UpdateEngineGauges(engine);
    }

    /// <summary>Brings the engine's figures up to date now (when the loop is about to wait, or after a hand-over).</summary>
    public void Refresh(RuleEngine engine)
    {
        if (_warmUpSinceRefresh > 0)
            RefreshEngineFigures(engine);
        else
            UpdateEngineGauges(engine);
    }

    /// <summary>Updates the gauges, and the warm-up figures once enough warm-up events were evaluated (after an event other than a record).</summary>
    public void RefreshGauges(RuleEngine engine)
    {
        if (_warmUpSinceRefresh >= WarmUpRefreshEvery)
            RefreshEngineFigures(engine);
        else
            UpdateEngineGauges(engine);
    }

    public void UpdateEngineGauges(RuleEngine engine)
    {
        _sinceGaugeUpdate = 0;
        _held = engine.HeldEvents;
        Interlocked.Exchange(ref _late, engine.LateEvents);
        Interlocked.Exchange(ref _watermarkTicks, engine.Watermark?.UtcTicks ?? long.MinValue);
    }

    /// <summary>Updates the gauges and the alerts warm-up events did not emit again (a walk over the rules' figures).</summary>
    public void RefreshEngineFigures(RuleEngine engine)
    {
        UpdateEngineGauges(engine);
        long notReemitted = 0;
        foreach (var rule in engine.GetStatistics().Rules)
            notReemitted += rule.Candidates - rule.Suppressed - rule.Alerts; // candidates neither suppressed nor emitted: those of warm-up events
        Interlocked.Exchange(ref _alertsNotReemitted, notReemitted);
        _warmUpSinceRefresh = 0;
    }

    public PipelineStatistics Snapshot(int inFlight, IReadOnlyList<SinkStatistics> sinks, IReadOnlyList<PartitionStatistics> partitions)
    {
        long watermark = Interlocked.Read(ref _watermarkTicks);
        return new PipelineStatistics(
            Interlocked.Read(ref _consumed),
            Interlocked.Read(ref _deadLettered),
            Interlocked.Read(ref _warmUpEvents),
            Interlocked.Read(ref _evaluated),
            Interlocked.Read(ref _late),
            Interlocked.Read(ref _alerts),
            Interlocked.Read(ref _alertsNotReemitted),
            Interlocked.Read(ref _replayed),
            _held,
            inFlight,
            watermark == long.MinValue ? null : new DateTimeOffset(watermark, TimeSpan.Zero),
            sinks,
            partitions)
        {
            Duplicates = Interlocked.Read(ref _duplicates),
        };
    }

    public void Dispose() => _metrics.Dispose();

    /// <summary>Adds one to a figure only the loop writes (no interlocked instruction per event).</summary>
    private static void Bump(ref long figure) => Volatile.Write(ref figure, figure + 1);
}
