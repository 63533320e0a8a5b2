namespace CallStream.Testing.Pipeline;

/// <summary>
/// An in-memory partitioned log with a consumer group's committed offsets: what <see cref="FakeInteractionSource"/>
/// reads, and what outlives a source (a restart creates another source over the same topic).
/// </summary>
/// <remarks>Thread-safe. A record is an interaction, or a poison record (a reason) that a source reports as dead-lettered.
/// Timestamps are the interactions' start times (as with event-time message timestamps) unless given.</remarks>
public sealed class FakeTopic
{
    private readonly Lock _lock = new();
    private readonly List<FakeRecord>[] _partitions;
    private readonly Dictionary<int, long> _committed = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates an empty topic.</summary>
    /// <param name="partitions">The number of partitions.</param>
    public FakeTopic(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        _partitions = [.. Enumerable.Range(0, partitions).Select(_ => new List<FakeRecord>())];
    }

    /// <summary>Gets the number of partitions.</summary>
    public int PartitionCount => _partitions.Length;

    /// <summary>Gets a task that completes the next time a record is appended.</summary>
    public Task Changed
    {
        get
        {
            lock (_lock)
                return _changed.Task;
        }
    }

    /// <summary>Picks a partition for a key as a producer would (stable, not Kafka's murmur2).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The partition.</returns>
    public int PartitionOf(string key)
    {
        uint hash = 2166136261;
        foreach (char c in key)
            hash = (hash ^ c) * 16777619;
        return (int)(hash % (uint)_partitions.Length);
    }

    /// <summary>Appends interactions, each to the partition of its customer id.</summary>
    /// <param name="interactions">The interactions, in order.</param>
    public void Append(IEnumerable<Interaction> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        lock (_lock)
        {
            foreach (var interaction in interactions)
                _partitions[PartitionOf(interaction.CustomerId)].Add(new FakeRecord(interaction, null, interaction.StartTime));
            Signal();
        }
    }

    /// <summary>Appends a record to a partition.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="interaction">The interaction.</param>
    /// <returns>The record's offset.</returns>
    public long Append(int partition, Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        lock (_lock)
        {
            _partitions[partition].Add(new FakeRecord(interaction, null, interaction.StartTime));
            Signal();
            return _partitions[partition].Count - 1;
        }
    }

    /// <summary>Appends a record that is not a valid interaction (a source reports it dead-lettered).</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="reason">Why it is invalid.</param>
    /// <param name="timestamp">Its timestamp.</param>
    /// <returns>The record's offset.</returns>
    public long AppendPoison(int partition, string reason, DateTimeOffset timestamp)
    {
        lock (_lock)
        {
            _partitions[partition].Add(new FakeRecord(null, reason, timestamp));
            Signal();
            return _partitions[partition].Count - 1;
        }
    }

    /// <summary>Gets the number of records in a partition (its end offset).</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The end offset.</returns>
    public long EndOf(int partition)
    {
        lock (_lock)
            return _partitions[partition].Count;
    }

    /// <summary>Gets a record.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset.</param>
    /// <returns>The record.</returns>
    public FakeRecord Get(int partition, long offset)
    {
        lock (_lock)
            return _partitions[partition][checked((int)offset)];
    }

    /// <summary>Gets every record of a partition.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The records, by offset.</returns>
    public IReadOnlyList<FakeRecord> Records(int partition)
    {
        lock (_lock)
            return [.. _partitions[partition]];
    }

    /// <summary>Gets the committed offset of a partition, or -1 when none.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The committed offset.</returns>
    public long CommittedOf(int partition)
    {
        lock (_lock)
            return _committed.TryGetValue(partition, out long offset) ? offset : -1;
    }

    /// <summary>Commits an offset (as a group coordinator would; a lower offset than the committed one is kept too, as Kafka does).</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset.</param>
    public void Commit(int partition, long offset)
    {
        lock (_lock)
            _committed[partition] = offset;
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}

/// <summary>A record of a <see cref="FakeTopic"/>: an interaction, or a poison record with a reason.</summary>
/// <param name="Interaction">The interaction, or <see langword="null"/> for a poison record.</param>
/// <param name="PoisonReason">Why the record is invalid, or <see langword="null"/>.</param>
/// <param name="Timestamp">The record's timestamp.</param>
public sealed record FakeRecord(Interaction? Interaction, string? PoisonReason, DateTimeOffset Timestamp);
