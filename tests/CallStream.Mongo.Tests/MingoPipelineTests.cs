using CallStream.Insights;
using CallStream.Mongo.Tests.Harness;
using CallStream.Testing;
using MongoDB.Bson;
using MongoDB.Driver;

namespace CallStream.Mongo.Tests;

/// <summary>
/// Each dashboard query run end to end through the driver (LINQ provider, rendered pipeline, the provider's own
/// result deserialization) with mingo standing in for the server, over the documents the sinks write for
/// <see cref="DashboardFixture"/>; the rows must equal those of the in-process twin. An addition to the real-server
/// suite (<see cref="MongoServerTests"/>), not a replacement. Skipped, with the reason, when Node or mingo is missing.
/// </summary>
public class MingoPipelineTests(MingoPipelineTests.MingoResults mingo) : IClassFixture<MingoPipelineTests.MingoResults>
{
    public static TheoryData<string> Queries => QueryCatalog.Names;

    [Theory]
    [MemberData(nameof(Queries))]
    public void Query_OnMingo_EqualsTheInProcessTwin(string name)
    {
        if (MingoEngine.Unavailable is { } reason)
            Assert.Skip(reason);
        var engine = new ReplayEngine(mingo.Results);
        var onMongo = QueryCatalog.Rows(
            name,
            FakeCollection<InteractionRecord>.Create("interactions", engine).AsQueryable(),
            FakeCollection<AlertRecord>.Create("alerts", engine).AsQueryable());

        var inProcess = InMemoryInsightsSource.From(DashboardFixture.Interactions, DashboardFixture.Alerts);
        var expected = QueryCatalog.Rows(name, inProcess.Interactions, inProcess.Alerts);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, onMongo);
    }

    /// <summary>Renders every query once and runs all the pipelines in one mingo process.</summary>
    public sealed class MingoResults
    {
        public MingoResults()
        {
            if (MingoEngine.Unavailable is not null)
                return;
            InsightsClassMaps.Register();
            var recorder = new RecordingEngine();
            var interactions = FakeCollection<InteractionRecord>.Create("interactions", recorder).AsQueryable();
            var alerts = FakeCollection<AlertRecord>.Create("alerts", recorder).AsQueryable();
            foreach (string name in QueryCatalog.All.Keys)
                QueryCatalog.Rows(name, interactions, alerts);
            var results = MingoEngine.RunAll(BsonDocuments.StoredFixture(), recorder.Runs);
            Results = recorder.Runs.Zip(results).ToDictionary(p => ReplayEngine.Key(p.First.Collection, p.First.Stages), p => p.Second);
        }

        public IReadOnlyDictionary<string, IReadOnlyList<BsonDocument>> Results { get; } = new Dictionary<string, IReadOnlyList<BsonDocument>>();
    }
}
