using System.Runtime.CompilerServices;

namespace CallStream.Csv;

/// <summary>
/// Shares one <see cref="AttributeMap"/> (immutable) per combination of attribute values, for rows whose attribute
/// values all come from a <see cref="CallStream.Text.StringPool"/>: a log's attributes (region, queue, language) take few values,
/// so most rows need no map of their own. Stops adding once it holds <c>capacity</c> maps.
/// </summary>
internal sealed class CsvAttributeMaps
{
    private const int InitialSlots = 16;

    private readonly string[] _names;
    private readonly int _capacity;
    private readonly KeyValuePair<string, string>[] _scratch;

    // Open addressing with linear probing, at most half full, growing with the maps it holds. Map n's key is
    // _keys[n * width .. (n + 1) * width): per attribute column, 1 + the value's pool id, or 0 when absent.
    private Slot[] _slots = new Slot[InitialSlots];
    private int[] _keys;
    private int _count;

    // With one attribute column, the maps by key directly.
    private AttributeMap?[] _byKey = [];

    /// <summary>Creates a cache for the given attribute columns.</summary>
    /// <param name="names">The attribute names, one per attribute column, in the order keys and values are given.</param>
    /// <param name="capacity">How many maps it keeps at most.</param>
    public CsvAttributeMaps(string[] names, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 24);
        _names = names;
        _capacity = capacity;
        _scratch = new KeyValuePair<string, string>[names.Length];
        _keys = new int[InitialSlots / 2 * names.Length];
    }

    /// <summary>Gets the map of one row's attributes, shared with earlier rows that had the same values.</summary>
    /// <param name="keys">Per attribute column: 1 + the pool id of its value, or 0 when the cell is empty (absent).</param>
    /// <param name="values">Per attribute column: the pooled value, or <see langword="null"/> when absent.</param>
    /// <returns>The map.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public AttributeMap Get(ReadOnlySpan<int> keys, ReadOnlySpan<string?> values)
    {
        int width = _names.Length;
        if (width == 1)
            return GetSingle(keys[0], values);
        var hashing = default(HashCode);
        foreach (int key in keys)
            hashing.Add(key);
        int hash = hashing.ToHashCode();
        var slots = _slots;
        int mask = slots.Length - 1;
        int index = hash & mask;
        while (slots[index].Map is { } shared)
        {
            if (slots[index].Hash == hash && keys.SequenceEqual(_keys.AsSpan(slots[index].Entry * width, width)))
                return shared;
            index = (index + 1) & mask;
        }
        var map = Build(values);
        if (_count < _capacity)
        {
            if ((_count + 1) * width > _keys.Length)
                Array.Resize(ref _keys, _keys.Length * 2);
            keys.CopyTo(_keys.AsSpan(_count * width, width));
            slots[index] = new Slot(map, hash, _count++);
            if (_count * 2 > slots.Length)
                Grow();
        }
        return map;
    }

    /// <summary>Builds the map of one row's attributes, without sharing it.</summary>
    /// <param name="values">Per attribute column: the value, or <see langword="null"/> when absent.</param>
    /// <returns>The map.</returns>
    public AttributeMap Build(ReadOnlySpan<string?> values)
    {
        int count = 0;
        for (int c = 0; c < values.Length; c++)
        {
            if (values[c] is { } value)
                _scratch[count++] = new(_names[c], value);
        }
        return AttributeMap.Create(new ArraySegment<KeyValuePair<string, string>>(_scratch, 0, count));
    }

    private AttributeMap GetSingle(int key, ReadOnlySpan<string?> values)
    {
        var byKey = _byKey;
        if ((uint)key < (uint)byKey.Length && byKey[key] is { } shared)
            return shared;
        var map = Build(values);
        if (_count < _capacity)
        {
            if (key >= byKey.Length)
                Array.Resize(ref _byKey, Math.Max(InitialSlots, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)key + 1)));
            _byKey[key] = map;
            _count++;
        }
        return map;
    }

    private void Grow()
    {
        var slots = new Slot[_slots.Length * 2];
        int mask = slots.Length - 1;
        foreach (var slot in _slots)
        {
            if (slot.Map is null)
                continue;
            int index = slot.Hash & mask;
            while (slots[index].Map is not null)
                index = (index + 1) & mask;
            slots[index] = slot;
        }
        _slots = slots;
    }

    private readonly record struct Slot(AttributeMap? Map, int Hash, int Entry);
}
