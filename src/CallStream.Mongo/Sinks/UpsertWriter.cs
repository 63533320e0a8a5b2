using System.Diagnostics;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace CallStream.Mongo;

/// <summary>
/// Writes a batch as one unordered bulk of upserts (<c>ReplaceOne</c> by <c>_id</c> with <c>IsUpsert</c>), so that
/// writing the same items again stores them once. Shared by <see cref="MongoInteractionSink"/> and <see cref="MongoAlertSink"/>.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class UpsertWriter<T>
    where T : class
{
    private static readonly BulkWriteOptions Unordered = new() { IsOrdered = false };

    private readonly MongoStore _store;
    private readonly StoreCollection _collection;
    private readonly IBsonSerializer<T> _serializer;
    private readonly Func<T, string> _id;
    private readonly string _kind;

    public UpsertWriter(MongoStore store, StoreCollection collection, IBsonSerializer<T> serializer, Func<T, string> id, string kind)
    {
        _store = store;
        _collection = collection;
        _serializer = serializer;
        _id = id;
        _kind = kind;
    }

    /// <summary>Builds the upserts of a batch; each document is serialized straight to the wire when the bulk is sent.</summary>
    /// <param name="batch">The items.</param>
    /// <param name="serializer">Their serializer.</param>
    /// <param name="id">Gives an item's <c>_id</c>.</param>
    /// <returns>One <see cref="ReplaceOneModel{TDocument}"/> per item.</returns>
    public static List<WriteModel<BsonDocument>> BuildModels(IReadOnlyList<T> batch, IBsonSerializer<T> serializer, Func<T, string> id)
    {
        var models = new List<WriteModel<BsonDocument>>(batch.Count);
        for (int i = 0; i < batch.Count; i++)
        {
            var item = batch[i] ?? throw new ArgumentException($"The batch holds a null item at position {i}.", nameof(batch));
            models.Add(new ReplaceOneModel<BsonDocument>(new BsonDocument("_id", id(item)), new BsonDocumentWrapper(item, serializer)) { IsUpsert = true });
        }
        return models;
    }

    /// <summary>Gets the counts of new and already stored documents, from the server's answers.</summary>
    public UpsertTally Tally { get; } = new();

    public async ValueTask WriteAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
            return;
        var models = BuildModels(batch, _serializer, _id);
        await _store.EnsureIndexesAsync(_collection, force: false, cancellationToken).ConfigureAwait(false);
        string collection = _store.CollectionName(_collection);
        long started = Stopwatch.GetTimestamp();
        try
        {
            var result = await _store.Collection(_collection).BulkWriteAsync(models, Unordered, cancellationToken).ConfigureAwait(false);
            long inserted = result.Upserts.Count;
            long updated = result.IsModifiedCountAvailable ? result.ModifiedCount : 0;
            long unchanged = result.MatchedCount - updated;
            Tally.Record(batch.Count, [.. result.Upserts.Select(u => u.Index)], [], i => _id(batch[i]), final: true);
            _store.Metrics.Written(collection, inserted, updated, unchanged, 0, Stopwatch.GetElapsedTime(started));
            Log.BatchWritten(_store.Logger, batch.Count, collection, inserted, updated, unchanged);
        }
        catch (MongoBulkWriteException<BsonDocument> ex)
        {
            var outcome = BulkWriteOutcome.Classify(ex, i => _id(batch[i]));
            var result = ex.Result;
            int[] upserted = result is { IsAcknowledged: true } ? [.. result.Upserts.Select(u => u.Index)] : [];
            Tally.Record(batch.Count, upserted, [.. outcome.Failures.Select(f => f.Index)], i => _id(batch[i]), final: outcome.OthersStored);
            if (!outcome.AllStored)
                throw outcome.ToException(_store.Scrub(outcome.Describe(batch.Count, _kind, collection)), _store.Endpoint, ex);
            long inserted = result.Upserts.Count;
            long updated = result.IsModifiedCountAvailable ? result.ModifiedCount : 0;
            _store.Metrics.Written(collection, inserted, updated, result.MatchedCount - updated, outcome.Duplicates, Stopwatch.GetElapsedTime(started));
            Log.DuplicatesStored(_store.Logger, outcome.Duplicates, collection);
        }
        catch (Exception ex) when (MongoStore.IsConnectivityFailure(ex))
        {
            throw _store.Unavailable(ex, $"writing {batch.Count} {_kind} to {collection}");
        }
    }
}
