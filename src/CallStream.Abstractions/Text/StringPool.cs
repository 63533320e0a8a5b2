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
/// characters, then hands out new strings as without pooling; and it is a <see cref="Dictionary{TKey, TValue}"/>,
/// which switches to randomised string hashing when keys collide, so crafted values cannot make lookups slow. Not
/// thread-safe: one pool per reader.
/// </remarks>
internal sealed class StringPool
{
    /// <summary>The id given for a value that is not pooled (too long, or the pool is full).</summary>
    public const int NotPooled = -1;

    /// <summary>The longest value pooled, in characters.</summary>
    public const int MaxPooledLength = 64;

    private readonly int _capacity;
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byText;

    /// <summary>Creates a pool.</summary>
    /// <param name="capacity">How many distinct values it keeps at most.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive or more than 2^24.</exception>
    public StringPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 24);
        _capacity = capacity;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        _byText = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Gets how many values the pool holds.</summary>
    public int Count => _ids.Count;

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
        if (_byText.TryGetValue(text, out string? pooled, out id))
            return pooled;
        string value = new(text);
        if (_ids.Count == _capacity)
        {
            id = NotPooled;
            return value;
        }
        id = _ids.Count;
        _ids.Add(value, id);
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
}
