using CallStream.Mongo.Tests.Harness;
using CallStream.Testing;
using MongoDB.Bson;

namespace CallStream.Mongo.Tests;

public class InteractionBsonSerializerTests
{
    private static readonly InteractionBsonSerializer Serializer = new();

    private static BsonDocument Write(Interaction interaction) => BsonDocuments.Of(interaction, Serializer);

    private static Interaction Read(BsonDocument document) => BsonDocuments.Read(document, Serializer);

    [Fact]
    public void Serialize_WritesTheDataContractFields_InOrder()
    {
        var document = Write(DashboardFixture.Get("i13"));

        Assert.Equal(
            BsonDocument.Parse("""
            { "_id": "i13", "customerId": "c6", "agentId": "a5", "channel": "chat",
              "startTime": { "$date": "2024-03-03T11:00:00Z" }, "durationSeconds": 60.0, "outcome": "resolved",
              "attributes": { "queue": "billing", "region": "north.east" } }
            """),
            document);
        Assert.Equal(BsonType.Double, document["durationSeconds"].BsonType);
        Assert.Equal(BsonType.DateTime, document["startTime"].BsonType);
    }

    [Fact]
    public void Serialize_WritesSatisfactionAsInt32_AndOmitsItWhenAbsent()
    {
        Assert.Equal(new BsonInt32(5), Write(DashboardFixture.Get("i01"))["satisfaction"]);
        Assert.False(Write(DashboardFixture.Get("i03")).Contains("satisfaction"));
        Assert.False(Write(DashboardFixture.Get("i03")).Contains("attributes"));
    }

    [Fact]
    public void Serialize_StoresTheStartTimeInUtc_TruncatedToTheMillisecond()
    {
        // i04 starts at 11:00:00.0004567Z; i07 at 08:15+02:00.
        Assert.Equal(new DateTime(2024, 3, 1, 11, 0, 0, DateTimeKind.Utc), Write(DashboardFixture.Get("i04"))["startTime"].ToUniversalTime());
        Assert.Equal(new DateTime(2024, 3, 2, 6, 15, 0, DateTimeKind.Utc), Write(DashboardFixture.Get("i07"))["startTime"].ToUniversalTime());
        var beforeMidnight = Write(DashboardFixture.Get("i05"))["startTime"].AsBsonDateTime.MillisecondsSinceEpoch;
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 23, 59, 59, 999, TimeSpan.Zero).ToUnixTimeMilliseconds(), beforeMidnight);
    }

    [Fact]
    public void RoundTrip_GivesAnEqualInteraction_AtMillisecondPrecision()
    {
        foreach (var interaction in DashboardFixture.Interactions.Where(i => i.StartTime.Ticks % TimeSpan.TicksPerMillisecond == 0))
            Assert.Equal(interaction, Read(Write(interaction)));
    }

    [Fact]
    public void RoundTrip_OfASubMillisecondStart_KeepsEverythingButTheSubMillisecondPart()
    {
        var original = DashboardFixture.Get("i04");
        var back = Read(Write(original));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 11, 0, 0, TimeSpan.Zero), back.StartTime);
        Assert.Equal((original.InteractionId, original.DurationSeconds, original.Satisfaction), (back.InteractionId, back.DurationSeconds, back.Satisfaction));
    }

    [Fact]
    public void Deserialize_AcceptsNullSatisfaction_IntegerDurations_TextInstants_AndUnknownFields()
    {
        var document = BsonDocument.Parse("""
            { "_id": "x", "customerId": "c", "agentId": "a", "channel": "Voice Call", "startTime": "2024-03-01T10:00:00+01:00",
              "durationSeconds": { "$numberLong": "42" }, "outcome": "FAILED", "satisfaction": null, "future": [1, 2] }
            """);
        var interaction = Read(document);
        Assert.Equal(new Interaction("x", "c", "a", Channel.Voice, new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.Zero), 42, Outcome.Failed), interaction);
    }

    [Theory]
    [InlineData("""{ "customerId": "c" }""", "_id", "is required")]
    [InlineData("""{ "_id": "x", "agentId": "a", "channel": "chat", "startTime": { "$date": "2024-03-01T00:00:00Z" }, "durationSeconds": 1, "outcome": "resolved" }""", "customerId", "is required (document _id 'x')")]
    [InlineData("""{ "_id": 7 }""", "_id", "must be text, not BSON Int32")]
    [InlineData("""{ "_id": "x", "channel": "fax" }""", "channel", "unknown channel")]
    [InlineData("""{ "_id": "x", "outcome": 3 }""", "outcome", "must be text")]
    [InlineData("""{ "_id": "x", "startTime": "yesterday" }""", "startTime", "not an ISO-8601 instant")]
    [InlineData("""{ "_id": "x", "durationSeconds": "long" }""", "durationSeconds", "must be a number")]
    [InlineData("""{ "_id": "x", "satisfaction": 4.5 }""", "satisfaction", "must be an integer")]
    [InlineData("""{ "_id": "x", "attributes": { "queue": 1 } }""", "attributes.queue", "must be text")]
    [InlineData("""{ "_id": "x", "customerId": "c", "agentId": "a", "channel": "chat", "startTime": { "$date": "2024-03-01T00:00:00Z" }, "durationSeconds": -1, "outcome": "resolved" }""", "durationSeconds", "document _id 'x'")]
    public void Deserialize_InvalidDocument_NamesTheField(string json, string field, string reason)
    {
        var ex = Assert.Throws<InteractionFormatException>(() => Read(BsonDocument.Parse(json)));
        Assert.Equal(field, ex.Field);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntryPoints_RejectNull()
    {
        Assert.Throws<ArgumentNullException>(() => Serializer.Serialize(null!, default, DashboardFixture.Get("i01")));
        Assert.Throws<ArgumentNullException>(() => Serializer.Deserialize(null!, default));
        Assert.Throws<ArgumentNullException>(() => Write(null!));
    }
}
