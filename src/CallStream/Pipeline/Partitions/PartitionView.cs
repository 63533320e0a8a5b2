namespace CallStream.Pipeline;

/// <summary>The figures of an assigned partition: written by the pipeline's loop, read by statistics from any thread.</summary>
internal sealed class PartitionView(int partition, long committed, long warmUpFrom)
{
    private long _stored = -1;
    private long _lastRead = -1;
    private volatile bool _caughtUp;

    public int Partition { get; } = partition;

    public long Stored
    {
        get => Interlocked.Read(ref _stored);
        set => Interlocked.Exchange(ref _stored, value);
    }

    public long LastRead
    {
        get => Volatile.Read(ref _lastRead);
        set => Volatile.Write(ref _lastRead, value);
    }

    public bool CaughtUp
    {
        get => _caughtUp;
        set => _caughtUp = value;
    }

    public PartitionStatistics Snapshot() => new(Partition, committed, Stored, warmUpFrom, LastRead, CaughtUp);
}
