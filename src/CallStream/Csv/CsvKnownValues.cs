
namespace CallStream.Csv;

/// <summary>Parses text into a value of type <typeparamref name="T"/>; <see langword="false"/> when it names none.</summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="text">The text.</param>
/// <param name="value">The value.</param>
/// <returns>Whether the text names a value.</returns>
internal delegate bool CsvValueParser<T>(ReadOnlySpan<char> text, out T value);

/// <summary>
/// Remembers how the few distinct texts of an enumerated column (a channel, an outcome) parsed, so that a row whose
/// text was seen before needs no parsing: the first <c>8</c> distinct texts that parsed are kept, as written.
/// </summary>
/// <typeparam name="T">The parsed value's type.</typeparam>
internal sealed class CsvKnownValues<T>
    where T : struct
{
    private const int Capacity = 8;
    private readonly string[] _texts = new string[Capacity];
    private readonly T[] _values = new T[Capacity];
    private int _count;

    /// <summary>Gets the value of a text seen before.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">Its value, when it was seen before.</param>
    /// <returns>Whether it was seen before.</returns>
    public bool TryGet(ReadOnlySpan<char> text, out T value)
    {
        for (int k = 0; k < _count; k++)
        {
            string known = _texts[k];
            if (known.Length == text.Length && known[0] == text[0] && text.SequenceEqual(known))
            {
                value = _values[k];
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Parses a text not seen before, remembering its value when it parses and there is room.</summary>
    /// <param name="text">The text.</param>
    /// <param name="parser">The parser.</param>
    /// <param name="value">Its value, when it parses.</param>
    /// <returns>Whether it parses.</returns>
    public bool TryParse(ReadOnlySpan<char> text, CsvValueParser<T> parser, out T value)
    {
        if (!parser(text, out value))
            return false;
        if (_count < Capacity)
        {
            _texts[_count] = new string(text);
            _values[_count++] = value;
        }
        return true;
    }
}
