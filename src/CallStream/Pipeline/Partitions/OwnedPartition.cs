namespace CallStream.Pipeline;

/// <summary>A partition assigned to this pipeline now: its log, its figures, and where its new records begin.</summary>
internal sealed class OwnedPartition(PartitionLog log, PartitionView view)
{
    public PartitionLog Log { get; } = log;

    public PartitionView View { get; } = view;

    public int Partition => View.Partition;

    /// <summary>Gets the committed offset at assignment: records before it only warm up state.</summary>
    public long WarmUpUntil { get; init; } = -1;

    /// <summary>Gets the event times of the records read under this assignment that are not committed yet.</summary>
    public InFlightEventTimes InFlight { get; } = new();

    /// <summary>Gets or sets the last offset begun in the checkpoint under this assignment (a record read again is not begun twice).</summary>
    public long LastBegun { get; set; } = -1;
}
