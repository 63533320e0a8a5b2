namespace CallStream.Rules.Engine;

/// <summary>
/// The partitions an <see cref="EventTimeOrderer"/> knows and the watermark they allow: the newest event time seen
/// per partition, taken as the minimum over the partitions that are not idle (the maximum over all when every one is),
/// minus the allowed lateness. A partition reported caught up turns idle after the idle timeout of wall time, measured
/// on the <see cref="TimeProvider"/>; an event or new data makes it hold the watermark again.
/// </summary>
internal sealed class PartitionWatermark
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly long _lateness;
    private readonly Dictionary<int, OrderedPartition> _partitions = [];
    private OrderedPartition[] _states = [];
    private int _cachedId;
    private OrderedPartition? _cached;
    private long _watermark = long.MinValue;
    private long _minActiveNewest = long.MinValue;
    private int _activeCount;
    private bool _stale = true;
    private int _pendingIdle;

    public PartitionWatermark(TimeProvider time, TimeSpan idleTimeout, TimeSpan allowedLateness)
    {
        _time = time;
        _idleTimeout = idleTimeout;
        _lateness = allowedLateness.Ticks;
    }

    /// <summary>Gets the number of partitions known.</summary>
    public int Count => _partitions.Count;

    /// <summary>Gets or sets how many events were released in order so far: a partition registered now records it as the moment it joined.</summary>
    public long Releases { get; set; }

    /// <summary>Gets the watermark in ticks, or <see cref="long.MinValue"/> while there is none.</summary>
    public long Ticks
    {
        get
        {
            if (_stale)
                Recompute();
            return _watermark;
        }
    }

    /// <summary>Gets a partition's state, registering the partition on first use.</summary>
    public OrderedPartition Get(int partition)
    {
        if (_cached is not null && _cachedId == partition)
            return _cached;
        if (!_partitions.TryGetValue(partition, out var state))
        {
            state = new OrderedPartition();
            _partitions.Add(partition, state);
            _states = [.. _partitions.Values];
            _stale = true;
        }
        _cachedId = partition;
        _cached = state;
        return state;
    }

    /// <summary>Registers a partition assigned to the orderer (<see cref="EventTimeOrderer.AddPartition"/>): one new to it joins now, and
    /// its events are late only against those released from now on. A partition first seen with an event is taken as
    /// there from the start. One known already (assigned back after a rebalance) holds the watermark again even if it
    /// was caught up: it is read again from its commit point, and what lies beyond is not known until the source says so.</summary>
    public void Add(int partition)
    {
        if (_partitions.TryGetValue(partition, out var known))
        {
            if (known.CaughtUp)
                ClearCaughtUp(known);
            return;
        }
        Get(partition).JoinedAt = Releases;
    }

    /// <summary>Forgets a partition: it no longer holds the watermark.</summary>
    /// <returns>Whether the partition was known.</returns>
    public bool Remove(int partition)
    {
        if (!_partitions.Remove(partition, out var state))
            return false;
        _states = [.. _partitions.Values];
        if (state.CaughtUp && !state.Idle)
            _pendingIdle--;
        if (ReferenceEquals(state, _cached))
            _cached = null;
        _stale = true;
        return true;
    }

    /// <summary>Takes an event of a partition into account: the partition has data, and its newest event time may move.</summary>
    public void Saw(OrderedPartition partition, long ticks)
    {
        if (partition.CaughtUp)
            ClearCaughtUp(partition);
        if (ticks > partition.Newest)
        {
            if (_activeCount == 0 || partition.Newest <= _minActiveNewest)
                _stale = true;
            partition.Newest = ticks;
        }
    }

    /// <summary>Marks a partition caught up from now, unless it already is.</summary>
    /// <summary>Moves a partition's newest event time up to <paramref name="ticks"/> without an event (a progress marker); it does not clear caught-up.</summary>
    public void Advance(int partition, long ticks)
    {
        var state = Get(partition);
        if (ticks > state.Newest)
        {
            if (_activeCount == 0 || state.Newest <= _minActiveNewest || state.Idle)
                _stale = true;
            state.Newest = ticks;
        }
    }

    public void MarkCaughtUp(int partition)
    {
        var state = Get(partition);
        if (!state.CaughtUp)
        {
            state.CaughtUp = true;
            state.CaughtUpSince = _time.GetTimestamp();
            _pendingIdle++;
        }
    }

    /// <summary>Marks a partition as having data: it holds the watermark again.</summary>
    public void MarkHasData(int partition)
    {
        var state = Get(partition);
        if (state.CaughtUp)
            ClearCaughtUp(state);
    }

    /// <summary>Turns the partitions caught up for the idle timeout idle, when any is waiting to.</summary>
    public void CheckIdle()
    {
        if (_pendingIdle == 0)
            return;
        long now = _time.GetTimestamp();
        foreach (var state in _states)
        {
            if (state.CaughtUp && !state.Idle && _time.GetElapsedTime(state.CaughtUpSince, now) >= _idleTimeout)
            {
                state.Idle = true;
                _pendingIdle--;
                _stale = true;
            }
        }
    }

    /// <summary>Gets how long until a caught-up partition becomes idle, or <see langword="null"/> when none is waiting to.</summary>
    public TimeSpan? GetTimeUntilIdle()
    {
        if (_pendingIdle == 0)
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

    private void ClearCaughtUp(OrderedPartition state)
    {
        if (!state.Idle)
            _pendingIdle--;
        state.CaughtUp = false;
        state.Idle = false;
        _stale = true;
    }

    private void Recompute()
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
        _stale = false;
    }
}

/// <summary>What an <see cref="EventTimeOrderer"/> knows of one partition.</summary>
internal sealed class OrderedPartition
{
    /// <summary>Gets the partition's held events that arrived in order. Kept by the merge until drained, also after the partition is removed.</summary>
    public HeldRun Run { get; } = new();

    public long Newest { get; set; } = long.MinValue;

    public bool CaughtUp { get; set; }

    public bool Idle { get; set; }

    /// <summary>Gets or sets how many events had been released in order when the partition was registered: it can only be late for those released since.</summary>
    public long JoinedAt { get; set; }

    /// <summary>Gets or sets the newest key released since the partition joined in the closed release segments (valid while <see cref="ClosedSegmentsSeen"/> matches their count).</summary>
    public EventKey ClosedSegmentsReference { get; set; }

    /// <summary>Gets or sets whether <see cref="ClosedSegmentsReference"/> holds a key.</summary>
    public bool HasClosedSegmentsReference { get; set; }

    /// <summary>Gets or sets how many release segments were closed when <see cref="ClosedSegmentsReference"/> was computed, or -1.</summary>
    public int ClosedSegmentsSeen { get; set; } = -1;

    public long CaughtUpSince { get; set; }
}
