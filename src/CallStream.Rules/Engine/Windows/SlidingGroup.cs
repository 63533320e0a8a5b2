using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// The sliding-window state of one group of one rule: the entries taken in the window, in time order, in a ring
/// buffer (struct of arrays: time, condition bits, number values, distinct keys), plus the accumulators that
/// make every aggregate an O(1) read — counts and compensated sums, a monotonic deque per min/max, a reference-
/// counted map per distinct. Entries enter at the back and leave from the front as the window slides.
/// </summary>
internal sealed class SlidingGroup : ExpiringNode
{
    private const int InitialCapacity = 4;
    private const int ShrinkAbove = 64;

    private readonly AggregatePlan _plan;
    private readonly int _numberWidth;
    private readonly int _keyWidth;
    private readonly bool _hasBits;
    private readonly double[] _acc;
    private readonly MonotonicDeque?[] _minima;
    private readonly MonotonicDeque?[] _maxima;
    private readonly Dictionary<DistinctKey, int>[] _distinct;
    private long[] _times;
    private ulong[] _bits;
    private double[] _numbers;
    private DistinctKey[] _keys;
    private int _head;
    private int _count;

    public SlidingGroup(string key, AggregatePlan plan)
        : base(key)
    {
        _plan = plan;
        _numberWidth = plan.NumberCount;
        _keyWidth = plan.DistinctCount;
        _hasBits = plan.ConditionCount > 0;
        _times = new long[InitialCapacity];
        _bits = _hasBits ? new ulong[InitialCapacity] : [];
        _numbers = _numberWidth > 0 ? new double[InitialCapacity * _numberWidth] : [];
        _keys = _keyWidth > 0 ? new DistinctKey[InitialCapacity * _keyWidth] : [];
        _acc = new double[plan.Width];
        plan.Reset(_acc);
        _minima = _numberWidth > 0 ? new MonotonicDeque?[_numberWidth] : [];
        _maxima = _numberWidth > 0 ? new MonotonicDeque?[_numberWidth] : [];
        for (int n = 0; n < _numberWidth; n++)
        {
            _minima[n] = plan.NeedsMin[n] ? new MonotonicDeque(minimum: true) : null;
            _maxima[n] = plan.NeedsMax[n] ? new MonotonicDeque(minimum: false) : null;
        }
        _distinct = _keyWidth > 0 ? new Dictionary<DistinctKey, int>[_keyWidth] : [];
        for (int d = 0; d < _keyWidth; d++)
            _distinct[d] = [];
    }

    /// <summary>Gets or sets the newest start time taken for the group (ticks).</summary>
    public long Newest { get; set; } = long.MinValue;

    /// <summary>Gets the number of entries held.</summary>
    public int Count => _count;

    private int Mask => _times.Length - 1;

    /// <inheritdoc/>
    protected override void Clear()
    {
        Newest = long.MinValue;
        _head = 0;
        _count = 0;
        if (_times.Length > ShrinkAbove)
            Resize(InitialCapacity);
        _plan.Reset(_acc);
        for (int n = 0; n < _numberWidth; n++)
        {
            _minima[n]?.Clear();
            _maxima[n]?.Clear();
        }
        foreach (var map in _distinct)
            map.Clear();
    }

    /// <summary>Removes the entries at or before <paramref name="threshold"/> (the window is <c>(e.t - W, e.t]</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EvictUpTo(long threshold)
    {
        if (_count == 0 || _times[_head] > threshold)
            return;
        while (_count > 0 && _times[_head] <= threshold)
        {
            RemoveFromAccumulators(_head);
            _head = (_head + 1) & Mask;
            _count--;
        }
        for (int n = 0; n < _numberWidth; n++)
        {
            _minima[n]?.EvictUpTo(threshold);
            _maxima[n]?.EvictUpTo(threshold);
        }
        if (_times.Length > ShrinkAbove && _count < _times.Length / 4)
            Resize(_times.Length / 2);
    }

    /// <summary>Appends an entry no older than any held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append(long time, ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        if (_count == _times.Length)
            Resize(_times.Length * 2);
        Write((_head + _count) & Mask, time, bits, numbers, keys);
        _count++;
        AddToAccumulators(bits, numbers, keys);
        for (int n = 0; n < _numberWidth; n++)
        {
            double v = numbers[n];
            if (!double.IsNaN(v))
            {
                _minima[n]?.Push(time, v);
                _maxima[n]?.Push(time, v);
            }
        }
    }

    /// <summary>Inserts a late entry at its place in time order (O(window) for the rare late event).</summary>
    public void InsertLate(long time, ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        if (_count == _times.Length)
            Resize(_times.Length * 2);
        int position = _count;
        while (position > 0 && _times[(_head + position - 1) & Mask] > time)
            position--;
        for (int k = _count; k > position; k--)
            Move((_head + k - 1) & Mask, (_head + k) & Mask);
        Write((_head + position) & Mask, time, bits, numbers, keys);
        _count++;
        AddToAccumulators(bits, numbers, keys);
        for (int n = 0; n < _numberWidth; n++)
        {
            _minima[n]?.Clear();
            _maxima[n]?.Clear();
            for (int k = 0; k < _count; k++)
            {
                int i = (_head + k) & Mask;
                double v = _numbers[(i * _numberWidth) + n];
                if (!double.IsNaN(v))
                {
                    _minima[n]?.Push(_times[i], v);
                    _maxima[n]?.Push(_times[i], v);
                }
            }
        }
    }

    /// <summary>Reads every aggregate over the entries held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Read(double[] values)
    {
        for (int n = 0; n < _numberWidth; n++)
        {
            if (_minima[n] is { IsEmpty: false } min)
                _acc[_plan.MinOffset + n] = min.Front;
            if (_maxima[n] is { IsEmpty: false } max)
                _acc[_plan.MaxOffset + n] = max.Front;
        }
        for (int d = 0; d < _keyWidth; d++)
            _acc[_plan.DistinctOffset + d] = _distinct[d].Count;
        _plan.Read(_acc, values);
    }

    /// <summary>Reads every aggregate over the entries at or before <paramref name="upTo"/>: the window of a late event.</summary>
    public void ReadPrefix(long upTo, double[] scratch, double[] values)
    {
        _plan.Reset(scratch);
        var sets = new HashSet<DistinctKey>[_keyWidth];
        for (int d = 0; d < _keyWidth; d++)
            sets[d] = [];
        for (int k = 0; k < _count; k++)
        {
            int i = (_head + k) & Mask;
            if (_times[i] > upTo)
                break;
            _plan.Add(scratch, _hasBits ? _bits[i] : 0, _numbers.AsSpan(i * _numberWidth, _numberWidth));
            for (int d = 0; d < _keyWidth; d++)
            {
                var key = _keys[(i * _keyWidth) + d];
                if (!key.IsNull)
                    sets[d].Add(key);
            }
        }
        for (int d = 0; d < _keyWidth; d++)
            scratch[_plan.DistinctOffset + d] = sets[d].Count;
        _plan.Read(scratch, values);
    }

    private void AddToAccumulators(ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        _plan.Add(_acc, bits, numbers);
        for (int d = 0; d < _keyWidth; d++)
        {
            if (!keys[d].IsNull)
                CollectionsMarshal.GetValueRefOrAddDefault(_distinct[d], keys[d], out _)++;
        }
    }

    private void RemoveFromAccumulators(int i)
    {
        _plan.Remove(_acc, _hasBits ? _bits[i] : 0, _numbers.AsSpan(i * _numberWidth, _numberWidth));
        for (int d = 0; d < _keyWidth; d++)
        {
            var key = _keys[(i * _keyWidth) + d];
            if (key.IsNull)
                continue;
            ref int references = ref CollectionsMarshal.GetValueRefOrNullRef(_distinct[d], key);
            if (--references == 0)
                _distinct[d].Remove(key);
        }
    }

    private void Write(int i, long time, ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        _times[i] = time;
        if (_hasBits)
            _bits[i] = bits;
        numbers.CopyTo(_numbers.AsSpan(i * _numberWidth, _numberWidth));
        keys.CopyTo(_keys.AsSpan(i * _keyWidth, _keyWidth));
    }

    private void Move(int from, int to)
    {
        _times[to] = _times[from];
        if (_hasBits)
            _bits[to] = _bits[from];
        Array.Copy(_numbers, from * _numberWidth, _numbers, to * _numberWidth, _numberWidth);
        Array.Copy(_keys, from * _keyWidth, _keys, to * _keyWidth, _keyWidth);
    }

    private void Resize(int capacity)
    {
        var times = new long[capacity];
        var bits = _hasBits ? new ulong[capacity] : _bits;
        var numbers = _numberWidth > 0 ? new double[capacity * _numberWidth] : _numbers;
        var keys = _keyWidth > 0 ? new DistinctKey[capacity * _keyWidth] : _keys;
        for (int k = 0; k < _count; k++)
        {
            int from = (_head + k) & Mask;
            times[k] = _times[from];
            if (_hasBits)
                bits[k] = _bits[from];
            Array.Copy(_numbers, from * _numberWidth, numbers, k * _numberWidth, _numberWidth);
            Array.Copy(_keys, from * _keyWidth, keys, k * _keyWidth, _keyWidth);
        }
        _times = times;
        _bits = bits;
        _numbers = numbers;
        _keys = keys;
        _head = 0;
    }
}
