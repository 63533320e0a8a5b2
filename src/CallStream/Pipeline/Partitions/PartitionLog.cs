using System.Runtime.InteropServices;

namespace CallStream.Pipeline;

/// <summary>
/// What this pipeline's engine holds of a partition: kept across hand-overs, as the engine's state is, so a partition
/// that comes back is neither warmed up nor evaluated twice.
/// </summary>
internal sealed class PartitionLog
{
    private long _offeredUpTo = -1;

    /// <summary>Gets or sets the highest offset offered to the engine (read by the warm-up planner on the source's thread).</summary>
    public long OfferedUpTo
    {
        get => Volatile.Read(ref _offeredUpTo);
        set => Volatile.Write(ref _offeredUpTo, value);
    }

    /// <summary>Gets what the records offered so far hold in event time, for the warm-up offset of each commit.</summary>
    public WarmUpIndex Index { get; } = new();

    /// <summary>Gets or sets the watermark of the last position stored (UTC ticks), used while the engine has none.</summary>
    public long? LastPositionTicks { get; set; }

    /// <summary>Gets the events offered to the engine and not yet evaluated, with their checkpoint slot under their current owner
    /// (an untracked slot after a hand-over).</summary>
    public Dictionary<long, CheckpointTracker.Slot> Pending { get; } = [];

    /// <summary>Gets the outputs of events evaluated while no one owned the partition here, kept for when they are read again.</summary>
    public Dictionary<long, Orphan> Orphans { get; } = [];

    /// <summary>Unties the pending events from the checkpoint: the partition was handed over, its next owner commits them.</summary>
    public void DetachSlots()
    {
        foreach (long offset in Pending.Keys)
            CollectionsMarshal.GetValueRefOrNullRef(Pending, offset) = default; // in place: the enumeration stays valid
    }

    /// <summary>Drops the orphans before a committed offset: another owner delivered them.</summary>
    public void ForgetOrphansBefore(long committed)
    {
        if (Orphans.Count == 0)
            return;
        foreach (long offset in Orphans.Keys.Where(o => o < committed).ToList())
            Orphans.Remove(offset);
    }
}

/// <summary>The outputs of an event evaluated while no one owned its partition here; no interaction for a duplicate.</summary>
internal readonly record struct Orphan(Interaction? Interaction, Alert[]? Alerts);
