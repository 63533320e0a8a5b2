using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// The sliding-window state of one group of one rule: the entries taken in the window, in time order, in a ring
/// buffer, plus the accumulators that make every aggregate an O(1) read — counts and compensated sums, a monotonic
/// deque per min/max, a counted multiset of value ids per distinct. Entries enter at the back and leave from the
/// front as the window slides.
/// </summary>
/// <remarks>
/// <para>
/// Everything lives in one <see cref="long"/> block, so an event touches the group and one array rather than a
/// dozen objects (a group is usually cold in cache when its next event comes, and each object is a cache miss).
/// The block holds, in order (<see cref="SlidingLayout"/>): the accumulators (<see cref="AggregatePlan.Width"/>
/// doubles, by their bits); one header per deque (head and length); the ring, one record per entry — time, condition
/// bits (when the rule counts conditions), the number columns (doubles, by their bits), the distinct columns' value
/// ids (−1 for null); each deque's ring of entry sequence numbers; each distinct column's <see cref="IdMultiset"/>.
/// </para>
/// <para>
/// The ring's capacity C is a power of two; each deque holds at most as many entries as the ring and each multiset
/// at most as many ids, so a deque gets C slots and a multiset 2C (never more than half full), and growing or
/// shrinking the ring rebuilds the one block. Entries are numbered in arrival order (a late insertion renumbers the
/// ones after it and rebuilds the deques); a deque holds numbers, so it stays valid when the ring moves.
/// </para>
/// </remarks>
internal sealed class SlidingGroup : ExpiringNode
{
    private const int InitialCapacity = 4;
    private const int ShrinkAbove = 64;

    private readonly SlidingLayout _layout;
    private readonly DistinctIds[] _ids;
    private long[] _block;
    private int _capacity;
    private int _head;
    private int _count;
    private long _headSequence;

    public SlidingGroup(string key, SlidingLayout layout, DistinctIds[] ids)
        : base(key)
    {
        _layout = layout;
        _ids = ids;
        _capacity = InitialCapacity;
        _block = new long[layout.BlockLength(InitialCapacity)];
        layout.Plan.Reset(Accumulators);
    }

    /// <summary>Gets or sets the newest event time taken for the group (ticks).</summary>
    public long Newest { get; set; } = long.MinValue;

    /// <summary>Gets the number of entries held.</summary>
    public int Count => _count;

    private int Mask => _capacity - 1;

    private Span<double> Accumulators => MemoryMarshal.Cast<long, double>(_block.AsSpan(0, _layout.Plan.Width));

    /// <inheritdoc/>
    public override void Dropped()
    {
        ReleaseIds();
        _count = 0;
    }

    /// <inheritdoc/>
    protected override void Clear()
    {
        Newest = long.MinValue;
        ReleaseIds();
        _head = 0;
        _count = 0;
        _headSequence = 0;
        if (_capacity > ShrinkAbove)
        {
            _capacity = InitialCapacity;
            _block = new long[_layout.BlockLength(InitialCapacity)];
        }
        else
        {
            _block.AsSpan().Clear();
        }
        _layout.Plan.Reset(Accumulators);
    }

    /// <summary>Removes the entries at or before <paramref name="threshold"/> (the window is <c>(e.t - W, e.t]</c>).</summary>
    public void EvictUpTo(long threshold)
    {
        if (_count == 0 || TimeAt(_head) > threshold)
            return;
        do
        {
            RemoveFromAccumulators(_head);
            _head = (_head + 1) & Mask;
            _headSequence++;
            _count--;
        }
        while (_count > 0 && TimeAt(_head) <= threshold);
        for (int q = 0; q < _layout.DequeCount; q++)
            EvictDeque(q);
        if (_capacity > ShrinkAbove && _count < _capacity / 4)
            Resize(_capacity / 2);
    }

    /// <summary>Appends an entry no older than any held.</summary>
    public void Append(long time, ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        if (_count == _capacity)
            Resize(_capacity * 2);
        int i = (_head + _count) & Mask;
        Write(i, time, bits, numbers);
        AddKeys(i, keys);
        _count++;
        _layout.Plan.Add(Accumulators, bits, numbers);
        long sequence = _headSequence + _count - 1;
        for (int q = 0; q < _layout.DequeCount; q++)
        {
            double v = numbers[_layout.DequeColumn[q]];
            if (!double.IsNaN(v))
                PushDeque(q, sequence, v);
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
        int i = (_head + position) & Mask;
        Write(i, time, bits, numbers);
        AddKeys(i, keys);
        _count++;
        _layout.Plan.Add(Accumulators, bits, numbers);
        for (int q = 0; q < _layout.DequeCount; q++)
        {
            _block[_layout.DequeHeaderAt + q] = 0;
            int n = _layout.DequeColumn[q];
            for (int k = 0; k < _count; k++)
            {
                double v = NumberAt((_head + k) & Mask, n);
                if (!double.IsNaN(v))
                    PushDeque(q, _headSequence + k, v);
            }
        }
    }

    /// <summary>Gets the accumulators of the entries held, every aggregate readable from them (min and max brought up to date).</summary>
    public ReadOnlySpan<double> Accumulate()
    {
        var acc = Accumulators;
        var plan = _layout.Plan;
        for (int q = 0; q < _layout.DequeCount; q++)
        {
            long header = _block[_layout.DequeHeaderAt + q];
            if (header >>> 32 == 0)
                continue;
            long sequence = _block[_layout.DequesAt(_capacity) + (q * _capacity) + (int)(uint)header];
            int n = _layout.DequeColumn[q];
            acc[(_layout.DequeIsMinimum[q] ? plan.MinOffset : plan.MaxOffset) + n] = NumberAt(SlotOf(sequence), n);
        }
        return acc;
    }

    /// <summary>Fills <paramref name="scratch"/> with the accumulators of the entries at or before <paramref name="upTo"/>: the window of a late event.</summary>
    /// <returns>The accumulators.</returns>
    public ReadOnlySpan<double> AccumulatePrefix(long upTo, double[] scratch)
    {
        var plan = _layout.Plan;
        plan.Reset(scratch);
        int keyWidth = plan.DistinctCount;
        var sets = new HashSet<long>[keyWidth];
        for (int d = 0; d < keyWidth; d++)
            sets[d] = [];
        for (int k = 0; k < _count; k++)
        {
            int i = (_head + k) & Mask;
            if (TimeAt(i) > upTo)
                break;
            plan.Add(scratch, BitsAt(i), NumbersAt(i));
            for (int d = 0; d < keyWidth; d++)
            {
                long id = _block[RecordAt(i) + _layout.IdsAt + d];
                if (id >= 0)
                    sets[d].Add(id);
            }
        }
        for (int d = 0; d < keyWidth; d++)
            scratch[plan.DistinctOffset + d] = sets[d].Count;
        return scratch;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int RecordAt(int i) => _layout.RingAt + (i * _layout.Stride);

    private long TimeAt(int i) => _block[RecordAt(i)];

    private ulong BitsAt(int i) => _layout.HasBits ? (ulong)_block[RecordAt(i) + 1] : 0;

    private double NumberAt(int i, int n) => BitConverter.Int64BitsToDouble(_block[RecordAt(i) + _layout.NumbersAt + n]);

    private ReadOnlySpan<double> NumbersAt(int i) =>
        MemoryMarshal.Cast<long, double>(_block.AsSpan(RecordAt(i) + _layout.NumbersAt, _layout.Plan.NumberCount));

    private int SlotOf(long sequence) => (_head + (int)(sequence - _headSequence)) & Mask;

    private Span<long> SetOf(int d) => _block.AsSpan(_layout.SetsAt(_capacity) + (d * 2 * _capacity), 2 * _capacity);

    private void Write(int i, long time, ulong bits, ReadOnlySpan<double> numbers)
    {
        int at = RecordAt(i);
        _block[at] = time;
        if (_layout.HasBits)
            _block[at + 1] = (long)bits;
        MemoryMarshal.Cast<double, long>(numbers).CopyTo(_block.AsSpan(at + _layout.NumbersAt, numbers.Length));
    }

    /// <summary>Writes the value ids of an entry's distinct keys at ring slot <paramref name="i"/>, counting them in the window.</summary>
    private void AddKeys(int i, ReadOnlySpan<DistinctKey> keys)
    {
        int at = RecordAt(i) + _layout.IdsAt;
        for (int d = 0; d < keys.Length; d++)
        {
            if (keys[d].IsNull)
            {
                _block[at + d] = -1;
                continue;
            }
            int id = _ids[d].Acquire(keys[d]);
            _block[at + d] = id;
            if (IdMultiset.Add(SetOf(d), id))
                Accumulators[_layout.Plan.DistinctOffset + d] += 1;
        }
    }

    private void RemoveFromAccumulators(int i)
    {
        var plan = _layout.Plan;
        plan.Remove(Accumulators, BitsAt(i), NumbersAt(i));
        int at = RecordAt(i) + _layout.IdsAt;
        for (int d = 0; d < plan.DistinctCount; d++)
        {
            long id = _block[at + d];
            if (id < 0)
                continue;
            if (IdMultiset.Remove(SetOf(d), (int)id))
                Accumulators[plan.DistinctOffset + d] -= 1;
            _ids[d].Release((int)id);
        }
    }

    /// <summary>Releases the value ids the entries held reference.</summary>
    private void ReleaseIds()
    {
        int keyWidth = _ids.Length;
        if (keyWidth == 0)
            return;
        for (int k = 0; k < _count; k++)
        {
            int at = RecordAt((_head + k) & Mask) + _layout.IdsAt;
            for (int d = 0; d < keyWidth; d++)
            {
                long id = _block[at + d];
                if (id >= 0)
                    _ids[d].Release((int)id);
            }
        }
    }

    /// <summary>Appends an entry's value to deque q, first dropping the values it makes irrelevant.</summary>
    private void PushDeque(int q, long sequence, double value)
    {
        int headerAt = _layout.DequeHeaderAt + q;
        long header = _block[headerAt];
        int head = (int)(uint)header;
        int count = (int)(header >>> 32);
        int at = _layout.DequesAt(_capacity) + (q * _capacity);
        int mask = Mask;
        int n = _layout.DequeColumn[q];
        bool minimum = _layout.DequeIsMinimum[q];
        while (count > 0)
        {
            double back = NumberAt(SlotOf(_block[at + ((head + count - 1) & mask)]), n);
            if (minimum ? back >= value : back <= value)
                count--;
            else
                break;
        }
        _block[at + ((head + count) & mask)] = sequence;
        _block[headerAt] = (uint)head | ((long)(count + 1) << 32);
    }

    /// <summary>Drops from deque q the values of entries that left the ring.</summary>
    private void EvictDeque(int q)
    {
        int headerAt = _layout.DequeHeaderAt + q;
        long header = _block[headerAt];
        int head = (int)(uint)header;
        int count = (int)(header >>> 32);
        int at = _layout.DequesAt(_capacity) + (q * _capacity);
        while (count > 0 && _block[at + head] < _headSequence)
        {
            head = (head + 1) & Mask;
            count--;
        }
        _block[headerAt] = (uint)head | ((long)count << 32);
    }

    private void Move(int from, int to)
    {
        int stride = _layout.Stride;
        Array.Copy(_block, RecordAt(from), _block, RecordAt(to), stride);
    }

    /// <summary>Moves the state into a block for a ring of <paramref name="capacity"/> entries (the entries from slot 0, deques from slot 0, multisets rehashed).</summary>
    private void Resize(int capacity)
    {
        var layout = _layout;
        var block = new long[layout.BlockLength(capacity)];
        Array.Copy(_block, block, layout.RingAt);
        int stride = layout.Stride;
        for (int k = 0; k < _count; k++)
            Array.Copy(_block, RecordAt((_head + k) & Mask), block, layout.RingAt + (k * stride), stride);
        int dequesFrom = layout.DequesAt(_capacity);
        int dequesTo = layout.DequesAt(capacity);
        for (int q = 0; q < layout.DequeCount; q++)
        {
            long header = _block[layout.DequeHeaderAt + q];
            int head = (int)(uint)header;
            int count = (int)(header >>> 32);
            for (int k = 0; k < count; k++)
                block[dequesTo + (q * capacity) + k] = _block[dequesFrom + (q * _capacity) + ((head + k) & Mask)];
            block[layout.DequeHeaderAt + q] = (long)count << 32;
        }
        int setsFrom = layout.SetsAt(_capacity);
        int setsTo = layout.SetsAt(capacity);
        for (int d = 0; d < layout.Plan.DistinctCount; d++)
            IdMultiset.CopyTo(_block.AsSpan(setsFrom + (d * 2 * _capacity), 2 * _capacity), block.AsSpan(setsTo + (d * 2 * capacity), 2 * capacity));
        _block = block;
        _capacity = capacity;
        _head = 0;
    }
}

/// <summary>
/// Where each part of a <see cref="SlidingGroup"/>'s block lies, for one rule's aggregates: computed once per rule
/// and shared by its groups.
/// </summary>
internal sealed class SlidingLayout
{
    public SlidingLayout(AggregatePlan plan)
    {
        Plan = plan;
        HasBits = plan.ConditionCount > 0;
        NumbersAt = HasBits ? 2 : 1;
        IdsAt = NumbersAt + plan.NumberCount;
        Stride = IdsAt + plan.DistinctCount;
        var columns = new List<int>();
        var minimum = new List<bool>();
        for (int n = 0; n < plan.NumberCount; n++)
        {
            if (plan.NeedsMin[n])
            {
                columns.Add(n);
                minimum.Add(true);
            }
            if (plan.NeedsMax[n])
            {
                columns.Add(n);
                minimum.Add(false);
            }
        }
        DequeColumn = [.. columns];
        DequeIsMinimum = [.. minimum];
        DequeHeaderAt = plan.Width;
        RingAt = DequeHeaderAt + DequeCount;
    }

    public AggregatePlan Plan { get; }

    /// <summary>Gets whether entries hold condition bits.</summary>
    public bool HasBits { get; }

    /// <summary>Gets the offset of the number columns in an entry's record.</summary>
    public int NumbersAt { get; }

    /// <summary>Gets the offset of the distinct value ids in an entry's record.</summary>
    public int IdsAt { get; }

    /// <summary>Gets the length of an entry's record.</summary>
    public int Stride { get; }

    /// <summary>Gets, per deque, the number column whose minimum or maximum it keeps.</summary>
    public int[] DequeColumn { get; }

    /// <summary>Gets, per deque, whether it keeps a minimum (otherwise a maximum).</summary>
    public bool[] DequeIsMinimum { get; }

    public int DequeCount => DequeColumn.Length;

    /// <summary>Gets the offset of the deques' headers (head in the low 32 bits, length in the high 32).</summary>
    public int DequeHeaderAt { get; }

    /// <summary>Gets the offset of the ring.</summary>
    public int RingAt { get; }

    /// <summary>Gets the offset of the deques' sequence numbers for a ring of <paramref name="capacity"/> entries.</summary>
    public int DequesAt(int capacity) => RingAt + (capacity * Stride);

    /// <summary>Gets the offset of the multisets for a ring of <paramref name="capacity"/> entries.</summary>
    public int SetsAt(int capacity) => RingAt + (capacity * (Stride + DequeCount));

    /// <summary>Gets the length of a block for a ring of <paramref name="capacity"/> entries.</summary>
    public int BlockLength(int capacity) => SetsAt(capacity) + (capacity * 2 * Plan.DistinctCount);
}
