using CallStream.Testing;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;

namespace CallStream.Mongo.Tests.Harness;

/// <summary>Documents exactly as the sinks store them.</summary>
internal static class BsonDocuments
{
    public static BsonDocument Of<T>(T item, IBsonSerializer<T> serializer)
    {
        var document = new BsonDocument();
        using (var writer = new BsonDocumentWriter(document))
            serializer.Serialize(BsonSerializationContext.CreateRoot(writer), item);
        return document;
    }

    public static T Read<T>(BsonDocument document, IBsonSerializer<T> serializer)
    {
        using var reader = new BsonDocumentReader(document);
        return serializer.Deserialize(BsonDeserializationContext.CreateRoot(reader));
    }

    /// <summary>The fixture as the two collections would hold it after the sinks wrote it (one document per <c>_id</c>, the last write wins).</summary>
    public static Dictionary<string, IReadOnlyList<BsonDocument>> StoredFixture() => new()
    {
        ["interactions"] = Upserted(DashboardFixture.Interactions.Select(i => Of(i, new InteractionBsonSerializer()))),
        ["alerts"] = Upserted(DashboardFixture.Alerts.Select(a => Of(a, new AlertBsonSerializer()))),
    };

    private static List<BsonDocument> Upserted(IEnumerable<BsonDocument> writes)
    {
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        var stored = new List<BsonDocument>();
        foreach (var document in writes)
        {
            string id = document["_id"].AsString;
            if (byId.TryGetValue(id, out int at))
            {
                stored[at] = document;
            }
            else
            {
                byId.Add(id, stored.Count);
                stored.Add(document);
            }
        }
        return stored;
    }
}
