using CallStream.Insights;
using CallStream.Mongo.Tests.Harness;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Driver;

namespace CallStream.Mongo.Tests;

/// <summary>
/// Each dashboard query rendered by the driver's LINQ provider (LINQ3) against collections of the insights records,
/// without a server: it translates, and the pipeline is the one recorded under Golden/ (set
/// <c>CALLSTREAM_UPDATE_GOLDEN=1</c> to rewrite the files after an intended change, and review the diff).
/// </summary>
public class DashboardPipelineTests
{
    private static readonly JsonWriterSettings Relaxed = new() { OutputMode = JsonOutputMode.RelaxedExtendedJson };
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static TheoryData<string> Queries => QueryCatalog.Names;

    private static (string Collection, BsonDocument[] Stages) Render(string name)
    {
        InsightsClassMaps.Register();
        var engine = new RecordingEngine();
        var interactions = FakeCollection<InteractionRecord>.Create("interactions", engine).AsQueryable();
        var alerts = FakeCollection<AlertRecord>.Create("alerts", engine).AsQueryable();
        Assert.Empty(QueryCatalog.Rows(name, interactions, alerts));
        return Assert.Single(engine.Runs);
    }

    private static BsonDocument Stage(BsonDocument[] stages, string op) => stages.Single(s => s.GetElement(0).Name == op)[op].AsBsonDocument;

    [Theory]
    [MemberData(nameof(Queries))]
    public void Query_RendersTheGoldenPipeline(string name)
    {
        var (collection, stages) = Render(name);
        string json = new BsonDocument { { "collection", collection }, { "pipeline", new BsonArray(stages) } }.ToJson(Relaxed);
        string actual = System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
        string path = ProjectPaths.Golden(name);
        if (Environment.GetEnvironmentVariable("CALLSTREAM_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"No golden pipeline for {name} at {path}; run the tests with CALLSTREAM_UPDATE_GOLDEN=1 to write it, then review it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void Overview_CountsOutcomesByTheirStoredWireNames_InOneGroup()
    {
        var (collection, stages) = Render("Overview");
        Assert.Equal("interactions", collection);
        var group = Stage(stages, "$group");
        Assert.Equal(1, group["_id"].AsInt32);
        string json = group.ToJson();
        Assert.Contains("[\"$outcome\", \"resolved\"]", json, StringComparison.Ordinal);
        Assert.Contains("[\"$outcome\", \"failed\"]", json, StringComparison.Ordinal);
        Assert.Contains("[\"$outcome\", \"problematic\"]", json, StringComparison.Ordinal);
        Assert.Contains("{ \"$avg\" : \"$satisfaction\" }", json, StringComparison.Ordinal);
    }

    [Fact]
    public void AgentCount_GroupsByAgentThenCountsTheGroups()
    {
        var (_, stages) = Render("AgentCount");
        Assert.Equal("$agentId", stages[0]["$group"]["_id"].AsString);
        Assert.Equal(1, stages[1]["$group"]["_id"].AsInt32);
    }

    [Fact]
    public void AlertsByChannel_LooksUpTheTriggeringInteractionById()
    {
        var (collection, stages) = Render("AlertsByChannel");
        Assert.Equal("alerts", collection);
        var lookup = Stage(stages, "$lookup");
        Assert.Equal("interactions", lookup["from"].AsString);
        Assert.Equal("_outer.interactionId", lookup["localField"].AsString);
        Assert.Equal("_id", lookup["foreignField"].AsString);
        Assert.Contains(stages, s => s.GetElement(0).Name == "$unwind"); // an inner join: alerts without a stored interaction drop out
        Assert.Contains(stages, s => s.ToJson().Contains("\"$_inner.channel\"", StringComparison.Ordinal));
    }

    [Fact]
    public void ResolutionTimeBands_MatchesResolvedFirst_ThenGroupsByBandLowerBound()
    {
        var (_, stages) = Render("ResolutionTimeBands");
        Assert.Equal(new BsonDocument("$match", new BsonDocument("outcome", "resolved")), stages[0]);
        string group = stages[1].ToJson();
        foreach (string bound in new[] { "300.0", "900.0", "1800.0", "3600.0" })
            Assert.Contains("[\"$durationSeconds\", " + bound + "]", group, StringComparison.Ordinal);
    }

    [Fact]
    public void AgentsWithLongInteractions_FiltersStrictlyAboveTheThreshold_AndLimits()
    {
        var (_, stages) = Render("AgentsWithLongInteractions");
        Assert.Equal(BsonDocument.Parse("{ $match: { durationSeconds: { $gt: 3000.0 } } }"), stages[0]);
        Assert.Equal(new BsonDocument("$limit", 10), stages[^1]);
    }

    [Fact]
    public void Longest_SortsByDurationDescendingThenId_AndTakesOne()
    {
        var (_, stages) = Render("Longest");
        Assert.Equal(
            [BsonDocument.Parse("{ $sort: { durationSeconds: -1, _id: 1 } }"), BsonDocument.Parse("{ $limit: 1 }")],
            stages);
    }

    [Fact]
    public void DailyTrend_TruncatesTheStartTimeToTheUtcDay()
    {
        var (_, stages) = Render("DailyTrend");
        Assert.Equal(BsonDocument.Parse("{ $dateTrunc: { date: '$startTime', unit: 'day' } }"), stages[0]["$group"]["_id"]);
    }
}
