using CallStream.Rules.Engine;

namespace CallStream.Rules;

/// <summary>
/// Puts events from one or more source partitions into event-time order (by event time, ties by interaction id
/// ordinal; the event time is the start or the end time, <see cref="EventOrderingOptions.EventTime"/>) for the rules: it holds arriving events and releases them once the watermark has passed them.
/// </summary>
/// <remarks>
/// <para>
/// The watermark is the newest event time seen, taken as the minimum over the partitions that are not idle,
/// minus <see cref="EventOrderingOptions.AllowedLateness"/>; events at or before it are released, in order. A
/// partition the source reports caught up (<see cref="MarkCaughtUp"/>) for
/// <see cref="EventOrderingOptions.IdleTimeout"/> of wall time is idle and does not hold the watermark back; a
/// partition that is merely slow, or has not delivered anything yet, still does. When every partition is idle the
/// newest event time over all of them counts. An event that sorts before the last event released is late: it is
/// counted, reported to <see cref="EventOrderingOptions.OnLateEvent"/> and released at once.
/// <see cref="Complete"/> releases everything held.
/// </para>
/// <para>
/// Held events live in one FIFO run per partition while the partition delivers them in order (O(1) each: a file, a
/// Kafka partition written in event-time order), and in a binary heap keyed by (ticks, id) otherwise; releasing
/// merges the runs' heads (a heap of at most one entry per partition) with that heap's top. Partitions are registered on first use, or
/// ahead with <see cref="AddPartition"/> (so that an assigned partition that has not delivered yet holds the
/// watermark); <see cref="RemovePartition"/> forgets one after a rebalance. Not thread-safe, and not re-entrant:
/// the release callback must not call back into the orderer.
/// </para>
/// </remarks>
public sealed class EventTimeOrderer
{
    private readonly Action<PartitionedInteraction> _release;
    private readonly Action<LateEvent>? _onLate;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly long _lateness;
    private readonly bool _endTime;
    private readonly Dictionary<int, PartitionState> _partitions = [];
    private PartitionState[] _states = [];
    private readonly PriorityQueue<Run, EventKey> _runs = new();
    private readonly PriorityQueue<PartitionedInteraction, EventKey> _heap = new();
    private int _heldInRuns;
    private bool _topRunStale;
    private EventKey _lastReleased;
    private bool _hasReleased;
    private int _cachedPartitionId;
    private PartitionState? _cachedPartition;
    private long _watermark = long.MinValue;
    private long _minActiveNewest = long.MinValue;
    private int _activeCount;
    private bool _watermarkStale = true;
    private int _pendingIdle;
    private bool _releasing;

    /// <summary>Creates an orderer.</summary>
    /// <param name="release">Receives the events in event-time order (late events as they come).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="release"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public EventTimeOrderer(Action<PartitionedInteraction> release, EventOrderingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(release);
        options ??= new EventOrderingOptions();
        options.Validate();
        _release = release;
        _onLate = options.OnLateEvent;
        _time = options.TimeProvider;
        _idleTimeout = options.IdleTimeout;
        _lateness = options.AllowedLateness.Ticks;
        _endTime = options.EventTime == EventTimeMode.End;
    }

    /// <summary>Gets the number of events offered.</summary>
    public long OfferedCount { get; private set; }

    /// <summary>Gets the number of events released (late ones included).</summary>
    public long ReleasedCount { get; private set; }

    /// <summary>Gets the number of late events.</summary>
    public long LateCount { get; private set; }

    /// <summary>Gets the number of events held, waiting for the watermark.</summary>
    public int HeldCount => _heldInRuns + _heap.Count;

    /// <summary>Gets the number of partitions known.</summary>
    public int PartitionCount => _partitions.Count;

    /// <summary>Gets whether <see cref="Complete"/> was called.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Gets the watermark, or <see langword="null"/> while there is none (no partition has delivered, or a partition that holds it has not).</summary>
    public DateTimeOffset? Watermark
    {
        get
        {
            if (_watermarkStale)
                RecomputeWatermark();
            return _watermark == long.MinValue ? null : EventTicks.ToInstant(_watermark);
        }
    }

    /// <summary>Gets the event time of the newest event released in order, or <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastReleasedEventTime => _hasReleased ? EventTicks.ToInstant(_lastReleased.Ticks) : null;

    /// <summary>Offers an event of partition 0 (a single, unpartitioned source).</summary>
    /// <param name="interaction">The event.</param>
    /// <exception cref="ArgumentNullException"><paramref name="interaction"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void Offer(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        Offer(new PartitionedInteraction(interaction));
    }

    /// <summary>Offers an event: it is held, or released at once when late; then every held event the watermark has passed is released.</summary>
    /// <param name="item">The event and its partition. Offering marks the partition as having data (no longer caught up).</param>
    /// <exception cref="ArgumentException">The item has no interaction.</exception>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void Offer(in PartitionedInteraction item)
    {
        if (item.Interaction is null)
            throw new ArgumentException("The event has no interaction.", nameof(item));
        EnsureOpen();
        OfferedCount++;
        var key = EventKey.Of(item.Interaction, _endTime);
        var partition = GetPartition(item.Partition);
        if (partition.CaughtUp)
            ClearCaughtUp(partition);
        if (key.Ticks > partition.Newest)
        {
            if (_activeCount == 0 || partition.Newest <= _minActiveNewest)
                _watermarkStale = true;
            partition.Newest = key.Ticks;
        }

        if (_hasReleased && key < _lastReleased)
        {
            LateCount++;
            if (_onLate is not null)
                ReportLate(new LateEvent(item, EventTicks.ToInstant(_lastReleased.Ticks), EventTicks.ToInstant(key.Ticks)));
            Release(item);
        }
        else
        {
            var run = partition.Run;
            if (run.Count == 0)
            {
                run.Add(item, key);
                if (_topRunStale)
                    RefreshTopRun(); // before another run can sift above it
                _runs.Enqueue(run, key);
                _heldInRuns++;
            }
            else if (key >= run.Tail)
            {
                run.Add(item, key);
                _heldInRuns++;
            }
            else
            {
                _heap.Enqueue(item, key); // out of order within its partition
            }
        }

        if (_pendingIdle > 0)
            CheckIdle();
        ReleaseReady();
    }

    /// <summary>Registers a partition ahead of its first event (for example on assignment), so that it holds the watermark until it delivers or goes idle.</summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void AddPartition(int partition)
    {
        EnsureOpen();
        GetPartition(partition);
    }

    /// <summary>Forgets a partition (for example revoked by a rebalance): it no longer holds the watermark. Its held events stay held.</summary>
    /// <param name="partition">The partition; unknown partitions are ignored.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void RemovePartition(int partition)
    {
        EnsureOpen();
        if (!_partitions.Remove(partition, out var state))
            return;
        _states = [.. _partitions.Values];
        if (state.CaughtUp && !state.Idle)
            _pendingIdle--;
        if (ReferenceEquals(state, _cachedPartition))
            _cachedPartition = null;
        _watermarkStale = true;
        ReleaseReady();
    }

    /// <summary>
    /// Tells the orderer that a partition is caught up: nothing more to read as far as the source knows. After
    /// <see cref="EventOrderingOptions.IdleTimeout"/> of wall time without new data it stops holding the watermark
    /// back; call <see cref="Poll"/> (or offer events) after that time for it to take effect.
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void MarkCaughtUp(int partition)
    {
        EnsureOpen();
        var state = GetPartition(partition);
        if (!state.CaughtUp)
        {
            state.CaughtUp = true;
            state.CaughtUpSince = _time.GetTimestamp();
            _pendingIdle++;
        }
        CheckIdle();
        ReleaseReady();
    }

    /// <summary>Tells the orderer that a partition has new data to read: it holds the watermark again until it is caught up for the idle timeout.</summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void MarkHasData(int partition)
    {
        EnsureOpen();
        var state = GetPartition(partition);
        if (state.CaughtUp)
            ClearCaughtUp(state);
    }

    /// <summary>Re-checks the idle timeouts against the wall clock and releases what the watermark now passes. Does nothing once completed.</summary>
    /// <exception cref="InvalidOperationException">This is called from the release callback.</exception>
    public void Poll()
    {
        if (_releasing)
            throw new InvalidOperationException("The orderer cannot be called from its release callback.");
        if (IsCompleted)
            return;
        if (_pendingIdle > 0)
            CheckIdle();
        ReleaseReady();
    }

    /// <summary>Gets how long until a caught-up partition becomes idle, or <see langword="null"/> when none is waiting to: when to <see cref="Poll"/> next.</summary>
    /// <returns>The delay, zero when due.</returns>
    public TimeSpan? GetTimeUntilIdle()
    {
        if (_pendingIdle == 0 || IsCompleted)
            return null;
        long now = _time.GetTimestamp();
        var earliest = TimeSpan.MaxValue;
        foreach (var state in _states)
        {
            if (state.CaughtUp && !state.Idle)
            {
                var remaining = _idleTimeout - _time.GetElapsedTime(state.CaughtUpSince, now);
                if (remaining < earliest)
                    earliest = remaining;
            }
        }
        return earliest < TimeSpan.Zero ? TimeSpan.Zero : earliest;
    }

    /// <summary>Ends a finite input: releases every held event, in order. The orderer accepts nothing afterwards.</summary>
    /// <exception cref="InvalidOperationException">This is called from the release callback.</exception>
    public void Complete()
    {
        if (_releasing)
            throw new InvalidOperationException("The orderer cannot be called from its release callback.");
        if (IsCompleted)
            return;
        IsCompleted = true;
        while (TryTakeNext(long.MaxValue))
        {
        }
    }

    private void ReleaseReady()
    {
        if (_watermarkStale)
            RecomputeWatermark();
        long watermark = _watermark;
        if (watermark == long.MinValue)
            return;
        while (TryTakeNext(watermark))
        {
        }
    }

    /// <summary>Releases the oldest held event when it is at or before <paramref name="upTo"/>.</summary>
    private bool TryTakeNext(long upTo)
    {
        PartitionedInteraction next;
        EventKey key;
        if (_heap.Count == 0 && _runs.Count == 1)
        {
            // One partition holding events, in order (a file): no merge. The run's priority in _runs goes stale (too
            // old, as heads only grow) and is refreshed before the next merge.
            var only = _runs.Peek();
            key = only.Head;
            if (key.Ticks > upTo)
                return false;
            next = only.Take();
            _heldInRuns--;
            if (only.Count == 0)
            {
                _runs.Dequeue();
                _topRunStale = false;
            }
            else
            {
                _topRunStale = true;
            }
            _lastReleased = key;
            _hasReleased = true;
            Release(next);
            return true;
        }
        if (_topRunStale)
            RefreshTopRun();
        bool hasRun = _runs.TryPeek(out var run, out key);
        bool hasHeap = _heap.TryPeek(out _, out var heapKey);
        if (!hasRun && !hasHeap)
            return false;
        if (hasRun && (!hasHeap || key <= heapKey))
        {
            if (key.Ticks > upTo)
                return false;
            next = run!.Take();
            _heldInRuns--;
            if (run.Count == 0)
                _runs.Dequeue();
            else
                _runs.DequeueEnqueue(run, run.Head);
        }
        else
        {
            key = heapKey;
            if (key.Ticks > upTo)
                return false;
            next = _heap.Dequeue();
        }
        _lastReleased = key;
        _hasReleased = true;
        Release(next);
        return true;
    }

    /// <summary>Gives the top run its current head as priority again (taken from it while it was the only run, it went stale).</summary>
    private void RefreshTopRun()
    {
        var top = _runs.Peek();
        _runs.DequeueEnqueue(top, top.Head);
        _topRunStale = false;
    }

    private void Release(in PartitionedInteraction item)
    {
        ReleasedCount++;
        _releasing = true;
        try
        {
            _release(item);
        }
        finally
        {
            _releasing = false;
        }
    }

    private void ReportLate(LateEvent late)
    {
        _releasing = true;
        try
        {
            _onLate!(late);
        }
        finally
        {
            _releasing = false;
        }
    }

    private void RecomputeWatermark()
    {
        long minActive = long.MaxValue;
        long maxAll = long.MinValue;
        int active = 0;
        foreach (var state in _states)
        {
            if (state.Newest > maxAll)
                maxAll = state.Newest;
            if (!state.Idle)
            {
                active++;
                if (state.Newest < minActive)
                    minActive = state.Newest;
            }
        }
        long newest = active > 0 ? minActive : maxAll;
        _watermark = newest == long.MinValue ? long.MinValue : Math.Max(EventTicks.Subtract(newest, _lateness), long.MinValue + 1);
        _minActiveNewest = active > 0 ? minActive : long.MinValue;
        _activeCount = active;
        _watermarkStale = false;
    }

    private void CheckIdle()
    {
        long now = _time.GetTimestamp();
        foreach (var state in _states)
        {
            if (state.CaughtUp && !state.Idle && _time.GetElapsedTime(state.CaughtUpSince, now) >= _idleTimeout)
            {
                state.Idle = true;
                _pendingIdle--;
                _watermarkStale = true;
            }
        }
    }

    private void ClearCaughtUp(PartitionState state)
    {
        if (!state.Idle)
            _pendingIdle--;
        state.CaughtUp = false;
        state.Idle = false;
        _watermarkStale = true;
    }

    private PartitionState GetPartition(int partition)
    {
        if (_cachedPartition is not null && _cachedPartitionId == partition)
            return _cachedPartition;
        if (!_partitions.TryGetValue(partition, out var state))
        {
            state = new PartitionState();
            _partitions.Add(partition, state);
            _states = [.. _partitions.Values];
            _watermarkStale = true;
        }
        _cachedPartitionId = partition;
        _cachedPartition = state;
        return state;
    }

    private void EnsureOpen()
    {
        if (_releasing)
            throw new InvalidOperationException("The orderer cannot be called from its release callback.");
        if (IsCompleted)
            throw new InvalidOperationException("The input is complete: the orderer accepts no more events or partition changes.");
    }

    private sealed class PartitionState
    {
        /// <summary>Gets the partition's held events that arrived in order. Kept by the merge until drained, also after the partition is removed.</summary>
        public Run Run { get; } = new();

        public long Newest { get; set; } = long.MinValue;

        public bool CaughtUp { get; set; }

        public bool Idle { get; set; }

        public long CaughtUpSince { get; set; }
    }

    /// <summary>A FIFO of held events in event-time order, with their keys (a ring buffer that grows as needed).</summary>
    private sealed class Run
    {
        private (PartitionedInteraction Item, EventKey Key)[] _items = new (PartitionedInteraction, EventKey)[16];
        private int _head;

        public int Count { get; private set; }

        /// <summary>Gets the key of the newest event added.</summary>
        public EventKey Tail { get; private set; }

        /// <summary>Gets the key of the oldest event held; the run is not empty.</summary>
        public EventKey Head => _items[_head].Key;

        public void Add(in PartitionedInteraction item, EventKey key)
        {
            if (Count == _items.Length)
                Grow();
            _items[(_head + Count) & (_items.Length - 1)] = (item, key);
            Count++;
            Tail = key;
        }

        public PartitionedInteraction Take()
        {
            var item = _items[_head].Item;
            _items[_head] = default;
            _head = (_head + 1) & (_items.Length - 1);
            Count--;
            return item;
        }

        private void Grow()
        {
            var larger = new (PartitionedInteraction, EventKey)[_items.Length * 2];
            for (int i = 0; i < Count; i++)
                larger[i] = _items[(_head + i) & (_items.Length - 1)];
            _items = larger;
            _head = 0;
        }
    }
}
