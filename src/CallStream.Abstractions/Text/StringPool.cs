using System.Text;

namespace CallStream.Text;

/// <summary>
/// Shares one string instance per distinct short value read from input (agent ids, customer ids, attribute names and
/// values), looked up from the characters or ASCII bytes without allocating; the one string pool of the CSV and JSON
/// readers. Each pooled value has a small number, its id (0, 1, 2, ... in the order first seen), for callers that key
/// on values.
/// </summary>
/// <remarks>
/// Bounded against hostile input: it keeps at most <c>capacity</c> values of at most <see cref="MaxPooledLength"/>
/// characters, then hands out new strings as without pooling; and it hashes with .NET's randomised string hash, so
/// crafted values cannot make lookups slow. Not thread-safe: one pool per reader.
/// <para>
/// The table is open addressing with linear probing, at most half full, rather than a
/// <see cref="Dictionary{TKey, TValue}"/> with a span lookup: a CSV row looks up about four values, and the
/// dictionary's lookup (an interface call to its comparer, then buckets, entries and the key) cost about 27 ns more
/// per row in whole replays of 3,000,000 rows, where one probe here usually touches one slot and the key
/// (docs/decisions.md, "Hash tables").
/// </para>
/// </remarks>
internal sealed class StringPool
{
    /// <summary>The id given for a value that is not pooled (too long, or the pool is full).</summary>
    public const int NotPooled = -1;

    /// <summary>The longest value pooled, in characters.</summary>
    public const int MaxPooledLength = 64;

    private const int InitialSlots = 64;

    private readonly int _capacity;

    // Grows with the values held, so that a log with few distinct values probes a small table.
    private Slot[] _slots = new Slot[InitialSlots];

    /// <summary>Creates a pool.</summary>
    /// <param name="capacity">How many distinct values it keeps at most.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive or more than 2^24.</exception>
    public StringPool(int capacity)
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

    /// <summary>Gets the shared string of ASCII text (each byte one character), or a new one.</summary>
    /// <param name="ascii">The text, as ASCII bytes.</param>
    /// <returns>The string.</returns>
    public string GetAscii(ReadOnlySpan<byte> ascii)
    {
        if (ascii.Length > MaxPooledLength)
            return Encoding.ASCII.GetString(ascii);
        Span<char> text = stackalloc char[MaxPooledLength];
        int length = Encoding.ASCII.GetChars(ascii, text);
        return Get(text[..length], out _);
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
