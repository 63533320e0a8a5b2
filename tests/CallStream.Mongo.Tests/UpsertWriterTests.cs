using CallStream.Testing;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;
using MongoDB.Driver;

namespace CallStream.Mongo.Tests;

public class UpsertWriterTests
{
    private static BsonDocument Render(FilterDefinition<BsonDocument> filter) =>
        filter.Render(new RenderArgs<BsonDocument>(BsonDocumentSerializer.Instance, BsonSerializer.SerializerRegistry));

    [Fact]
    public void BuildModels_GivesOneReplaceOneUpsertPerItem_ById()
    {
        var batch = DashboardFixture.Interactions.Take(3).ToList();
        var models = UpsertWriter<Interaction>.BuildModels(batch, new InteractionBsonSerializer(), i => i.InteractionId);

        Assert.Equal(3, models.Count);
        for (int i = 0; i < 3; i++)
        {
            var model = Assert.IsType<ReplaceOneModel<BsonDocument>>(models[i]);
            Assert.True(model.IsUpsert);
            Assert.Equal(new BsonDocument("_id", batch[i].InteractionId), Render(model.Filter));
            Assert.Equal(batch[i].InteractionId, model.Replacement["_id"].AsString);
        }
    }

    [Fact]
    public void BuildModels_ReplacementIsTheStoredDocument_SerializedOnlyWhenSent()
    {
        var alert = DashboardFixture.Alerts[3];
        var model = (ReplaceOneModel<BsonDocument>)UpsertWriter<Alert>.BuildModels([alert], new AlertBsonSerializer(), a => a.AlertId)[0];

        var wrapper = Assert.IsType<BsonDocumentWrapper>(model.Replacement);
        Assert.False(wrapper.IsMaterialized);
        Assert.Equal(Harness.BsonDocuments.Of(alert, new AlertBsonSerializer()), BsonSerializer.Deserialize<BsonDocument>(model.Replacement.ToBson()));
        Assert.Equal(new BsonDocument("_id", alert.AlertId), Render(model.Filter));
    }

    [Fact]
    public void BuildModels_ReplayedItems_TargetTheSameId()
    {
        var replayed = DashboardFixture.Interactions.Where(i => i.InteractionId == "i03").ToList();
        var models = UpsertWriter<Interaction>.BuildModels(replayed, new InteractionBsonSerializer(), i => i.InteractionId);
        Assert.Equal(2, models.Count);
        Assert.All(models, m => Assert.Equal(new BsonDocument("_id", "i03"), Render(((ReplaceOneModel<BsonDocument>)m).Filter)));
    }

    [Fact]
    public void BuildModels_NullItem_IsRejectedWithItsPosition()
    {
        var ex = Assert.Throws<ArgumentException>(() => UpsertWriter<Interaction>.BuildModels([DashboardFixture.Get("i01"), null!], new InteractionBsonSerializer(), i => i.InteractionId));
        Assert.Contains("position 1", ex.Message, StringComparison.Ordinal);
    }
}
