namespace CallStream.Mongo;

/// <summary>
/// Counts, from the answers to a sink's bulk upserts, the documents that were new to the collection (upserted) and those
/// it already held (matched, or a duplicate key on <c>_id</c>: stored by a concurrent upsert, or twice in one batch).
/// </summary>
/// <remarks>
/// A batch that failed for a transient reason is written again, and its documents that the failed attempt upserted
/// are then matched: they are remembered by id, so that they still count as new. A batch whose answer was lost (the
/// connection dropped after the server wrote it) cannot be told apart: its documents count as already stored.
/// </remarks>
internal sealed class UpsertTally
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _upsertedByUnfinishedBatches = new(StringComparer.Ordinal);
    private long _added;
    private long _alreadyStored;

    /// <summary>Gets how many documents were new to the collection.</summary>
    public long Added => Interlocked.Read(ref _added);

    /// <summary>Gets how many documents the collection already held.</summary>
    public long AlreadyStored => Interlocked.Read(ref _alreadyStored);

    /// <summary>Records the answer to one bulk upsert of a batch.</summary>
    /// <param name="count">How many documents the batch held.</param>
    /// <param name="upserted">The positions the server reports as upserted (inserted).</param>
    /// <param name="failed">The positions that were not written (not duplicate keys on <c>_id</c>).</param>
    /// <param name="idAt">Gives the <c>_id</c> at a position.</param>
    /// <param name="final">Whether the batch is done: written, or its failures are refused for good. When it is not, it
    /// is written again, and only the ids it upserted are remembered.</param>
    /// <returns>How many documents were new and how many already stored (both 0 when not <paramref name="final"/>).</returns>
    public (long Added, long AlreadyStored) Record(int count, IReadOnlyCollection<int> upserted, IReadOnlyCollection<int> failed, Func<int, string> idAt, bool final)
    {
        long added = 0;
        long already = 0;
        lock (_lock)
        {
            if (final && failed.Count == 0 && _upsertedByUnfinishedBatches.Count == 0)
            {
                // The common case: every document is written and none was upserted by an earlier attempt.
                added = upserted.Count;
                already = count - added;
                Interlocked.Add(ref _added, added);
                Interlocked.Add(ref _alreadyStored, already);
                return (added, already);
            }
            var upsertedAt = upserted.ToHashSet();
            var failedAt = failed.ToHashSet();
            for (int i = 0; i < count; i++)
            {
                if (failedAt.Contains(i))
                    continue;
                string id = idAt(i);
                if (!final)
                {
                    if (upsertedAt.Contains(i))
                        _upsertedByUnfinishedBatches.Add(id);
                }
                else
                {
                    bool upsertedBefore = _upsertedByUnfinishedBatches.Remove(id);
                    if (upsertedAt.Contains(i) || upsertedBefore)
                        added++;
                    else
                        already++;
                }
            }
        }
        Interlocked.Add(ref _added, added);
        Interlocked.Add(ref _alreadyStored, already);
        return (added, already);
    }
}
