using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CallStream.Pipeline;

/// <summary>
/// The partitions this pipeline owns now and what its engine holds of every partition it ever owned: assignment and
/// release (the hand-over) happen on the loop; the warm-up planner and the statistics read it from other threads.
/// </summary>
internal sealed class PartitionLedger
{
    private readonly ConcurrentDictionary<int, PartitionLog> _logs = new();
    private readonly ConcurrentDictionary<int, PartitionView> _views = new();
    private readonly Dictionary<int, OwnedPartition> _owned = [];
    private OwnedPartition? _lastOwned; // records come in runs of one partition

    /// <summary>Takes a partition on: records before <paramref name="committed"/> only warm up state.</summary>
    public OwnedPartition Assign(int partition, long committed, long warmUpFrom)
    {
        var log = _logs.GetOrAdd(partition, static _ => new PartitionLog());
        var view = new PartitionView(partition, committed, warmUpFrom);
        var owned = new OwnedPartition(log, view) { WarmUpUntil = committed };
        _owned[partition] = owned;
        _lastOwned = null;
        _views[partition] = view;
        if (committed > 0)
            log.ForgetOrphansBefore(committed);
        return owned;
    }

    /// <summary>Gives a partition up (revoked or lost): what the engine still holds of it no longer belongs to a checkpoint here.</summary>
    public void Release(int partition)
    {
        _lastOwned = null;
        if (_owned.Remove(partition, out var owned))
            owned.Log.DetachSlots();
        _views.TryRemove(partition, out _);
    }

    /// <summary>Unties the pending events of partitions being handed over from the checkpoint, before they are released.</summary>
    public void DetachSlots(IReadOnlyList<int> partitions)
    {
        foreach (int partition in partitions)
        {
            if (_owned.TryGetValue(partition, out var owned))
                owned.Log.DetachSlots();
        }
    }

    public bool TryGetOwned(int partition, [NotNullWhen(true)] out OwnedPartition? owned)
    {
        if (_lastOwned is { } last && last.Partition == partition)
        {
            owned = last;
            return true;
        }
        if (_owned.TryGetValue(partition, out owned))
        {
            _lastOwned = owned;
            return true;
        }
        return false;
    }

    public bool TryGetLog(int partition, [NotNullWhen(true)] out PartitionLog? log) => _logs.TryGetValue(partition, out log);

    /// <summary>Gets the highest offset of a partition this pipeline's engine was offered (-1: none); safe from any thread.</summary>
    public long GetOfferedUpTo(int partition) => _logs.TryGetValue(partition, out var log) ? log.OfferedUpTo : -1;

    public void SetCaughtUp(int partition, bool caughtUp)
    {
        if (_views.TryGetValue(partition, out var view))
            view.CaughtUp = caughtUp;
    }

    public void SetStored(int partition, long offset)
    {
        if (_views.TryGetValue(partition, out var view))
            view.Stored = offset;
    }

    /// <summary>Takes a snapshot of the assigned partitions' figures, by number; safe from any thread.</summary>
    public PartitionStatistics[] Snapshot() => [.. _views.Values.OrderBy(v => v.Partition).Select(v => v.Snapshot())];
}
