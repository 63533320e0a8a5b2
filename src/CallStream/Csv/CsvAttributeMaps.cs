namespace CallStream.Csv;

/// <summary>
/// Shares one <see cref="AttributeMap"/> (immutable) per combination of attribute values, for rows whose attribute
/// values all come from a <see cref="CsvStringPool"/>: a log's attributes (region, queue, language) take few values,
/// so most rows need no map of their own. Stops adding once it holds <c>capacity</c> maps.
/// </summary>
internal sealed class CsvAttributeMaps
{
    private readonly string[] _names;
    private readonly int _capacity;

    // Open addressing with linear probing, at most half full; a slot holds 1 + the index of its map, or 0 when free.
    // Map n's key is _keys[n * width .. (n + 1) * width): per attribute column, 1 + the value's pool id, or 0 when absent.
    private readonly int[] _slots;
    private readonly int[] _slotHashes;
    private readonly int[] _keys;
    private readonly AttributeMap[] _maps;
    private readonly KeyValuePair<string, string>[] _scratch;
    private int _count;

    /// <summary>Creates a cache for the given attribute columns.</summary>
    /// <param name="names">The attribute names, one per attribute column, in the order keys and values are given.</param>
    /// <param name="capacity">How many maps it keeps at most.</param>
    public CsvAttributeMaps(string[] names, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _names = names;
        _capacity = capacity;
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity) * 2;
        _slots = new int[size];
        _slotHashes = new int[size];
        _keys = new int[capacity * Math.Max(1, names.Length)];
        _maps = new AttributeMap[capacity];
        _scratch = new KeyValuePair<string, string>[names.Length];
    }

    /// <summary>Gets the map of one row's attributes, shared with earlier rows that had the same values.</summary>
    /// <param name="keys">Per attribute column: 1 + the pool id of its value, or 0 when the cell is empty (absent).</param>
    /// <param name="values">Per attribute column: the pooled value, or <see langword="null"/> when absent.</param>
    /// <returns>The map.</returns>
    public AttributeMap Get(ReadOnlySpan<int> keys, ReadOnlySpan<string?> values)
    {
        int width = _names.Length;
        var hashing = default(HashCode);
        foreach (int key in keys)
            hashing.Add(key);
        int hash = hashing.ToHashCode();
        int mask = _slots.Length - 1;
        int slot = hash & mask;
        while (true)
        {
            int entry = _slots[slot];
            if (entry == 0)
                break;
            if (_slotHashes[slot] == hash && keys.SequenceEqual(_keys.AsSpan((entry - 1) * width, width)))
                return _maps[entry - 1];
            slot = (slot + 1) & mask;
        }
        var map = Build(values);
        if (_count < _capacity)
        {
            keys.CopyTo(_keys.AsSpan(_count * width, width));
            _maps[_count] = map;
            _slots[slot] = ++_count;
            _slotHashes[slot] = hash;
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
}
