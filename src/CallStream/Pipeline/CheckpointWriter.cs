namespace CallStream.Pipeline;

/// <summary>
/// The last stage: stores with the source, from the pipeline's loop, the offsets the <see cref="CheckpointTracker"/>
/// says became committable (every record before them evaluated and durable in every sink), each with the event-time
/// position there when the pipeline tracks positions (<see cref="RuleStage.PositionAt"/>), so that the source can keep it
/// beside the commit for the next warm-up.
/// </summary>
internal sealed class CheckpointWriter(CheckpointTracker tracker, IInteractionSource source, PartitionLedger ledger, RuleStage? stage)
{
    private readonly Dictionary<int, long> _advanced = [];

    /// <summary>Stores every offset that advanced since the last call.</summary>
    public void StoreAdvanced()
    {
        if (tracker.DrainAdvanced(_advanced) == 0)
            return;
        foreach (var (partition, offset) in _advanced)
        {
            if (stage?.PositionAt(partition, offset) is { } position)
                source.StorePosition(partition, offset, position);
            else
                source.StoreOffset(partition, offset);
            ledger.SetStored(partition, offset);
        }
        _advanced.Clear();
    }

    /// <summary>Gets a task that completes when an offset is ready to store (sinks complete writes while the loop waits).</summary>
    public Task WhenAdvanced() => tracker.WhenAdvanced();
}
