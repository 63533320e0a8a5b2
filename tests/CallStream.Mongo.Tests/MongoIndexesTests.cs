using MongoDB.Bson;

namespace CallStream.Mongo.Tests;

public class MongoIndexesTests
{
    private static (string Name, BsonDocument Keys)[] Describe(IEnumerable<MongoDB.Driver.CreateIndexModel<BsonDocument>> models) =>
        models.Select(m => (m.Options.Name, (BsonDocument)m.Keys.Render(new MongoDB.Driver.RenderArgs<BsonDocument>(
            MongoDB.Bson.Serialization.Serializers.BsonDocumentSerializer.Instance, MongoDB.Bson.Serialization.BsonSerializer.SerializerRegistry)))).ToArray();

    [Fact]
    public void ForInteractions_IndexesCustomerAgentAndChannelWithStartTime()
    {
        Assert.Equal(
            [("customerId_1", new BsonDocument("customerId", 1)), ("agentId_1", new BsonDocument("agentId", 1)),
             ("channel_1_startTime_1", new BsonDocument { { "channel", 1 }, { "startTime", 1 } })],
            Describe(MongoIndexes.ForInteractions()));
    }

    [Fact]
    public void ForAlerts_IndexesRuleWithTriggeredAtAndKey()
    {
        Assert.Equal(
            [("rule_1_triggeredAt_1", new BsonDocument { { "rule", 1 }, { "triggeredAt", 1 } }), ("key_1", new BsonDocument("key", 1))],
            Describe(MongoIndexes.ForAlerts()));
    }

    [Fact]
    public void Indexes_AreNamedAsTheServerWouldNameThem_SoCreatingThemAgainIsANoOp()
    {
        foreach (var (name, keys) in Describe(MongoIndexes.ForInteractions().Concat(MongoIndexes.ForAlerts())))
            Assert.Equal(string.Join("_", keys.Elements.Select(e => e.Name + "_" + e.Value)), name);
    }
}
