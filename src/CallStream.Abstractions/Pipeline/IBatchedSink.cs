namespace CallStream;

/// <summary>
/// A destination that durably writes items in batches (a MongoDB collection, a file, a Kafka topic).
/// Implementations write the whole batch or throw; the CallStream core owns buffering, retries with backoff,
/// flushing and checkpointing. Writes must be idempotent: the same item written twice is stored once.
/// </summary>
/// <typeparam name="T">The item type: <see cref="Interaction"/> or <see cref="Alert"/>.</typeparam>
public interface IBatchedSink<in T>
{
    /// <summary>Writes a batch durably; returns only when every item is stored, throws otherwise.</summary>
    /// <param name="batch">The items, in order.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the batch is durable.</returns>
    ValueTask WriteBatchAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken);
}
