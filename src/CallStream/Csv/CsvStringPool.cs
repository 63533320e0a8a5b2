
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
    private const int InitialSlots = 64;

    private readonly int _capacity;

    // Open addressing with linear probing, at most half full, growing with the values it holds so that a log with
    // few distinct values probes a small table.
    private Slot[] _slots = new Slot[InitialSlots];

    /// <summary>Creates a pool.</summary>
    /// <param name="capacity">How many distinct values it keeps at most.</param>
    public CsvStringPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 24);
        _capacity = capacity;
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
        var slots = _slots;
        int mask = slots.Length - 1;
        int index = hash & mask;
        while (slots[index].Value is { } candidate)
        {
            if (slots[index].Hash == hash && text.SequenceEqual(candidate))
            {
                id = slots[index].Id;
                return candidate;
            }
            index = (index + 1) & mask;
        }
        string value = new(text);
        if (Count == _capacity)
        {
            id = NotPooled;
            return value;
        }
        id = Count++;
        slots[index] = new Slot(value, hash, id);
        if (Count * 2 > slots.Length)
            Grow();
        return value;
    }

    private void Grow()
    {
        var slots = new Slot[_slots.Length * 2];
        int mask = slots.Length - 1;
        foreach (var slot in _slots)
        {
            if (slot.Value is null)
                continue;
            int index = slot.Hash & mask;
            while (slots[index].Value is not null)
                index = (index + 1) & mask;
            slots[index] = slot;
        }
        _slots = slots;
    }

    private readonly record struct Slot(string? Value, int Hash, int Id);
}
