using System.Collections.Concurrent;

namespace CallStream.Testing.Pipeline;

/// <summary>
/// An idempotent in-memory sink, as the real stores are: items are kept by id (a second write of an id is counted as
/// a duplicate and stored once). It can be made to fail, for good or a number of times, to refuse chosen items for good
/// (as a store refuses a document that fails validation), and to wait at a gate.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class MemoryStore<T> : IBatchedSink<T>, IDeduplicatingSink
    where T : class
{
    private readonly Func<T, string> _idOf;
    private readonly ConcurrentDictionary<string, T> _items = new(StringComparer.Ordinal);
    private long _writes;
    private long _duplicates;
    private long _batches;
    private long _refused;

    /// <summary>Creates a store that keys items by <paramref name="idOf"/>.</summary>
    /// <param name="idOf">The id of an item.</param>
    public MemoryStore(Func<T, string> idOf)
    {
        ArgumentNullException.ThrowIfNull(idOf);
        _idOf = idOf;
    }

    /// <summary>Gets or sets a predicate that fails a batch (with an <see cref="IOException"/>) when it returns true.</summary>
    public Func<IReadOnlyList<T>, bool>? FailWhen { get; set; }

    /// <summary>
    /// Gets or sets a predicate for items the store refuses for good: the batch's other items are stored, then the write
    /// throws a <see cref="SinkItemsRejectedException"/> that names the refused items' positions.
    /// </summary>
    public Func<T, bool>? RejectWhen { get; set; }

    /// <summary>Gets how many times an item was refused (<see cref="RejectWhen"/>).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Gets or sets a gate every write waits at (null: none).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Gets the stored items by id.</summary>
    public IReadOnlyDictionary<string, T> Items => _items;

    /// <summary>Gets how many items were written, duplicates included.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Gets how many written items had an id already stored.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <inheritdoc/>
    public long AlreadyStored => Duplicates;

    /// <summary>Gets how many batches were written.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <inheritdoc/>
    public async ValueTask WriteBatchAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Gate is { } gate)
            await gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (FailWhen is { } fail && fail(batch))
            throw new IOException($"injected failure of a batch of {batch.Count}");
        List<RejectedItem>? rejected = null;
        for (int i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            if (RejectWhen is { } reject && reject(item))
            {
                (rejected ??= []).Add(new RejectedItem(i, $"'{_idOf(item)}' fails validation"));
                continue;
            }
            Interlocked.Increment(ref _writes);
            if (!_items.TryAdd(_idOf(item), item))
                Interlocked.Increment(ref _duplicates);
        }
        Interlocked.Increment(ref _batches);
        if (rejected is not null)
        {
            Interlocked.Add(ref _refused, rejected.Count);
            throw new SinkItemsRejectedException($"{rejected.Count} of {batch.Count} item(s) refused", rejected, othersStored: true, innerException: null);
        }
    }
}

/// <summary>Creates <see cref="MemoryStore{T}"/>s for the model's types.</summary>
public static class MemoryStore
{
    /// <summary>Creates a store of alerts keyed by alert id.</summary>
    /// <returns>The store.</returns>
    public static MemoryStore<Alert> ForAlerts() => new(a => a.AlertId);

    /// <summary>Creates a store of interactions keyed by interaction id.</summary>
    /// <returns>The store.</returns>
    public static MemoryStore<Interaction> ForInteractions() => new(i => i.InteractionId);
}
