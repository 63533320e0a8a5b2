namespace CallStream.Pipeline;

/// <summary>
/// Tracks one source record (for example a Kafka message) until everything it caused is durable: its own
/// processing and each sink write of the interaction and alerts it produced. The record's offset becomes
/// committable when its ticket and those of every earlier record of its partition are done.
/// </summary>
internal sealed class RecordTicket
{
    private readonly CheckpointTracker? _tracker;
    private int _pending = 1; // the record's own processing, released by Complete()

    internal RecordTicket(CheckpointTracker? tracker, int partition, long offset)
    {
        _tracker = tracker;
        Partition = partition;
        Offset = offset;
    }

    /// <summary>Gets the partition the record came from.</summary>
    public int Partition { get; }

    /// <summary>Gets the record's offset in its partition.</summary>
    public long Offset { get; }

    /// <summary>Gets whether everything the record caused is durable.</summary>
    public bool IsDone => Volatile.Read(ref _pending) == 0;

    /// <summary>Says that the record has been fully processed: its outputs are queued (each queued write holds the ticket until durable).</summary>
    public void Complete() => Release();

    /// <summary>Adds one pending write; called by <see cref="BatchingSink{T}"/> when it queues an item for this record.</summary>
    /// <exception cref="InvalidOperationException">The ticket is already done.</exception>
    public void AddPending()
    {
        int now = Interlocked.Increment(ref _pending);
        if (now <= 1)
            throw new InvalidOperationException($"Record {Partition}:{Offset} is already done; a write cannot be added to it.");
    }

    /// <summary>Releases one pending write (or the record's own processing).</summary>
    /// <exception cref="InvalidOperationException">The ticket was released more often than held.</exception>
    public void Release()
    {
        int now = Interlocked.Decrement(ref _pending);
        if (now < 0)
            throw new InvalidOperationException($"Record {Partition}:{Offset} was released more often than held.");
        if (now == 0)
            _tracker?.OnDone(this);
    }
}
