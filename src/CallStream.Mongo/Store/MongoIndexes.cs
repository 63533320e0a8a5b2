using MongoDB.Bson;
using MongoDB.Driver;

namespace CallStream.Mongo;

/// <summary>
/// The indexes CallStream creates: on <c>interactions</c> by <c>customerId</c>, by <c>agentId</c>, and by
/// <c>channel</c> + <c>startTime</c>; on <c>alerts</c> by <c>rule</c> + <c>triggeredAt</c> and by <c>key</c>. Each is
/// named after its keys as MongoDB would name it, so creating them again is a no-op.
/// </summary>
internal static class MongoIndexes
{
    /// <summary>Gets the index definitions of the interactions collection.</summary>
    /// <returns>The index models.</returns>
    public static IReadOnlyList<CreateIndexModel<BsonDocument>> ForInteractions() =>
    [
        Ascending("customerId"),
        Ascending("agentId"),
        Ascending("channel", "startTime"),
    ];

    /// <summary>Gets the index definitions of the alerts collection.</summary>
    /// <returns>The index models.</returns>
    public static IReadOnlyList<CreateIndexModel<BsonDocument>> ForAlerts() =>
    [
        Ascending("rule", "triggeredAt"),
        Ascending("key"),
    ];

    private static CreateIndexModel<BsonDocument> Ascending(params string[] fields)
    {
        var keys = new BsonDocument();
        foreach (string field in fields)
            keys.Add(field, 1);
        return new CreateIndexModel<BsonDocument>(keys, new CreateIndexOptions { Name = string.Join('_', fields.Select(f => f + "_1")) });
    }
}
