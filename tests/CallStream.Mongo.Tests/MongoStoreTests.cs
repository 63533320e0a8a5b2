using System.Diagnostics;
using CallStream.Insights;
using CallStream.Testing;
using MongoDB.Driver;

namespace CallStream.Mongo.Tests;

/// <summary>The store without a server: validation, no I/O before use, and failing fast, naming the host, never the password, when nothing answers.</summary>
public class MongoStoreTests
{
    // Port 1 on loopback: nothing listens there, so connections are refused at once.
    private const string Unreachable = "mongodb://alice:hunter2@127.0.0.1:1/?authSource=admin";
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(500);

    private static MongoStore UnreachableStore(bool createIndexes = true) =>
        new(new MongoSinkOptions { ConnectionString = Unreachable, ServerSelectionTimeout = Short, CreateIndexes = createIndexes });

    private static void AssertNamesTheHostNotThePassword(MongoStoreException ex)
    {
        Assert.Contains("127.0.0.1:1", ex.Message, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1:1", ex.Endpoint);
        Assert.DoesNotContain("hunter2", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DoesNoIO_AndNamesTheHosts()
    {
        var started = Stopwatch.GetTimestamp();
        using var store = new MongoStore(new MongoSinkOptions { ConnectionString = "mongodb://u:hunter2@db1:27017,db2:27018/?replicaSet=rs0", ServerSelectionTimeout = Short });
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2));
        Assert.Equal("db1:27017,db2:27018", store.Endpoint);
        Assert.Equal(("callstream", "interactions", "alerts"), (store.DatabaseName, store.InteractionsCollectionName, store.AlertsCollectionName));
    }

    [Fact]
    public void Constructor_SrvString_NamesTheSrvHost()
    {
        using var store = new MongoStore(new MongoSinkOptions { ConnectionString = "mongodb+srv://u:hunter2@cluster0.example.net/" });
        Assert.Equal("mongodb+srv://cluster0.example.net:53", store.Endpoint);
    }

    [Fact]
    public void Constructor_InvalidConnectionString_NamesTheOption_WithoutThePassword()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MongoStore(new MongoSinkOptions { ConnectionString = "mongodb://alice:hunter2@db1:27017/?w=sometimes&connectTimeoutMS=soon" }));
        Assert.Equal("ConnectionString", ex.ParamName);
        Assert.Contains("mongodb://alice:****@db1:27017/", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NotAMongoUri_IsRejectedWithTheExpectedForm()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MongoStore(new MongoSinkOptions { ConnectionString = "localhost:27017" }));
        Assert.Contains("expected mongodb://", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOption_NamesIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MongoStore(new MongoSinkOptions { ConnectionString = "mongodb://db", Database = "a/b" }));
        Assert.Equal("Database", ex.ParamName);
    }

    [Fact]
    public async Task PingAsync_Unreachable_FailsFast_NamingTheHostNotThePassword()
    {
        using var store = UnreachableStore();
        var started = Stopwatch.GetTimestamp();

        var ex = await Assert.ThrowsAsync<MongoStoreException>(() => store.PingAsync(TestContext.Current.CancellationToken));

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "the failure must come after the server selection timeout, not the driver's 30 s");
        AssertNamesTheHostNotThePassword(ex);
        Assert.StartsWith("MongoDB at 127.0.0.1:1 could not be reached within 0.5 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pinging the server", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(127.0.0.1:1: Connection refused)", ex.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(ex.InnerException);
    }

    [Fact]
    public async Task EnsureIndexesAsync_Unreachable_FailsNamingTheHost()
    {
        using var store = UnreachableStore();
        var ex = await Assert.ThrowsAsync<MongoStoreException>(() => store.EnsureIndexesAsync(TestContext.Current.CancellationToken));
        AssertNamesTheHostNotThePassword(ex);
        Assert.Contains("creating the indexes of callstream.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadInteractionsAsync_Unreachable_FailsNamingTheHost()
    {
        using var store = UnreachableStore();
        var ex = await Assert.ThrowsAsync<MongoStoreException>(async () =>
        {
            await foreach (var _ in store.ReadInteractionsAsync(TestContext.Current.CancellationToken))
            {
            }
        });
        AssertNamesTheHostNotThePassword(ex);
        Assert.Contains("reading interactions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InsightsQuery_Unreachable_FailsNamingTheHost()
    {
        using var store = UnreachableStore();
        var source = new MongoInsightsSource(store);
        var ex = await Assert.ThrowsAsync<MongoStoreException>(() => source.ToListAsync(DashboardQueries.AgentCount(source.Interactions), TestContext.Current.CancellationToken));
        AssertNamesTheHostNotThePassword(ex);
    }

    [Fact]
    public async Task InteractionSink_Unreachable_FailsFirstOnTheIndexes_ThenOnTheWrite()
    {
        using var store = UnreachableStore();
        var sink = new MongoInteractionSink(store);
        var ex = await Assert.ThrowsAsync<MongoStoreException>(() => sink.WriteBatchAsync([DashboardFixture.Get("i01")], TestContext.Current.CancellationToken).AsTask());
        AssertNamesTheHostNotThePassword(ex);
        Assert.Contains("creating the indexes of callstream.interactions", ex.Message, StringComparison.Ordinal);

        using var noIndexes = UnreachableStore(createIndexes: false);
        ex = await Assert.ThrowsAsync<MongoStoreException>(() => new MongoInteractionSink(noIndexes).WriteBatchAsync([DashboardFixture.Get("i01")], TestContext.Current.CancellationToken).AsTask());
        AssertNamesTheHostNotThePassword(ex);
        Assert.Contains("writing 1 interactions to callstream.interactions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertSink_Unreachable_FailsNamingTheHost()
    {
        using var store = UnreachableStore(createIndexes: false);
        var ex = await Assert.ThrowsAsync<MongoStoreException>(() => new MongoAlertSink(store).WriteBatchAsync(DashboardFixture.Alerts, TestContext.Current.CancellationToken).AsTask());
        AssertNamesTheHostNotThePassword(ex);
        Assert.Contains("writing 9 alerts to callstream.alerts", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sinks_EmptyBatch_DoNoIO()
    {
        using var store = UnreachableStore();
        var started = Stopwatch.GetTimestamp();
        await new MongoInteractionSink(store).WriteBatchAsync([], TestContext.Current.CancellationToken);
        await new MongoAlertSink(store).WriteBatchAsync([], TestContext.Current.CancellationToken);
        Assert.True(Stopwatch.GetElapsedTime(started) < Short);
    }

    [Fact]
    public void Constructor_OnAClient_UsesItsHosts_AndLeavesItOpen()
    {
        using var client = new MongoClient(new MongoClientSettings { Server = new MongoServerAddress("db9", 27019), ServerSelectionTimeout = Short });
        var store = new MongoStore(client, new MongoSinkOptions { Database = "other" });
        Assert.Equal("db9:27019", store.Endpoint);
        Assert.Equal(Short, store.ServerSelectionTimeout);
        Assert.Same(client, store.Client);
        Assert.Equal("other", store.Database.DatabaseNamespace.DatabaseName);
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.Client);
        Assert.Equal("other", client.GetDatabase("other").DatabaseNamespace.DatabaseName); // not disposed by the store
    }

    [Fact]
    public void Collections_CarryTheConfiguredWriteConcern()
    {
        using var store = new MongoStore(new MongoSinkOptions { ConnectionString = "mongodb://db", WriteConcern = "2", AlertsCollection = "warnings" });
        Assert.Equal(new WriteConcern(2), store.AlertsCollection.Settings.WriteConcern);
        Assert.Equal("warnings", store.AlertsCollection.CollectionNamespace.CollectionName);
        Assert.Equal(WriteConcern.WMajority, new MongoStore(new MongoSinkOptions { ConnectionString = "mongodb://db" }).InteractionsCollection.Settings.WriteConcern);
    }

    [Fact]
    public void Scrub_RemovesThePasswordFromAnyText()
    {
        using var store = UnreachableStore();
        Assert.Equal("auth of alice with **** failed", store.Scrub("auth of alice with hunter2 failed"));
    }

    [Fact]
    public void EntryPoints_RejectNull()
    {
        Assert.Throws<ArgumentNullException>(() => new MongoStore(null!));
        Assert.Throws<ArgumentNullException>(() => new MongoStore(null!, new MongoSinkOptions()));
        Assert.Throws<ArgumentNullException>(() => new MongoInteractionSink(null!));
        Assert.Throws<ArgumentNullException>(() => new MongoAlertSink(null!));
        Assert.Throws<ArgumentNullException>(() => new MongoInsightsSource(null!));
    }

    [Fact]
    public async Task Sinks_RejectANullBatch()
    {
        using var store = UnreachableStore();
        await Assert.ThrowsAsync<ArgumentNullException>(() => new MongoInteractionSink(store).WriteBatchAsync(null!, TestContext.Current.CancellationToken).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>(() => new MongoAlertSink(store).WriteBatchAsync(null!, TestContext.Current.CancellationToken).AsTask());
    }
}
