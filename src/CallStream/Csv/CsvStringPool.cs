namespace CallStream.Csv;

/// <summary>
/// Shares one string instance per distinct value of a repetitive column (agent ids, attribute values), looked up
/// from the field's characters without allocating; stops adding once it holds <c>capacity</c> values.
/// </summary>
internal sealed class CsvStringPool
{
    private const int MaxPooledLength = 64;
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _capacity;

    /// <summary>Creates a pool.</summary>
    /// <param name="capacity">How many distinct values it keeps at most.</param>
    public CsvStringPool(int capacity)
    {
        _capacity = capacity;
        _lookup = _values.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Gets the shared string equal to <paramref name="text"/>, or a new one.</summary>
    /// <param name="text">The characters.</param>
    /// <returns>The string.</returns>
    public string Get(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxPooledLength)
            return new string(text);
        if (_lookup.TryGetValue(text, out string? value))
            return value;
        value = new string(text);
        if (_values.Count < _capacity)
            _values.Add(value, value);
        return value;
    }
}
