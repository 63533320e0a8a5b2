using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Knows how far the source has read each assigned partition: its position, the group's committed offset when it was
/// assigned, whether it is caught up (read up to the end the broker reported) and its lag. Reports a partition caught
/// up, or active again when new records arrive or its leader becomes unreachable.
/// </summary>
/// <remarks>Updated on the consume thread; <see cref="AssignedPartitions"/>, <see cref="IsOwned"/>, <see cref="Lag"/> and
/// <see cref="AssignedNone"/> are thread-safe.</remarks>
internal sealed class PartitionProgress(string topic, TimeSpan requestTimeout, ILogger logger, SourceEventQueue queue)
{
    private readonly ConcurrentDictionary<int, bool> _owned = new();
    private volatile IReadOnlyDictionary<int, long> _lag = new Dictionary<int, long>();
    private volatile bool _assignedNone;

    // Consume thread only.
    private readonly Dictionary<int, PartitionState> _partitions = [];

    /// <summary>Gets the partitions currently assigned, in order.</summary>
    public IReadOnlyCollection<int> AssignedPartitions => [.. _owned.Keys.Order()];

    /// <summary>Gets, per assigned partition, how many records lie between the position and the partition's end.</summary>
    public IReadOnlyDictionary<int, long> Lag => _lag;

    /// <summary>Gets or sets whether the source has no partition to read (see <see cref="KafkaInteractionSource.AssignedNone"/>).</summary>
    public bool AssignedNone
    {
        get => _assignedNone;
        set => _assignedNone = value;
    }

    /// <summary>Gets whether no partition is assigned.</summary>
    public bool NoneOwned => _owned.IsEmpty;

    /// <summary>Tells whether a partition is assigned to the source.</summary>
    public bool IsOwned(int partition) => _owned.ContainsKey(partition);

    /// <summary>Starts tracking a newly assigned partition.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="position">Where reading starts, or -1 when the client decides (at the committed offset or the reset).</param>
    /// <param name="committed">The group's committed offset, or -1.</param>
    public void Assigned(int partition, long position, long committed)
    {
        _partitions[partition] = new PartitionState { Position = position, Committed = committed };
        _owned[partition] = true;
    }

    /// <summary>Stops tracking partitions that are no longer assigned.</summary>
    public void Release(IEnumerable<int> partitions)
    {
        foreach (int partition in partitions)
        {
            _owned.TryRemove(partition, out _);
            _partitions.Remove(partition);
        }
    }

    /// <summary>Moves a partition past a record read (valid or not); a caught-up partition turns active again.</summary>
    /// <returns>The group's committed offset when the partition was assigned, or -1.</returns>
    public long Read(int partition, long offset)
    {
        var state = StateOf(partition);
        if (state.CaughtUp)
        {
            state.CaughtUp = false;
            queue.Emit(InteractionSourceEvent.PartitionActive(partition, "new records arrived"));
        }

        state.Position = offset + 1;
        state.RecheckEnd = false;
        return state.Committed;
    }

    /// <summary>Marks a partition caught up at its end.</summary>
    public void EndReached(int partition, long offset)
    {
        var state = StateOf(partition);
        state.Position = offset;
        if (state.CaughtUp)
            return;
        state.CaughtUp = true;
        state.RecheckEnd = false;
        Log.PartitionCaughtUp(logger, topic, partition, offset);
        queue.Emit(InteractionSourceEvent.PartitionCaughtUp(partition, offset));
    }

    /// <summary>
    /// Takes the client's latest statistics: the lag of each partition; a caught-up partition turns active again when its
    /// leader becomes unreachable (the source can no longer tell that nothing new arrived), and caught up again once the
    /// leader is back and the broker confirms the partition's end.
    /// </summary>
    public void Update(IConsumer<Ignore, Interaction> consumer, ConsumerStatistics statistics)
    {
        var lag = new Dictionary<int, long>();
        foreach (var (partition, state) in _partitions)
        {
            if (!statistics.Partitions.TryGetValue(partition, out var stats))
                continue;
            if (stats.HighWatermark >= 0 && state.Position >= 0)
                lag[partition] = Math.Max(0, stats.HighWatermark - state.Position);

            if (!stats.LeaderReachable)
            {
                if (state.CaughtUp)
                {
                    state.CaughtUp = false;
                    state.RecheckEnd = true;
                    string reason = stats.Leader >= 0 ? $"its leader (broker {stats.Leader}) is unreachable" : "it has no reachable leader";
                    Log.PartitionActive(logger, topic, partition, reason);
                    queue.Emit(InteractionSourceEvent.PartitionActive(partition, reason));
                }

                continue;
            }

            if (state.RecheckEnd && !state.CaughtUp && state.Position >= 0)
                RecheckEnd(consumer, partition, state);
        }

        _lag = lag;
    }

    private void RecheckEnd(IConsumer<Ignore, Interaction> consumer, int partition, PartitionState state)
    {
        WatermarkOffsets ends;
        try
        {
            ends = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), requestTimeout);
        }
        catch (KafkaException)
        {
            return; // still not reachable enough; the next statistics try again
        }

        if (ends.High.Value > state.Position)
        {
            state.RecheckEnd = false; // more to read: the end-of-partition event will follow the records
            return;
        }

        state.CaughtUp = true;
        state.RecheckEnd = false;
        Log.PartitionCaughtUp(logger, topic, partition, ends.High.Value);
        queue.Emit(InteractionSourceEvent.PartitionCaughtUp(partition, ends.High.Value));
    }

    private PartitionState StateOf(int partition)
    {
        if (!_partitions.TryGetValue(partition, out var state))
            _partitions[partition] = state = new PartitionState();
        return state;
    }

    /// <summary>What the consume thread knows about an assigned partition.</summary>
    private sealed class PartitionState
    {
        /// <summary>The next offset to read, or -1 when not known yet.</summary>
        public long Position { get; set; } = -1;

        /// <summary>The group's committed offset when the partition was assigned, or -1.</summary>
        public long Committed { get; init; } = -1;

        /// <summary>Whether everything up to the end the broker reported has been read.</summary>
        public bool CaughtUp { get; set; }

        /// <summary>Whether the partition was caught up when its leader became unreachable, so its end must be confirmed
        /// again once the leader is back (no end-of-partition event comes when nothing new arrived).</summary>
        public bool RecheckEnd { get; set; }
    }
}
