using MongoDB.Bson;

namespace CallStream.Mongo.Tests.Harness;

/// <summary>Runs an aggregation pipeline over a collection in place of a MongoDB server.</summary>
internal interface IPipelineEngine
{
    /// <summary>Runs the pipeline.</summary>
    /// <param name="collection">The collection the pipeline starts from.</param>
    /// <param name="stages">The stages.</param>
    /// <returns>The result documents.</returns>
    IReadOnlyList<BsonDocument> Run(string collection, IReadOnlyList<BsonDocument> stages);
}

/// <summary>Records each pipeline and returns no documents: for asserting what the LINQ provider renders.</summary>
internal sealed class RecordingEngine : IPipelineEngine
{
    public List<(string Collection, BsonDocument[] Stages)> Runs { get; } = [];

    public IReadOnlyList<BsonDocument> Run(string collection, IReadOnlyList<BsonDocument> stages)
    {
        Runs.Add((collection, stages.ToArray()));
        return [];
    }
}
