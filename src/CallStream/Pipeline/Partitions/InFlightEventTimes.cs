namespace CallStream.Pipeline;

/// <summary>
/// The earliest event time among a partition's records read at or after an offset (a monotonic queue: records are added in
/// offset order, the front is dropped as the commit point passes it), so that a commit's watermark is never later than a
/// record it leaves to be read again.
/// </summary>
/// <remarks>Used on the pipeline's loop only; holds at most the records in flight.</remarks>
internal sealed class InFlightEventTimes
{
    private (long Offset, long Ticks)[] _items = new (long, long)[16];
    private int _head;
    private int _count;

    /// <summary>Adds a record read, in offset order.</summary>
    public void Add(long offset, long ticks)
    {
        // Records after an earlier-or-equal one can never be the minimum while it is there: drop them from the back.
        while (_count > 0 && At(_count - 1).Ticks >= ticks)
            _count--;
        if (_count == _items.Length)
            Grow();
        _items[(_head + _count) & (_items.Length - 1)] = (offset, ticks);
        _count++;
    }

    /// <summary>Gets the earliest event time among the records added at or after <paramref name="offset"/>, or <see langword="null"/> when none.</summary>
    public long? EarliestFrom(long offset)
    {
        while (_count > 0 && At(0).Offset < offset)
        {
            _head = (_head + 1) & (_items.Length - 1);
            _count--;
        }
        return _count > 0 ? At(0).Ticks : null;
    }

    /// <summary>Forgets everything (the partition was handed over).</summary>
    public void Clear()
    {
        _head = 0;
        _count = 0;
    }

    private (long Offset, long Ticks) At(int index) => _items[(_head + index) & (_items.Length - 1)];

    private void Grow()
    {
        var items = new (long, long)[_items.Length * 2];
        for (int i = 0; i < _count; i++)
            items[i] = At(i);
        _items = items;
        _head = 0;
    }
}
