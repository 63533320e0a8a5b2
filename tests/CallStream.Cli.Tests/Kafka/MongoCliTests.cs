using CallStream.Kafka;
using CallStream.Mongo;
using MongoDB.Bson;
using MongoDB.Driver;

namespace CallStream.Cli.Tests.Kafka;

/// <summary><c>produce --mongo</c> and <c>consume --mongo</c> against a real server: skipped unless <c>CALLSTREAM_MONGO</c> names one.</summary>
public sealed class MongoCliTests : IDisposable
{
    private readonly KafkaCliFiles _files = new();

    [Fact]
    public async Task ProduceAndConsume_WithMongo_StoreEveryInteractionAndTheReplaysAlerts_Once()
    {
        string? uri = Environment.GetEnvironmentVariable(CliContext.MongoVariable);
        Assert.SkipWhen(string.IsNullOrWhiteSpace(uri), $"{CliContext.MongoVariable} is not set: this test needs a MongoDB server (see src/CallStream.Mongo/README.md).");
        var cancellation = TestContext.Current.CancellationToken;
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, 3, replicationFactor: 3);
        string csv = await _files.GenerateAsync(2000, seed: 99);
        var expected = await _files.ReplayAsync(csv);
        string[] interactionIds = [.. File.ReadLines(csv).Skip(1).Select(line => line[..line.IndexOf(',', StringComparison.Ordinal)])];
        using var store = new MongoStore(new MongoSinkOptions { ConnectionString = uri });
        var interactionFilter = Builders<BsonDocument>.Filter.In("_id", interactionIds);
        var alertFilter = Builders<BsonDocument>.Filter.In("_id", expected.Select(a => a.AlertId));
        try
        {
            var produce = await CliRunner.RunAsync(["produce", "--input", csv, "--kafka", cluster.BootstrapServers, "--mongo", uri!]);
            string[] consume = ["consume", "--kafka", cluster.BootstrapServers, "--mongo", uri!, "--idle-exit", "1s", "--group"];
            var first = await CliRunner.RunAsync([.. consume, "mongo"]);
            var again = await CliRunner.RunAsync([.. consume, "mongo-again"]); // everything a second time: upserts

            Assert.True(produce.ExitCode == ExitCodes.Success, produce.Error);
            Assert.Contains("; 2000 stored in MongoDB", produce.Out, StringComparison.Ordinal);
            Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
            Assert.True(again.ExitCode == ExitCodes.Success, again.Error);
            // "Already stored" is counted by the store that was written, here MongoDB (there is no --alerts file).
            string alertsTarget = $"; {expected.Count} alerts to MongoDB {store.Endpoint} {store.DatabaseName}.{store.AlertsCollectionName}";
            Assert.Contains($"{alertsTarget} (0 already stored)", first.Out, StringComparison.Ordinal);
            Assert.Contains($"{alertsTarget} ({expected.Count} already stored)", again.Out, StringComparison.Ordinal);
            Assert.Equal(2000, await store.InteractionsCollection.CountDocumentsAsync(interactionFilter, cancellationToken: cancellation));
            Assert.Equal(expected.Count, await store.AlertsCollection.CountDocumentsAsync(alertFilter, cancellationToken: cancellation));
            Assert.DoesNotContain(new MongoUrl(uri).Password ?? "\0", produce.Out + produce.Error + first.Out + first.Error, StringComparison.Ordinal);
        }
        finally
        {
            await store.InteractionsCollection.DeleteManyAsync(interactionFilter, cancellation);
            await store.AlertsCollection.DeleteManyAsync(alertFilter, cancellation);
        }
    }

    public void Dispose() => _files.Dispose();
}
