using CallStream.Insights;
using CallStream.Mongo.Tests.Harness;
using CallStream.Testing;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;

namespace CallStream.Mongo.Tests;

public class InsightsClassMapsTests
{
    [Fact]
    public void Register_MapsTheRecordsToTheStoredFieldNames()
    {
        InsightsClassMaps.Register();
        InsightsClassMaps.Register(); // idempotent

        var interaction = BsonClassMap.LookupClassMap(typeof(InteractionRecord));
        Assert.Equal(
            ["_id", "customerId", "agentId", "channel", "startTime", "durationSeconds", "outcome", "satisfaction"],
            interaction.AllMemberMaps.Select(m => m.ElementName));
        var alert = BsonClassMap.LookupClassMap(typeof(AlertRecord));
        Assert.Equal(["_id", "rule", "severity", "key", "interactionId", "triggeredAt", "message"], alert.AllMemberMaps.Select(m => m.ElementName));
    }

    [Fact]
    public void StoredDocuments_ReadAsTheRecordsOfTheInProcessTwin()
    {
        InsightsClassMaps.Register();
        var stored = BsonDocuments.StoredFixture();

        var interactions = stored["interactions"].Select(d => BsonSerializer.Deserialize<InteractionRecord>(d)).ToList();
        var alerts = stored["alerts"].Select(d => BsonSerializer.Deserialize<AlertRecord>(d)).ToList();

        var twin = InMemoryInsightsSource.From(DashboardFixture.Interactions, DashboardFixture.Alerts);
        Assert.Equal(twin.Interactions.ToList(), interactions);
        Assert.Equal(twin.Alerts.ToList(), alerts);
        Assert.All(interactions, r => Assert.Equal(DateTimeKind.Utc, r.StartTime.Kind));
    }

    [Fact]
    public void Records_WriteTheSameFieldsAsTheSinks()
    {
        InsightsClassMaps.Register();
        foreach (var interaction in DashboardFixture.Interactions.Where(i => i.Attributes.Count == 0 && i.StartTime.Ticks % TimeSpan.TicksPerMillisecond == 0))
        {
            var asRecord = InteractionRecord.From(interaction).ToBsonDocument();
            var asStored = BsonDocuments.Of(interaction, new InteractionBsonSerializer());
            Assert.Equal(asStored, asRecord);
        }
    }
}
