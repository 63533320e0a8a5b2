namespace CallStream.Kafka;

/// <summary>
/// What a reader of one repartition partition knows of its records' event times (their timestamps), which interleave
/// the source partitions and so are not in event-time order: where the running maximum rose, to find the offset before
/// which every record is older than a threshold (where a warm-up starts), and the minimum over the records from an offset
/// on (the event time a next owner re-reads from).
/// </summary>
/// <remarks>Not thread-safe: the reader calls it under its lock.</remarks>
internal sealed class RepartitionTimeIndex
{
    private readonly List<(long Offset, long Max)> _steps = [];
    private readonly LinkedList<(long Offset, long Ticks)> _suffixMin = new();
    private long _bound; // every record before the first step (or before where reading started) is older than this
    private long _max = long.MinValue;

    private RepartitionTimeIndex(long bound) => _bound = bound;

    /// <summary>Starts the index where reading starts.</summary>
    /// <param name="start">The first offset read (negative: from the partition's beginning).</param>
    /// <param name="assignedWith">The position stored with the committed offset, if any: it says what precedes its warm-up offset.</param>
    public static RepartitionTimeIndex From(long start, EventTimePosition? assignedWith)
    {
        if (start <= 0)
            return new RepartitionTimeIndex(long.MinValue); // nothing before
        if (assignedWith is { } position && start <= position.WarmUpFrom)
        {
            long watermark = position.Watermark.UtcTicks;
            long bound = watermark - DateTimeOffset.MinValue.UtcTicks > position.Horizon.Ticks ? watermark - position.Horizon.Ticks : DateTimeOffset.MinValue.UtcTicks;
            return new RepartitionTimeIndex(bound);
        }
        return new RepartitionTimeIndex(long.MaxValue); // nothing known of the records before where reading started
    }

    /// <summary>Records a record read, in offset order.</summary>
    /// <param name="offset">Its offset.</param>
    /// <param name="ticks">Its timestamp (UTC ticks), which Kafka keeps to the millisecond: the event time is within the millisecond after it.</param>
    public void Observe(long offset, long ticks)
    {
        long upTo = ticks > long.MaxValue - TimeSpan.TicksPerMillisecond ? ticks : ticks + TimeSpan.TicksPerMillisecond - 1;
        if (upTo > _max)
        {
            _max = upTo;
            _steps.Add((offset, upTo));
        }
        while (_suffixMin.Last is { } last && last.Value.Ticks >= ticks)
            _suffixMin.RemoveLast();
        _suffixMin.AddLast((offset, ticks));
    }

    /// <summary>Gets the earliest event time among the records read at or after <paramref name="offset"/> (called with offsets that only grow), or <see cref="long.MaxValue"/>.</summary>
    public long EarliestFrom(long offset)
    {
        while (_suffixMin.First is { } first && first.Value.Offset < offset)
            _suffixMin.RemoveFirst();
        return _suffixMin.First?.Value.Ticks ?? long.MaxValue;
    }

    /// <summary>
    /// Gets an offset before which every record is older than <paramref name="threshold"/> (UTC ticks): the first record
    /// read whose running maximum reaches it, <see cref="long.MaxValue"/> when none does, or 0 when the records before
    /// where reading started cannot be shown to be older.
    /// </summary>
    public long WarmUpFrom(long threshold)
    {
        if (threshold < _bound)
            return 0;
        int low = 0, high = _steps.Count;
        while (low < high)
        {
            int mid = (low + high) / 2;
            if (_steps[mid].Max >= threshold)
                high = mid;
            else
                low = mid + 1;
        }
        return low < _steps.Count ? _steps[low].Offset : long.MaxValue;
    }

    /// <summary>Forgets the steps below <paramref name="keepFrom"/>: later thresholds are at least that.</summary>
    public void Prune(long keepFrom)
    {
        int drop = 0;
        while (drop + 1 < _steps.Count && _steps[drop + 1].Max <= keepFrom)
            drop++;
        if (drop == 0)
            return;
        // Every record before the first step kept is older than its maximum (or than the old bound, before the old start).
        _bound = Math.Max(_bound, _steps[drop].Max);
        _steps.RemoveRange(0, drop);
    }
}
