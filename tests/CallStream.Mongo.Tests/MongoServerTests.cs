using CallStream.Insights;
using CallStream.Mongo.Tests.Harness;
using CallStream.Pipeline;
using CallStream.Testing;
using MongoDB.Bson;
using MongoDB.Driver;

namespace CallStream.Mongo.Tests;

/// <summary>
/// The integration suite: runs against the MongoDB server named by <c>CALLSTREAM_MONGO</c> (for example
/// <c>CALLSTREAM_MONGO=mongodb://localhost:27017 dotnet test tests/CallStream.Mongo.Tests</c>), each test in a database
/// of its own that is dropped afterwards. Without the variable every test reports itself skipped, with the reason.
/// </summary>
public sealed class MongoServerTests : IAsyncLifetime
{
    private const string SkipReason = "No MongoDB server: set CALLSTREAM_MONGO (e.g. mongodb://localhost:27017) to run the integration suite.";
    private static readonly string? Server = Environment.GetEnvironmentVariable(MongoSinkOptions.ConnectionStringVariable);

    private readonly string _database = "callstream_test_" + Guid.NewGuid().ToString("N")[..12];
    private MongoStore? _store;

    public static TheoryData<string> Queries => QueryCatalog.Names;

    private MongoStore Store => _store ?? throw new InvalidOperationException("No store.");

    public ValueTask InitializeAsync()
    {
        if (!string.IsNullOrWhiteSpace(Server))
            _store = new MongoStore(new MongoSinkOptions { ConnectionString = Server, Database = _database, ServerSelectionTimeout = TimeSpan.FromSeconds(10) });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is null)
            return;
        await _store.Client.DropDatabaseAsync(_database);
        _store.Dispose();
    }

    private static void RequireServer()
    {
        if (string.IsNullOrWhiteSpace(Server))
            Assert.Skip(SkipReason);
    }

    private async Task WriteFixtureAsync()
    {
        await new MongoInteractionSink(Store).WriteBatchAsync(DashboardFixture.Interactions, TestContext.Current.CancellationToken);
        await new MongoAlertSink(Store).WriteBatchAsync(DashboardFixture.Alerts, TestContext.Current.CancellationToken);
    }

    private static IEnumerable<Interaction> AsStored(IEnumerable<Interaction> interactions) =>
        interactions.DistinctBy(i => i.InteractionId).Select(i => BsonDocuments.Read(BsonDocuments.Of(i, new InteractionBsonSerializer()), new InteractionBsonSerializer()));

    [Fact]
    public async Task Ping_Answers()
    {
        RequireServer();
        await Store.PingAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Sinks_RoundTrip_InteractionsAndAlerts()
    {
        RequireServer();
        await WriteFixtureAsync();

        var interactions = await Store.ReadInteractionsAsync(TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        var alerts = await Store.ReadAlertsAsync(TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal(AsStored(DashboardFixture.Interactions).OrderBy(i => i.InteractionId, StringComparer.Ordinal), interactions.OrderBy(i => i.InteractionId, StringComparer.Ordinal));
        Assert.Equal(
            DashboardFixture.Alerts.DistinctBy(a => a.AlertId).Select(a => a.AlertId).Order(StringComparer.Ordinal),
            alerts.Select(a => a.AlertId).Order(StringComparer.Ordinal));
        var windowed = alerts.Single(a => a.AlertId == DashboardFixture.Alerts[4].AlertId);
        Assert.Equal(DashboardFixture.Alerts[4], windowed);
    }

    [Fact]
    public async Task Sinks_Replayed_StoreEachDocumentOnce()
    {
        RequireServer();
        await WriteFixtureAsync();
        await WriteFixtureAsync();
        await new MongoAlertSink(Store).WriteBatchAsync([.. DashboardFixture.Alerts, .. DashboardFixture.Alerts], TestContext.Current.CancellationToken);

        Assert.Equal(13, await Store.InteractionsCollection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(8, await Store.AlertsCollection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Sinks_CountNewAndAlreadyStoredDocuments_FromTheServersAnswers()
    {
        RequireServer();
        var alerts = DashboardFixture.Alerts;
        var interactions = DashboardFixture.Interactions;
        long distinctAlerts = alerts.DistinctBy(a => a.AlertId).Count();
        long distinctInteractions = interactions.DistinctBy(i => i.InteractionId).Count();
        var alertSink = new MongoAlertSink(Store);
        var interactionSink = new MongoInteractionSink(Store);

        await alertSink.WriteBatchAsync(alerts, TestContext.Current.CancellationToken);
        await interactionSink.WriteBatchAsync(interactions, TestContext.Current.CancellationToken);
        // An id twice in a batch (the fixture replays one alert and one interaction) is new once, then already stored.
        Assert.Equal((distinctAlerts, alerts.Count - distinctAlerts), (alertSink.Added, alertSink.AlreadyStored));
        Assert.Equal((distinctInteractions, interactions.Count - distinctInteractions), (interactionSink.Added, interactionSink.AlreadyStored));

        var restarted = new MongoAlertSink(Store); // another run writing the same alerts: every one is there
        await restarted.WriteBatchAsync(alerts, TestContext.Current.CancellationToken);
        Assert.Equal((0L, (long)alerts.Count), (restarted.Added, restarted.AlreadyStored));
    }

    [Fact]
    public async Task AlertSink_EveryDocumentRefused_IsRejectedForGood_NamingEachIdOnce_AndNotRetried()
    {
        RequireServer();
        var ct = TestContext.Current.CancellationToken;
        var alerts = DashboardFixture.Alerts.DistinctBy(a => a.Message).Take(3).ToList();
        // A unique index on message, and documents of other ids holding those messages: every upsert of the batch
        // fails with a duplicate key on message_1, which writing again can never cure.
        var collection = Store.Collection(StoreCollection.Alerts);
        await collection.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(Builders<BsonDocument>.IndexKeys.Ascending("message"), new CreateIndexOptions { Unique = true }), cancellationToken: ct);
        await collection.InsertManyAsync(alerts.Select((a, i) => new BsonDocument { { "_id", "taken-" + i }, { "message", a.Message } }), cancellationToken: ct);
        Alert[] batch = [alerts[0], alerts[1], alerts[1], alerts[2]]; // alerts[1] replayed

        var error = await Assert.ThrowsAsync<SinkItemsRejectedException>(() => new MongoAlertSink(Store).WriteBatchAsync(batch, ct).AsTask());

        Assert.Equal([0, 1, 2, 3], error.Rejected.Select(r => r.Position));
        Assert.True(error.OthersStored);
        Assert.StartsWith($"None of the 4 alerts could be written to {_database}.alerts (3 distinct ids): '{alerts[0].AlertId}' (code 11000: ", error.Message, StringComparison.Ordinal);
        Assert.All(alerts, a => Assert.Single(System.Text.RegularExpressions.Regex.Matches(error.Message, $"'{a.AlertId}'")));
        Assert.DoesNotContain("The other", error.Message, StringComparison.Ordinal);
        Assert.Equal([.. alerts.Select(a => a.AlertId)], Assert.IsType<MongoStoreException>(error.InnerException).FailedIds);

        // Behind the core's BatchingSink: reported at once, the checkpoint released, no retry (a retry would first
        // wait an hour).
        var tracker = new CheckpointTracker();
        await using var batching = new BatchingSink<Alert>(new MongoAlertSink(Store), "mongo:alerts", new BatchingOptions { BatchSize = 4, FirstRetryDelay = TimeSpan.FromHours(1), MaxRetryDelay = TimeSpan.FromHours(1) });
        long offset = 0;
        foreach (var alert in batch)
        {
            var ticket = tracker.Begin(0, offset++);
            await batching.EnqueueAsync(alert, ticket, ct);
            ticket.Complete();
        }
        await batching.FlushAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
        Assert.Equal((4L, 0L), (batching.Rejected, batching.Written));
        Assert.True(tracker.TryGetCommittable(0, out long committable));
        Assert.Equal(4, committable);
    }

    [Fact]
    public async Task Sinks_ConcurrentUpsertsOfTheSameIds_AllSucceed()
    {
        RequireServer();
        var sinks = Enumerable.Range(0, 4).Select(_ => new MongoAlertSink(Store)).ToList();
        await Task.WhenAll(sinks.Select(s => s.WriteBatchAsync(DashboardFixture.Alerts, TestContext.Current.CancellationToken).AsTask()));
        Assert.Equal(8, await Store.AlertsCollection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Indexes_AreCreatedOnFirstWrite_AndAgainWithoutError()
    {
        RequireServer();
        await WriteFixtureAsync();
        await Store.EnsureIndexesAsync(TestContext.Current.CancellationToken);

        var interactionIndexes = await (await Store.InteractionsCollection.Indexes.ListAsync(TestContext.Current.CancellationToken)).ToListAsync(TestContext.Current.CancellationToken);
        var alertIndexes = await (await Store.AlertsCollection.Indexes.ListAsync(TestContext.Current.CancellationToken)).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["_id_", "agentId_1", "channel_1_startTime_1", "customerId_1"], interactionIndexes.Select(i => i["name"].AsString).Order(StringComparer.Ordinal));
        Assert.Equal(["_id_", "key_1", "rule_1_triggeredAt_1"], alertIndexes.Select(i => i["name"].AsString).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BatchingSink_ReleasesTheCheckpointOnlyOnceStored()
    {
        RequireServer();
        var tracker = new CheckpointTracker();
        await using (var batching = new BatchingSink<Interaction>(new MongoInteractionSink(Store), "mongo:interactions", new BatchingOptions { BatchSize = 5 }))
        {
            long offset = 0;
            foreach (var interaction in DashboardFixture.Interactions)
            {
                var ticket = tracker.Begin(0, offset++);
                await batching.EnqueueAsync(interaction, ticket, TestContext.Current.CancellationToken);
                ticket.Complete();
            }
            await batching.FlushAsync(TestContext.Current.CancellationToken);
        }
        Assert.True(tracker.TryGetCommittable(0, out long committable));
        Assert.Equal(DashboardFixture.Interactions.Count, committable);
        Assert.Equal(13, await Store.InteractionsCollection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Query_OnTheServer_EqualsTheInProcessTwin(string name)
    {
        RequireServer();
        await WriteFixtureAsync();
        var source = new MongoInsightsSource(Store);
        var twin = InMemoryInsightsSource.From(DashboardFixture.Interactions, DashboardFixture.Alerts);

        var expected = QueryCatalog.Rows(name, twin.Interactions, twin.Alerts);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, QueryCatalog.Rows(name, source.Interactions, source.Alerts));
    }

    [Fact]
    public async Task InsightsReport_OnTheServer_EqualsTheInProcessReport()
    {
        RequireServer();
        await WriteFixtureAsync();
        var options = new InsightsReportOptions { Source = "fixture" };
        var onServer = await InsightsReport.ComputeAsync(new MongoInsightsSource(Store), options, TestContext.Current.CancellationToken);
        var inProcess = await InsightsReport.ComputeAsync(InMemoryInsightsSource.From(DashboardFixture.Interactions, DashboardFixture.Alerts), options, TestContext.Current.CancellationToken);

        Assert.Equal(13, onServer.TotalInteractions);
        Assert.Equal(ReportJson(inProcess with { GeneratedAt = default }), ReportJson(onServer with { GeneratedAt = default }));
    }

    /// <summary>The report's JSON with every number to 10 significant digits (the server may sum in another order).</summary>
    private static string ReportJson(InsightsReportFigures figures)
    {
        using var stream = new MemoryStream();
        InsightsReport.WriteJson(figures, stream);
        var node = System.Text.Json.Nodes.JsonNode.Parse(stream.ToArray())!;
        static System.Text.Json.Nodes.JsonNode? Round(System.Text.Json.Nodes.JsonNode? n) => n switch
        {
            System.Text.Json.Nodes.JsonObject o => new System.Text.Json.Nodes.JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Round(p.Value)))),
            System.Text.Json.Nodes.JsonArray a => new System.Text.Json.Nodes.JsonArray([.. a.Select(Round)]),
            System.Text.Json.Nodes.JsonValue v when v.TryGetValue(out double d) => System.Text.Json.Nodes.JsonValue.Create(d.ToString("G10", System.Globalization.CultureInfo.InvariantCulture)),
            _ => n?.DeepClone(),
        };
        return Round(node)!.ToJsonString();
    }

    [Fact]
    public async Task InsightsSource_ToListAsync_RunsOnTheServer()
    {
        RequireServer();
        await WriteFixtureAsync();
        var source = new MongoInsightsSource(Store);
        var rows = await source.ToListAsync(DashboardQueries.AlertsByRule(source.Alerts), TestContext.Current.CancellationToken);
        Assert.Equal(new RuleAlerts("long-call", 3), rows[0]);
    }
}
