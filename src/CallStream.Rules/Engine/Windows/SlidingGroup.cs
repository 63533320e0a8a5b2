using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// The sliding-window state of one group of one rule: the entries taken in the window, in time order, in a ring
/// buffer, plus the accumulators that make every aggregate an O(1) read — counts and compensated sums, a monotonic
/// deque per min/max, a reference-counted map per distinct. Entries enter at the back and leave from the front as
/// the window slides.
/// </summary>
/// <remarks>
/// The accumulators and the ring live in one <see cref="long"/> block, so an event touches one array rather than
/// one per column (a group is usually cold in cache when its next event comes): first the accumulators
/// (<see cref="AggregatePlan.Width"/> doubles, by their bits), then one record per entry — time, condition bits
/// (when the rule counts conditions), then the number columns (doubles, by their bits). Distinct keys hold
/// references, so they have a ring of their own.
/// </remarks>
internal sealed class SlidingGroup : ExpiringNode
{
    private const int InitialCapacity = 4;
    private const int ShrinkAbove = 64;

    private readonly AggregatePlan _plan;
    private readonly int _numberWidth;
    private readonly int _keyWidth;
    private readonly bool _hasBits;
    private readonly bool _hasDeques;
    private readonly int _accWidth;
    private readonly int _numbersAt;
    private readonly int _stride;
    private readonly MonotonicDeque?[] _minima;
    private readonly MonotonicDeque?[] _maxima;
    private readonly Dictionary<DistinctKey, int>[] _distinct;
    private long[] _block;
    private DistinctKey[] _keys;
    private int _capacity;
    private int _head;
    private int _count;

    public SlidingGroup(string key, AggregatePlan plan)
        : base(key)
    {
        _plan = plan;
        _numberWidth = plan.NumberCount;
        _keyWidth = plan.DistinctCount;
        _hasBits = plan.ConditionCount > 0;
        _accWidth = plan.Width;
        _numbersAt = _hasBits ? 2 : 1;
        _stride = _numbersAt + _numberWidth;
        _capacity = InitialCapacity;
        _block = new long[_accWidth + (InitialCapacity * _stride)];
        _keys = _keyWidth > 0 ? new DistinctKey[InitialCapacity * _keyWidth] : [];
        plan.Reset(Accumulators);
        _minima = _numberWidth > 0 ? new MonotonicDeque?[_numberWidth] : [];
        _maxima = _numberWidth > 0 ? new MonotonicDeque?[_numberWidth] : [];
        for (int n = 0; n < _numberWidth; n++)
        {
            _minima[n] = plan.NeedsMin[n] ? new MonotonicDeque(minimum: true) : null;
            _maxima[n] = plan.NeedsMax[n] ? new MonotonicDeque(minimum: false) : null;
            _hasDeques |= plan.NeedsMin[n] || plan.NeedsMax[n];
        }
        _distinct = _keyWidth > 0 ? new Dictionary<DistinctKey, int>[_keyWidth] : [];
        for (int d = 0; d < _keyWidth; d++)
            _distinct[d] = [];
    }

    /// <summary>Gets or sets the newest event time taken for the group (ticks).</summary>
    public long Newest { get; set; } = long.MinValue;

    /// <summary>Gets the number of entries held.</summary>
    public int Count => _count;

    private int Mask => _capacity - 1;

    private Span<double> Accumulators => MemoryMarshal.Cast<long, double>(_block.AsSpan(0, _accWidth));

    /// <inheritdoc/>
    protected override void Clear()
    {
        Newest = long.MinValue;
        _head = 0;
        _count = 0;
        if (_capacity > ShrinkAbove)
            Resize(InitialCapacity);
        _plan.Reset(Accumulators);
        for (int n = 0; n < _numberWidth; n++)
        {
            _minima[n]?.Clear();
            _maxima[n]?.Clear();
        }
        foreach (var map in _distinct)
            map.Clear();
    }

    /// <summary>Removes the entries at or before <paramref name="threshold"/> (the window is <c>(e.t - W, e.t]</c>).</summary>
    public void EvictUpTo(long threshold)
    {
        if (_count == 0 || TimeAt(_head) > threshold)
            return;
        while (_count > 0 && TimeAt(_head) <= threshold)
        {
            RemoveFromAccumulators(_head);
            _head = (_head + 1) & Mask;
            _count--;
        }
        if (_hasDeques)
        {
            for (int n = 0; n < _numberWidth; n++)
            {
                _minima[n]?.EvictUpTo(threshold);
                _maxima[n]?.EvictUpTo(threshold);
            }
        }
        if (_capacity > ShrinkAbove && _count < _capacity / 4)
            Resize(_capacity / 2);
    }

    /// <summary>Appends an entry no older than any held.</summary>
    public void Append(long time, ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        if (_count == _capacity)
            Resize(_capacity * 2);
        Write((_head + _count) & Mask, time, bits, numbers, keys);
        _count++;
        AddToAccumulators(bits, numbers, keys);
        if (_hasDeques)
        {
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
    }

    /// <summary>Inserts a late entry at its place in time order (O(window) for the rare late event).</summary>
    public void InsertLate(long time, ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        if (_count == _capacity)
            Resize(_capacity * 2);
        int position = _count;
        while (position > 0 && TimeAt((_head + position - 1) & Mask) > time)
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
                double v = NumbersAt(i)[n];
                if (!double.IsNaN(v))
                {
                    _minima[n]?.Push(TimeAt(i), v);
                    _maxima[n]?.Push(TimeAt(i), v);
                }
            }
        }
    }

    /// <summary>Gets the accumulators of the entries held, every aggregate readable from them (min, max and distinct counts brought up to date).</summary>
    public ReadOnlySpan<double> Accumulate()
    {
        var acc = Accumulators;
        if (_hasDeques)
        {
            for (int n = 0; n < _numberWidth; n++)
            {
                if (_minima[n] is { IsEmpty: false } min)
                    acc[_plan.MinOffset + n] = min.Front;
                if (_maxima[n] is { IsEmpty: false } max)
                    acc[_plan.MaxOffset + n] = max.Front;
            }
        }
        for (int d = 0; d < _keyWidth; d++)
            acc[_plan.DistinctOffset + d] = _distinct[d].Count;
        return acc;
    }

    /// <summary>Fills <paramref name="scratch"/> with the accumulators of the entries at or before <paramref name="upTo"/>: the window of a late event.</summary>
    /// <returns>The accumulators.</returns>
    public ReadOnlySpan<double> AccumulatePrefix(long upTo, double[] scratch)
    {
        _plan.Reset(scratch);
        var sets = new HashSet<DistinctKey>[_keyWidth];
        for (int d = 0; d < _keyWidth; d++)
            sets[d] = [];
        for (int k = 0; k < _count; k++)
        {
            int i = (_head + k) & Mask;
            if (TimeAt(i) > upTo)
                break;
            _plan.Add(scratch, BitsAt(i), NumbersAt(i));
            for (int d = 0; d < _keyWidth; d++)
            {
                var key = _keys[(i * _keyWidth) + d];
                if (!key.IsNull)
                    sets[d].Add(key);
            }
        }
        for (int d = 0; d < _keyWidth; d++)
            scratch[_plan.DistinctOffset + d] = sets[d].Count;
        return scratch;
    }

    private long TimeAt(int i) => _block[_accWidth + (i * _stride)];

    private ulong BitsAt(int i) => _hasBits ? (ulong)_block[_accWidth + (i * _stride) + 1] : 0;

    private ReadOnlySpan<double> NumbersAt(int i) =>
        MemoryMarshal.Cast<long, double>(_block.AsSpan(_accWidth + (i * _stride) + _numbersAt, _numberWidth));

    private void AddToAccumulators(ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        _plan.Add(Accumulators, bits, numbers);
        for (int d = 0; d < _keyWidth; d++)
        {
            if (!keys[d].IsNull)
                CollectionsMarshal.GetValueRefOrAddDefault(_distinct[d], keys[d], out _)++;
        }
    }

    private void RemoveFromAccumulators(int i)
    {
        _plan.Remove(Accumulators, BitsAt(i), NumbersAt(i));
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
        int at = _accWidth + (i * _stride);
        _block[at] = time;
        if (_hasBits)
            _block[at + 1] = (long)bits;
        MemoryMarshal.Cast<double, long>(numbers).CopyTo(_block.AsSpan(at + _numbersAt, _numberWidth));
        keys.CopyTo(_keys.AsSpan(i * _keyWidth, _keyWidth));
    }

    private void Move(int from, int to)
    {
        Array.Copy(_block, _accWidth + (from * _stride), _block, _accWidth + (to * _stride), _stride);
        Array.Copy(_keys, from * _keyWidth, _keys, to * _keyWidth, _keyWidth);
    }

    private void Resize(int capacity)
    {
        var block = new long[_accWidth + (capacity * _stride)];
        var keys = _keyWidth > 0 ? new DistinctKey[capacity * _keyWidth] : _keys;
        Array.Copy(_block, block, _accWidth);
        for (int k = 0; k < _count; k++)
        {
            int from = (_head + k) & Mask;
            Array.Copy(_block, _accWidth + (from * _stride), block, _accWidth + (k * _stride), _stride);
            Array.Copy(_keys, from * _keyWidth, keys, k * _keyWidth, _keyWidth);
        }
        _block = block;
        _keys = keys;
        _capacity = capacity;
        _head = 0;
    }
}
