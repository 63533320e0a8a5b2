using CallStream.Cli.Commands;
using CallStream.Cli.Connections;
using CallStream.Mongo;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Cli.Tests.Commands;

public class ConsumeSummaryTests
{
    private static readonly KafkaConnection Kafka = KafkaConnection.Resolve(new CliContext(TextWriter.Null, TextWriter.Null, new FakeTimeProvider()), "broker:9092", "consumerdata", null);

    private static ConsumeResult Result(params SinkStatistics[] sinks)
    {
        var statistics = new PipelineStatistics(100, 0, 0, 100, 0, 12, 0, 0, 0, 0, null, sinks, []);
        return new ConsumeResult(statistics, new PipelineSummary(statistics, TimeSpan.FromSeconds(2), InputCompleted: true), 0, TimeSpan.FromSeconds(2));
    }

    private static MongoStore Store() => new(new MongoSinkOptions { ConnectionString = "mongodb://db1:27017" });

    [Fact]
    public void Summarize_MongoOnly_CountsAlreadyStoredFromTheMongoSink()
    {
        using var store = Store();
        var result = Result(new SinkStatistics("mongo:alerts", "alerts", 12, 12, 0, 0, AlreadyStored: 12), new SinkStatistics("mongo:interactions", "interactions", 100, 100, 0, 0, 100));

        string line = ConsumeCommand.Summarize("consume", Kafka, result, null, store);

        Assert.Contains("; 12 alerts to MongoDB db1:27017 callstream.alerts (12 already stored) in 2.00 s", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Summarize_FileAndMongo_CountsEachStoreOnItsOwn()
    {
        using var store = Store();
        var result = Result(new SinkStatistics("ndjson:alerts.ndjson", "alerts", 12, 12, 0, 0, AlreadyStored: 2), new SinkStatistics("mongo:alerts", "alerts", 12, 12, 0, 0, AlreadyStored: 5));

        string line = ConsumeCommand.Summarize("consume", Kafka, result, Path.Combine("out", "alerts.ndjson"), store);

        Assert.Contains($"; 12 alerts to {Path.Combine("out", "alerts.ndjson")} (2 already stored) and MongoDB db1:27017 callstream.alerts (5 already stored) in", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Summarize_ItemsRefusedForGood_AreNamedWithTheirSink()
    {
        using var store = Store();
        var result = Result(new SinkStatistics("mongo:alerts", "alerts", 12, 12, 0, 0, 0), new SinkStatistics("mongo:interactions", "interactions", 100, 97, 0, 3, 0));

        string line = ConsumeCommand.Summarize("consume", Kafka, result, null, store);

        Assert.Contains("callstream.alerts (0 already stored); 3 interactions refused for good by mongo:interactions (not stored, see the errors above) in 2.00 s", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Summarize_NoAlertStore_SaysCountedOnly()
    {
        string line = ConsumeCommand.Summarize("consume", Kafka, Result(), null, null);
        Assert.Contains("; 12 alerts counted only in 2.00 s", line, StringComparison.Ordinal);
    }
}
