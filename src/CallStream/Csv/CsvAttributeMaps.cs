
namespace CallStream.Csv;

/// <summary>
/// Shares one <see cref="AttributeMap"/> (immutable) per combination of attribute values, for rows whose attribute
/// values all come from a <see cref="CallStream.Text.StringPool"/>: a log's attributes (region, queue, language) take few values,
/// so most rows need no map of their own. Stops adding once it holds <c>capacity</c> maps. The maps are found by the
/// row's value ids in a <see cref="Dictionary{TKey, TValue}"/> (looked up from a span, without allocating).
/// </summary>
internal sealed class CsvAttributeMaps
{
    private const int InitialSlots = 16;

    private readonly string[] _names;
    private readonly int _capacity;
    private readonly KeyValuePair<string, string>[] _scratch;

    // A map's key: per attribute column, 1 + the value's pool id, or 0 when absent; looked up from the row's span.
    private readonly Dictionary<int[], AttributeMap> _maps = new(KeyComparer.Instance);
    private readonly Dictionary<int[], AttributeMap>.AlternateLookup<ReadOnlySpan<int>> _byKey;
    private int _count;

    // With one attribute column, the maps by key directly.
    private AttributeMap?[] _single = [];

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
        _byKey = _maps.GetAlternateLookup<ReadOnlySpan<int>>();
    }

    /// <summary>Gets the map of one row's attributes, shared with earlier rows that had the same values.</summary>
    /// <param name="keys">Per attribute column: 1 + the pool id of its value, or 0 when the cell is empty (absent).</param>
    /// <param name="values">Per attribute column: the pooled value, or <see langword="null"/> when absent.</param>
    /// <returns>The map.</returns>
    public AttributeMap Get(ReadOnlySpan<int> keys, ReadOnlySpan<string?> values)
    {
        if (_names.Length == 1)
            return GetSingle(keys[0], values);
        if (_byKey.TryGetValue(keys, out var shared))
            return shared;
        var map = Build(values);
        if (_count < _capacity)
        {
            _byKey[keys] = map;
            _count++;
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
        var single = _single;
        if ((uint)key < (uint)single.Length && single[key] is { } shared)
            return shared;
        var map = Build(values);
        if (_count < _capacity)
        {
            if (key >= single.Length)
                Array.Resize(ref _single, Math.Max(InitialSlots, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)key + 1)));
            _single[key] = map;
            _count++;
        }
        return map;
    }

    /// <summary>Compares keys by their values; the hash is seeded per process (<see cref="HashCode"/>).</summary>
    private sealed class KeyComparer : IEqualityComparer<int[]>, IAlternateEqualityComparer<ReadOnlySpan<int>, int[]>
    {
        public static readonly KeyComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<int> alternate, int[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<int> alternate) => Hash(alternate);

        public int[] Create(ReadOnlySpan<int> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<int> keys)
        {
            var hashing = default(HashCode);
            foreach (int key in keys)
                hashing.Add(key);
            return hashing.ToHashCode();
        }
    }
}
