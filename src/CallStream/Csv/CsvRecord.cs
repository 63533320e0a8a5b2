using System.Runtime.CompilerServices;

namespace CallStream.Csv;

/// <summary>
/// One well-formed record framed by <see cref="CsvRecordGuard"/>: its raw text and its fields, read in place from the
/// guard's buffer. A quoted field is unquoted when asked for; one without doubled quotes is still read in place, one
/// with them is unescaped into a scratch buffer that the next such field reuses, so use each field's text before
/// asking for the next. Valid until the guard is used again.
/// </summary>
internal sealed class CsvRecord
{
    private char[] _text = [];
    private int[] _bounds = [-1, 0];
    private int _start;
    private int _contentLength;
    private int _length;
    private bool _quoted;
    private char[] _scratch = [];

    /// <summary>Gets how many fields the record has (a blank record has one, empty).</summary>
    public int FieldCount { get; private set; }

    /// <summary>Gets the record as read, with its line ending (a lone <c>\r</c> ending reads as <c>\n</c>).</summary>
    public ReadOnlySpan<char> Raw => _text.AsSpan(_start, _length);

    /// <summary>Gets whether the record has no text before its line ending.</summary>
    public bool IsBlank => _contentLength == 0;

    /// <summary>Gets whether the record has a quoted field (which may hold line breaks).</summary>
    public bool HasQuotedField => _quoted;

    /// <summary>Gets whether the record ends with a line ending (only the last one of the input may not).</summary>
    public bool IsTerminated => _length > _contentLength;

    /// <summary>Gets a field's text: as written, or without its quotes and with doubled quotes made single.</summary>
    /// <param name="index">The 0-based field.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not a field of the record.</exception>
    public ReadOnlySpan<char> this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)FieldCount, nameof(index));
            int begin = _bounds[index] + 1;
            var raw = _text.AsSpan(_start + begin, _bounds[index + 1] - begin);
            // A quote that starts a field always opens a quoted field, which the guard has checked ends with its
            // closing quote; in a record without quoted fields no field starts with one.
            return _quoted && raw.Length >= 2 && raw[0] == '"' ? Unquote(raw[1..^1]) : raw;
        }
    }

    /// <summary>Describes the record just framed.</summary>
    /// <param name="text">The buffer holding it.</param>
    /// <param name="start">Where it starts.</param>
    /// <param name="contentLength">Its length without the line ending.</param>
    /// <param name="length">Its length with the line ending.</param>
    /// <param name="bounds">
    /// Its field bounds, as offsets from its start (shared, not copied): -1, each delimiter outside quotes, the end
    /// of its content; field <c>n</c> lies between bounds <c>n</c> and <c>n + 1</c>.
    /// </param>
    /// <param name="fieldCount">How many fields it has: one less than its bounds.</param>
    /// <param name="quoted">Whether it has a quoted field.</param>
    internal void Set(char[] text, int start, int contentLength, int length, int[] bounds, int fieldCount, bool quoted)
    {
        _text = text;
        _start = start;
        _contentLength = contentLength;
        _length = length;
        _bounds = bounds;
        FieldCount = fieldCount;
        _quoted = quoted;
    }

    private ReadOnlySpan<char> Unquote(ReadOnlySpan<char> inner)
    {
        int quote = inner.IndexOf('"');
        if (quote < 0)
            return inner;
        if (_scratch.Length < inner.Length)
            _scratch = new char[Math.Max(inner.Length, 256)];
        var scratch = _scratch.AsSpan();
        int written = 0;
        while (quote >= 0)
        {
            // Doubled quotes are the only quotes inside a well-formed quoted field: keep the first, skip the second.
            inner[..(quote + 1)].CopyTo(scratch[written..]);
            written += quote + 1;
            inner = inner[(quote + 2)..];
            quote = inner.IndexOf('"');
        }
        inner.CopyTo(scratch[written..]);
        return scratch[..(written + inner.Length)];
    }
}
