namespace CallStream.Csv;

/// <summary>
/// Shares one string instance per distinct value of a repetitive column (agent ids, attribute values), looked up
/// from the field's characters without allocating; stops adding once it holds <c>capacity</c> values. Each pooled
/// value has a small number, its id (0, 1, 2, ... in the order first seen), for callers that key on values.
/// </summary>
internal sealed class CsvStringPool
{
    /// <summary>The id given for a value that is not pooled (too long, or the pool is full).</summary>
    public const int NotPooled = -1;

    private const int MaxPooledLength = 64;

    // Open addressing with linear probing, at most half full; a slot holds 1 + the id of its value, or 0 when free.
    private readonly int[] _slots;
    private readonly int[] _slotHashes;
    private readonly string[] _values;
    private readonly int _capacity;

    /// <summary>Creates a pool.</summary>
    /// <param name="capacity">How many distinct values it keeps at most.</param>
    public CsvStringPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _capacity = capacity;
        int size = (int)Math.Min(1L << 30, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity) * 2);
        _slots = new int[size];
        _slotHashes = new int[size];
        _values = new string[capacity];
    }

    /// <summary>Gets how many values the pool holds.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the shared string equal to <paramref name="text"/>, or a new one.</summary>
    /// <param name="text">The characters.</param>
    /// <returns>The string.</returns>
    public string Get(ReadOnlySpan<char> text) => Get(text, out _);

    /// <summary>Gets the shared string equal to <paramref name="text"/> and its id, or a new one and <see cref="NotPooled"/>.</summary>
    /// <param name="text">The characters.</param>
    /// <param name="id">The value's id, from 0 to the capacity less one, or <see cref="NotPooled"/>.</param>
    /// <returns>The string.</returns>
    public string Get(ReadOnlySpan<char> text, out int id)
    {
        if (text.Length > MaxPooledLength)
        {
            id = NotPooled;
            return new string(text);
        }
        // The hash is randomised per process, so crafted input cannot make the probing slow.
        int hash = string.GetHashCode(text);
        int mask = _slots.Length - 1;
        int slot = hash & mask;
        while (true)
        {
            int entry = _slots[slot];
            if (entry == 0)
                break;
            if (_slotHashes[slot] == hash)
            {
                string candidate = _values[entry - 1];
                if (text.SequenceEqual(candidate))
                {
                    id = entry - 1;
                    return candidate;
                }
            }
            slot = (slot + 1) & mask;
        }
        string value = new(text);
        if (Count == _capacity)
        {
            id = NotPooled;
            return value;
        }
        id = Count++;
        _values[id] = value;
        _slots[slot] = id + 1;
        _slotHashes[slot] = hash;
        return value;
    }
}
