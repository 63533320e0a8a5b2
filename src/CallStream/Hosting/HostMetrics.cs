using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CallStream.Hosting;

/// <summary>
/// The metrics the host adds on the <c>CallStream</c> meter, beside those of the engine, the source and the sinks:
/// <c>callstream.sink.batch.size</c> (items per batch written, by <c>sink</c>) and <c>callstream.sink.write.duration</c>
/// (seconds per batch write, by <c>sink</c> and <c>outcome</c> = <c>ok</c> or <c>error</c>). Alerts are counted by the
/// rule engine the hosted pipeline runs (<c>callstream.rules.alerts</c>, on the host's meter factory).
/// </summary>
internal sealed class HostMetrics : IDisposable
{
    public const string MeterName = "CallStream";

    private readonly Meter? _ownedMeter;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _writeDuration;

    public HostMetrics(IMeterFactory? meterFactory)
    {
        Meter meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        _batchSize = meter.CreateHistogram<int>("callstream.sink.batch.size", "{item}", "Items per batch a sink of the hosted pipeline was asked to write.");
        _writeDuration = meter.CreateHistogram<double>("callstream.sink.write.duration", "s", "Duration of one batch write of a sink of the hosted pipeline.");
    }

    public void BatchWritten(string sink, int count, TimeSpan elapsed, bool succeeded)
    {
        var sinkTag = new KeyValuePair<string, object?>("sink", sink);
        _batchSize.Record(count, sinkTag);
        _writeDuration.Record(elapsed.TotalSeconds, sinkTag, new KeyValuePair<string, object?>("outcome", succeeded ? "ok" : "error"));
    }

    public void Dispose() => _ownedMeter?.Dispose();
}

/// <summary>Measures the batch writes of a sink of the hosted pipeline (<see cref="HostMetrics.BatchWritten"/>).</summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class MeteredSink<T> : IBatchedSink<T>
{
    private readonly IBatchedSink<T> _inner;
    private readonly string _name;
    private readonly HostMetrics _metrics;

    public MeteredSink(IBatchedSink<T> inner, string name, HostMetrics metrics)
    {
        _inner = inner;
        _name = name;
        _metrics = metrics;
    }

    public async ValueTask WriteBatchAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        bool succeeded = false;
        try
        {
            await _inner.WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
            succeeded = true;
        }
        finally
        {
            _metrics.BatchWritten(_name, batch.Count, Stopwatch.GetElapsedTime(started), succeeded);
        }
    }
}
