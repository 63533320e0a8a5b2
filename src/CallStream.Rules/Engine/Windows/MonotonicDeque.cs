namespace CallStream.Rules.Engine;

/// <summary>
/// The minimum (or maximum) of a sliding window in amortised O(1): a deque of (time, value) whose values increase
/// (decrease) from front to back. A value is dropped from the back as soon as a newer value makes it irrelevant,
/// and from the front when its event leaves the window; the front is the answer. Each value enters and leaves
/// once, so the cost is O(1) per event whatever the window's length.
/// </summary>
internal sealed class MonotonicDeque
{
    private readonly bool _minimum;
    private long[] _times = new long[4];
    private double[] _values = new double[4];
    private int _head;
    private int _count;

    public MonotonicDeque(bool minimum) => _minimum = minimum;

    public bool IsEmpty => _count == 0;

    /// <summary>Gets the window's minimum (maximum); only when not empty.</summary>
    public double Front => _values[_head];

    /// <summary>Adds the value of an event entering the window (events enter in time order).</summary>
    public void Push(long time, double value)
    {
        int mask = _values.Length - 1;
        while (_count > 0)
        {
            double back = _values[(_head + _count - 1) & mask];
            if (_minimum ? back >= value : back <= value)
                _count--;
            else
                break;
        }
        if (_count == _values.Length)
        {
            Grow();
            mask = _values.Length - 1;
        }
        int i = (_head + _count) & mask;
        _times[i] = time;
        _values[i] = value;
        _count++;
    }

    /// <summary>Removes the values of events at or before <paramref name="threshold"/>.</summary>
    public void EvictUpTo(long threshold)
    {
        int mask = _values.Length - 1;
        while (_count > 0 && _times[_head] <= threshold)
        {
            _head = (_head + 1) & mask;
            _count--;
        }
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
    }

    private void Grow()
    {
        var times = new long[_times.Length * 2];
        var values = new double[_values.Length * 2];
        int mask = _values.Length - 1;
        for (int k = 0; k < _count; k++)
        {
            times[k] = _times[(_head + k) & mask];
            values[k] = _values[(_head + k) & mask];
        }
        _times = times;
        _values = values;
        _head = 0;
    }
}
