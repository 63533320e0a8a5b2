namespace CallStream.Pipeline;

/// <summary>
/// Computes, per partition, the offset a source may commit: one past the last record such that it and every
/// earlier record of the partition are durable in every sink. Records complete in any order (event-time
/// ordering and batching reorder them); the commit point only moves over a contiguous done prefix, so a crash
/// replays records instead of losing them (at-least-once).
/// </summary>
public sealed class CheckpointTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, PartitionState> _partitions = [];

    /// <summary>Occurs when a partition's committable offset moves forward; the arguments are the partition and the offset to commit.</summary>
    public event Action<int, long>? Advanced;

    /// <summary>Starts tracking a record; records of one partition must be begun in offset order.</summary>
    /// <param name="partition">The record's partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <returns>The record's ticket; call <see cref="RecordTicket.Complete"/> once it is processed.</returns>
    /// <exception cref="ArgumentException">The offset is not after the previous one of the partition.</exception>
    public RecordTicket Begin(int partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var ticket = new RecordTicket(this, partition, offset);
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var state))
            {
                state = new PartitionState(offset);
                _partitions.Add(partition, state);
            }
            if (state.LastBegun is long last && offset <= last)
                throw new ArgumentException($"Partition {partition}: offset {offset} begun after offset {last}; records must be begun in offset order.", nameof(offset));
            if (state.InFlight.Count == 0 && state.LastBegun is null)
                state.Committable = offset;
            state.LastBegun = offset;
            state.InFlight.Enqueue(ticket);
        }
        return ticket;
    }

    /// <summary>Gets the offset to commit for a partition (one past the last durable record of the contiguous prefix).</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset to commit, when any record of the partition is durable.</param>
    /// <returns><see langword="true"/> when there is something to commit.</returns>
    public bool TryGetCommittable(int partition, out long offset)
    {
        lock (_lock)
        {
            if (_partitions.TryGetValue(partition, out var state) && state.Committable is long c && state.AnyDone)
            {
                offset = c;
                return true;
            }
        }
        offset = 0;
        return false;
    }

    /// <summary>Gets how many records are begun but not yet durable, over all partitions.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
                return _partitions.Values.Sum(p => p.InFlight.Count);
        }
    }

    /// <summary>Stops tracking a partition (it was revoked); its in-flight records will be replayed by its next owner.</summary>
    /// <param name="partition">The partition.</param>
    public void Remove(int partition)
    {
        lock (_lock)
            _partitions.Remove(partition);
    }

    internal void OnDone(RecordTicket ticket)
    {
        long? advancedTo = null;
        lock (_lock)
        {
            if (!_partitions.TryGetValue(ticket.Partition, out var state))
                return; // revoked meanwhile
            while (state.InFlight.TryPeek(out var head) && head.IsDone)
            {
                state.InFlight.Dequeue();
                state.Committable = head.Offset + 1;
                state.AnyDone = true;
                advancedTo = state.Committable;
            }
        }
        if (advancedTo is long offset)
            Advanced?.Invoke(ticket.Partition, offset);
    }

    private sealed class PartitionState(long first)
    {
        public Queue<RecordTicket> InFlight { get; } = new();

        public long? LastBegun { get; set; }

        public long? Committable { get; set; } = first;

        public bool AnyDone { get; set; }
    }
}
