using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Hands the offsets the pipeline declared durable (<see cref="OffsetStore"/>) to the consumer, which commits them in the
/// background: at most every few milliseconds, only for owned partitions, and never past a poison record that is not
/// settled. Commits synchronously when partitions are revoked.
/// </summary>
/// <remarks>
/// <para>An offset stored with an event-time position (<see cref="KafkaInteractionSource.StorePosition"/>) reaches the
/// consumer only once its progress record is acknowledged (<see cref="ProgressStore"/>), so whatever offset the consumer
/// commits has its position stored first. A progress record lists every offset the committed one may be at: the last
/// commit known to have succeeded and each offset stored since. To keep that list short, a partition writes a new
/// record at most every quarter of <see cref="KafkaSourceOptions.CommitInterval"/> and holds at most
/// <see cref="MaxUnconfirmed"/> stored offsets that no commit has confirmed yet.</para>
/// <para>Called on the consume thread.</para>
/// </remarks>
internal sealed class OffsetCommitter(KafkaSourceOptions options, ILogger logger, OffsetStore offsets, PartitionProgress progress, IPoisonRecordHandler poison, ProgressStore positions) : IDisposable
{
    /// <summary>The most stored offsets of a partition waiting for a commit to confirm them.</summary>
    internal const int MaxUnconfirmed = 4;

    private static readonly long StoreIntervalTicks = Stopwatch.Frequency / 200; // 5 ms

    private readonly string _topic = options.Topic;
    private readonly long _writeIntervalTicks = (long)(options.CommitInterval.TotalSeconds / 4 * Stopwatch.Frequency);
    private readonly Dictionary<int, PositionState> _states = [];
    private readonly ConcurrentQueue<(int Partition, StoredPosition Position)> _acknowledged = new();
    private long _lastStoreTicks;
    private bool _waiting;
    private bool _usesPositions;

    /// <summary>How long a hand-over waits for the progress topic to be made sure of before committing without positions.</summary>
    private static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(2);

    /// <summary>Gets the progress topic.</summary>
    public string ProgressTopic => positions.Topic;

    /// <summary>Gets the failure that stops the source: a position that could not be written.</summary>
    public Exception? Failure => _usesPositions ? positions.Failure : null;

    /// <summary>Starts a newly assigned partition from its committed offset, and the position stored with it, if any.</summary>
    public void Assigned(int partition, long committedOffset, EventTimePosition? position = null)
    {
        offsets.Assigned(partition, committedOffset);
        _states[partition] = new PositionState { Confirmed = position is { } p && committedOffset >= 0 ? new StoredPosition(committedOffset, p) : null };
    }

    /// <summary>Forgets partitions that are no longer owned.</summary>
    public void Forget(IEnumerable<int> partitions)
    {
        var list = partitions.ToList();
        offsets.Forget(list);
        foreach (int partition in list)
            _states.Remove(partition);
    }

    /// <summary>Stores the offsets that are due: always when <paramref name="force"/> or poison records were settled,
    /// otherwise when offsets were requested and the last store is a few milliseconds old.</summary>
    public void Apply(IConsumer<Ignore, Interaction> consumer, bool force)
    {
        bool settled = poison.TakeSettled();
        bool acknowledged = !_acknowledged.IsEmpty;
        if (!force && !offsets.Dirty && !settled && !acknowledged && !_waiting)
            return;
        long now = Stopwatch.GetTimestamp();
        if (!force && !settled && !acknowledged && now - _lastStoreTicks < StoreIntervalTicks)
            return;
        _lastStoreTicks = now;

        StoreAcknowledged(consumer);
        var skipped = new List<(int Partition, long Offset)>();
        foreach (var (partition, offset) in offsets.TakeStores(progress.IsOwned, poison.FirstUnsettled, skipped))
        {
            if (offsets.PositionOf(partition, offset) is { } position && _states.TryGetValue(partition, out var state))
            {
                _usesPositions = true;
                state.Next = position; // the latest wins; stored once its progress record is acknowledged
                continue;
            }
            if (offsets.HasPositionBeyond(partition, offset))
                continue; // short of the offset with a position (a poison record not settled yet): wait for that one
            Store(consumer, partition, offset);
        }

        foreach (var (partition, offset) in skipped)
            Log.StoreSkipped(logger, offset, _topic, partition, "the partition is not assigned to this source");
        WriteDue(now, force);
    }

    /// <summary>The auto-commit's report: confirms which stored offsets are now the committed ones.</summary>
    public void Committed(CommittedOffsets committed)
    {
        if (committed.Error.IsError)
        {
            // Nothing stored since the last commit is not a failure.
            if (committed.Error.Code != ErrorCode.Local_NoOffset)
                Log.CommitFailed(logger, _topic, committed.Error.Code, committed.Error.Reason);
            return;
        }
        foreach (var tpo in committed.Offsets)
        {
            if (tpo.Topic == _topic && !tpo.Error.IsError && tpo.Offset.Value >= 0)
                Confirm(tpo.Partition.Value, tpo.Offset.Value);
        }
    }

    /// <summary>Stores what is due (waiting, up to <see cref="KafkaSourceOptions.RequestTimeout"/>, for the progress records
    /// of the positions) and commits the stored offsets of partitions about to be revoked.</summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="partitions">The partitions being revoked.</param>
    /// <param name="commitHere">Whether to commit here; <see langword="false"/> when the consumer is closing and commits the
    /// offsets stored as it unassigns the partitions.</param>
    /// <returns>What was committed (or left stored for the closing consumer to commit), for the log.</returns>
    public List<TopicPartitionOffset> CommitRevoked(IConsumer<Ignore, Interaction> consumer, IReadOnlyCollection<int> partitions, bool commitHere = true)
    {
        Apply(consumer, force: true);
        var clock = Stopwatch.StartNew();
        bool pending = partitions.Any(p => _states.TryGetValue(p, out var s) && (s.InFlight is not null || s.Next is not null));
        if (pending && !positions.WaitReady(options.RequestTimeout < ReadyWait ? options.RequestTimeout : ReadyWait))
            pending = false;
        while (pending && partitions.Any(p => _states.TryGetValue(p, out var s) && (s.InFlight is not null || s.Next is not null)) && clock.Elapsed < options.RequestTimeout)
        {
            positions.Flush(options.RequestTimeout - clock.Elapsed);
            if (positions.Failure is { } failure)
                throw failure;
            StoreAcknowledged(consumer);
            WriteDue(Stopwatch.GetTimestamp(), force: true);
        }

        // A hand-over does not wait longer for a position (the progress topic still being created, or not answering): the
        // offset is committed without one, and the next owner's warm-up estimates the position instead. Not when the
        // progress topic failed for good: the source stops, and commits nothing the next run could not warm up from.
        foreach (int partition in partitions)
        {
            if (!_states.TryGetValue(partition, out var state))
                continue;
            var latest = state.Next ?? state.InFlight;
            if (latest is { } unwritten && positions.Failure is null && (!offsets.TryGetStored(partition, out long stored) || unwritten.Offset > stored))
            {
                Log.PositionNotWritten(logger, _topic, partition, unwritten.Offset, positions.Topic);
                Store(consumer, partition, unwritten.Offset);
            }
            state.Next = null;
            state.InFlight = null;
        }

        var commits = new List<TopicPartitionOffset>();
        foreach (int partition in partitions)
        {
            if (offsets.TryGetStored(partition, out long offset))
                commits.Add(new TopicPartitionOffset(_topic, partition, offset));
        }

        if (commits.Count > 0 && commitHere)
        {
            try
            {
                consumer.Commit(commits);
                foreach (var commit in commits)
                    Confirm(commit.Partition.Value, commit.Offset.Value);
            }
            catch (KafkaException ex)
            {
                Log.CommitFailed(logger, _topic, ex.Error.Code, ex.Error.Reason);
            }
        }

        return commits;
    }

    private void Store(IConsumer<Ignore, Interaction> consumer, int partition, long offset)
    {
        try
        {
            consumer.StoreOffset(new TopicPartitionOffset(_topic, partition, offset));
            offsets.Stored(partition, offset);
        }
        catch (KafkaException ex)
        {
            Log.StoreSkipped(logger, offset, _topic, partition, ex.Error.Reason);
        }
    }

    /// <summary>Stores the offsets whose progress records the brokers acknowledged.</summary>
    private void StoreAcknowledged(IConsumer<Ignore, Interaction> consumer)
    {
        while (_acknowledged.TryDequeue(out var ack))
        {
            if (!_states.TryGetValue(ack.Partition, out var state) || state.InFlight != ack.Position)
                continue; // the partition was handed over meanwhile
            state.InFlight = null;
            if (!progress.IsOwned(ack.Partition))
                continue;
            Store(consumer, ack.Partition, ack.Position.Offset);
            state.Unconfirmed.Add(ack.Position);
        }
    }

    /// <summary>Writes the progress record of each partition's latest position when it is due.</summary>
    private void WriteDue(long now, bool force)
    {
        _waiting = false;
        bool ready = false, asked = false;
        foreach (var (partition, state) in _states)
        {
            if (state.Next is not { } next)
                continue;
            if (!asked)
            {
                asked = true;
                ready = positions.Ready;
            }
            if (!ready || state.InFlight is not null || (!force && (state.Unconfirmed.Count >= MaxUnconfirmed || now - state.LastWriteTicks < _writeIntervalTicks)))
            {
                _waiting = true;
                continue;
            }
            var list = new List<StoredPosition>(state.Unconfirmed.Count + 2);
            if (state.Confirmed is { } confirmed)
                list.Add(confirmed);
            list.AddRange(state.Unconfirmed);
            list.Add(next);
            state.Next = null;
            state.InFlight = next;
            state.LastWriteTicks = now;
            int p = partition;
            positions.Write(partition, list, () => _acknowledged.Enqueue((p, next)));
            _waiting = true; // wake for the acknowledgement
        }
    }

    private void Confirm(int partition, long offset)
    {
        if (!_states.TryGetValue(partition, out var state))
            return;
        StoredPosition? confirmed = null;
        foreach (var stored in state.Unconfirmed)
        {
            if (stored.Offset == offset)
                confirmed = stored;
        }
        if (confirmed is null && state.Confirmed is { } previous && previous.Offset == offset)
            confirmed = previous;
        state.Confirmed = confirmed;
        state.Unconfirmed.RemoveAll(s => s.Offset <= offset);
    }

    /// <summary>The positions of one partition: committed, stored since, being written, waiting to be written.</summary>
    /// <summary>Reads the positions stored with the committed offsets of newly assigned partitions (see <see cref="ProgressStore.Read"/>).</summary>
    public Dictionary<int, List<StoredPosition>> ReadPositions(IReadOnlyCollection<int> partitions) => positions.Read(partitions);

    /// <summary>Waits for the progress records in flight and releases the producer.</summary>
    public void Dispose() => positions.Dispose();

    private sealed class PositionState
    {
        public StoredPosition? Confirmed { get; set; }

        public List<StoredPosition> Unconfirmed { get; } = [];

        public StoredPosition? InFlight { get; set; }

        public StoredPosition? Next { get; set; }

        public long LastWriteTicks { get; set; } = long.MinValue / 2;
    }
}
