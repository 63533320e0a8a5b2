using CallStream.Mongo.Tests.Harness;
using CallStream.Testing;
using MongoDB.Bson;

namespace CallStream.Mongo.Tests;

public class AlertBsonSerializerTests
{
    private static readonly AlertBsonSerializer Serializer = new();

    private static BsonDocument Write(Alert alert) => BsonDocuments.Of(alert, Serializer);

    private static Alert Read(BsonDocument document) => BsonDocuments.Read(document, Serializer);

    [Fact]
    public void Serialize_PerEventAlert_WritesTheDataContractFields()
    {
        var alert = DashboardFixture.Alerts[0];
        Assert.Equal(
            BsonDocument.Parse($$"""
            { "_id": "{{alert.AlertId}}", "rule": "long-call", "severity": "warning", "key": "i03", "interactionId": "i03",
              "triggeredAt": { "$date": "2024-03-01T10:00:00Z" }, "message": "i03 took too long" }
            """),
            Write(alert));
    }

    [Fact]
    public void Serialize_WindowedAlert_WritesTheWindowAndTheValuesByTheirText()
    {
        var document = Write(DashboardFixture.Alerts[3]);
        Assert.Equal(new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc), document["windowStart"].ToUniversalTime());
        Assert.Equal(new DateTime(2024, 3, 1, 11, 0, 0, DateTimeKind.Utc), document["windowEnd"].ToUniversalTime());
        Assert.Equal(
            new BsonDocument { { "count(*)", 2.0 }, { "rate(outcome = 'failed')", 0.5 }, { "avg(satisfaction)", BsonNull.Value }, { "max(attributes.wait)", 12.5 } },
            document["values"]);
    }

    [Fact]
    public void RoundTrip_GivesAnEqualAlert()
    {
        foreach (var alert in DashboardFixture.Alerts.Where(a => a.TriggeredAt.Ticks % TimeSpan.TicksPerMillisecond == 0))
            Assert.Equal(alert, Read(Write(alert)));
    }

    [Fact]
    public void RoundTrip_OfASubMillisecondTrigger_TruncatesToTheMillisecond()
    {
        var alert = DashboardFixture.Alerts[3]; // triggered by i04 at 11:00:00.0004567Z
        var back = Read(Write(alert));
        Assert.Equal(alert.AlertId, back.AlertId);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 11, 0, 0, TimeSpan.Zero), back.TriggeredAt);
        Assert.Equal(alert.Values, back.Values);
    }

    [Fact]
    public void Deserialize_ATamperedId_IsRejectedNamingTheId()
    {
        var document = Write(DashboardFixture.Alerts[1]);
        document["_id"] = "0000000000000000";
        var ex = Assert.Throws<InteractionFormatException>(() => Read(document));
        Assert.Equal("_id", ex.Field);
        Assert.Contains("does not match", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "rule": "r" }""", "_id", "is required")]
    [InlineData("""{ "_id": "x", "severity": "fatal" }""", "severity", "unknown severity")]
    [InlineData("""{ "_id": "x", "triggeredAt": true }""", "triggeredAt", "must be a BSON date")]
    [InlineData("""{ "_id": "x", "values": [1] }""", "values", "must be a sub-document")]
    [InlineData("""{ "_id": "x", "values": { "count(*)": "many" } }""", "values.count(*)", "must be a number")]
    public void Deserialize_InvalidDocument_NamesTheField(string json, string field, string reason)
    {
        var ex = Assert.Throws<InteractionFormatException>(() => Read(BsonDocument.Parse(json)));
        Assert.Equal(field, ex.Field);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EntryPoints_RejectNull()
    {
        Assert.Throws<ArgumentNullException>(() => Serializer.Serialize(null!, default, DashboardFixture.Alerts[0]));
        Assert.Throws<ArgumentNullException>(() => Serializer.Deserialize(null!, default));
        Assert.Throws<ArgumentNullException>(() => Write(null!));
    }
}
