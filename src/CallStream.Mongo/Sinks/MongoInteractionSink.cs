namespace CallStream.Mongo;

/// <summary>
/// Stores interactions in the <c>interactions</c> collection (<c>_id</c> = interaction id) as unordered bulk upserts,
/// so that replays and redeliveries never duplicate. This sink only writes, and throws when it cannot; added to a host
/// (<c>AddMongoInteractionSink</c>) or a pipeline, it gets batching, retries with backoff and checkpointing there.
/// </summary>
public sealed class MongoInteractionSink : IBatchedSink<Interaction>, IDeduplicatingSink
{
    private readonly UpsertWriter<Interaction> _writer;

    /// <summary>Creates the sink on a store (no I/O until the first write).</summary>
    /// <param name="store">The store.</param>
    public MongoInteractionSink(MongoStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _writer = new UpsertWriter<Interaction>(store, StoreCollection.Interactions, new InteractionBsonSerializer(), i => i.InteractionId, "interactions");
    }

    /// <summary>Gets how many interactions written so far the collection already held: matched by their <c>_id</c> (an
    /// earlier run, a replay, twice in one batch) rather than inserted, by the server's answers.</summary>
    public long AlreadyStored => _writer.Tally.AlreadyStored;

    /// <summary>Gets how many interactions written so far were new to the collection (inserted by the upsert).</summary>
    public long Added => _writer.Tally.Added;

    /// <summary>Upserts a batch; returns when every interaction is acknowledged with the configured write concern.</summary>
    /// <param name="batch">The interactions.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    /// <exception cref="MongoStoreException">The server is unreachable, or some interactions could not be written (their ids are in <see cref="MongoStoreException.FailedIds"/>).</exception>
    /// <exception cref="SinkItemsRejectedException">Some interactions are refused for good (a validation failure, a document too large): their positions, with the server's reasons; the inner exception is the <see cref="MongoStoreException"/>.</exception>
    public ValueTask WriteBatchAsync(IReadOnlyList<Interaction> batch, CancellationToken cancellationToken) =>
        _writer.WriteAsync(batch, cancellationToken);
}
