using System.Diagnostics.Metrics;

namespace CallStream.Mongo;

/// <summary>
/// The metrics of the MongoDB sinks, on the <c>CallStream</c> meter: <c>callstream.mongo.documents</c> (documents
/// written, tagged with <c>collection</c> and <c>result</c> = <c>inserted</c>, <c>updated</c>, <c>unchanged</c> or
/// <c>duplicate</c>) and <c>callstream.mongo.batch.duration</c> (seconds per bulk write).
/// </summary>
internal sealed class MongoMetrics : IDisposable
{
    public const string MeterName = "CallStream";

    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _documents;
    private readonly Histogram<double> _duration;

    public MongoMetrics(IMeterFactory? meterFactory)
    {
        Meter meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        _documents = meter.CreateCounter<long>("callstream.mongo.documents", "{document}", "Documents upserted by the MongoDB sinks, by collection and result.");
        _duration = meter.CreateHistogram<double>("callstream.mongo.batch.duration", "s", "Duration of one bulk upsert of a MongoDB sink.");
    }

    public void Written(string collection, long inserted, long updated, long unchanged, long duplicates, TimeSpan elapsed)
    {
        Add(collection, "inserted", inserted);
        Add(collection, "updated", updated);
        Add(collection, "unchanged", unchanged);
        Add(collection, "duplicate", duplicates);
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("collection", collection));
    }

    public void Dispose() => _ownedMeter?.Dispose();

    private void Add(string collection, string result, long count)
    {
        if (count > 0)
            _documents.Add(count, new("collection", collection), new("result", result));
    }
}
