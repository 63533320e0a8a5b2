using System.Diagnostics.Metrics;

namespace CallStream.Mongo.Tests;

public class MongoMetricsTests
{
    [Fact]
    public void Written_CountsDocumentsByCollectionAndResult_AndRecordsTheDuration()
    {
        using var metrics = new MongoMetrics(null);
        var counts = new List<(string Instrument, double Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MongoMetrics.MeterName && instrument.Name.StartsWith("callstream.mongo.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => counts.Add((i.Name, v, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => counts.Add((i.Name, v, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();

        metrics.Written("callstream.alerts", inserted: 3, updated: 0, unchanged: 2, duplicates: 1, TimeSpan.FromMilliseconds(250));

        Assert.Equal(
            [("callstream.mongo.documents", 3.0, "collection=callstream.alerts,result=inserted"),
             ("callstream.mongo.documents", 2.0, "collection=callstream.alerts,result=unchanged"),
             ("callstream.mongo.documents", 1.0, "collection=callstream.alerts,result=duplicate"),
             ("callstream.mongo.batch.duration", 0.25, "collection=callstream.alerts")],
            counts);
    }
}
