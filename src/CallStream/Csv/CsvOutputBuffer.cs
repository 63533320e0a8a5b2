using System.Buffers;
using System.Text;

namespace CallStream.Csv;

/// <summary>
/// The CSV writer's character buffer: appends values with RFC 4180 quoting where needed and sends the characters out
/// to a stream as UTF-8 without a byte-order mark, or to a text writer, when full or asked. Apart from
/// <see cref="CsvInteractionWriter"/>, which lays out the header and the rows and owns the output's lifetime.
/// </summary>
internal sealed class CsvOutputBuffer
{
    private const int BufferChars = 1 << 16;

    private static readonly SearchValues<char> QuoteTriggers = SearchValues.Create(",\"\r\n");
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Stream? _stream;
    private readonly TextWriter? _writer;
    private char[] _chars = new char[BufferChars];
    private byte[] _bytes = [];
    private int _length;

    /// <summary>Creates a buffer that writes UTF-8 bytes to a stream.</summary>
    public CsvOutputBuffer(Stream stream)
    {
        _stream = stream;
        _bytes = new byte[Utf8NoBom.GetMaxByteCount(BufferChars)];
    }

    /// <summary>Creates a buffer that writes characters to a text writer.</summary>
    public CsvOutputBuffer(TextWriter writer) => _writer = writer;

    /// <summary>Gets whether more than half of the buffer is taken (an asynchronous write sends it out first).</summary>
    public bool MoreThanHalfFull => _length > _chars.Length / 2;

    /// <summary>Gets or sets whether a row that does not fit grows the buffer instead of sending it out synchronously.</summary>
    public bool GrowInsteadOfFlushing { get; set; }

    /// <summary>Appends one character.</summary>
    public void WriteChar(char c)
    {
        if (_length == _chars.Length)
            Reserve(1);
        _chars[_length++] = c;
    }

    /// <summary>Appends a value, quoted when it holds a comma, a quote or a line break, or starts or ends with white space.</summary>
    public void WriteText(string text)
    {
        ReadOnlySpan<char> span = text;
        int trigger = span.IndexOfAny(QuoteTriggers);
        bool quote = trigger >= 0 || (span.Length > 0 && (char.IsWhiteSpace(span[0]) || char.IsWhiteSpace(span[^1])));
        if (!quote)
        {
            Reserve(span.Length);
            span.CopyTo(_chars.AsSpan(_length));
            _length += span.Length;
            return;
        }

        int quotes = trigger >= 0 ? span[trigger..].Count('"') : 0;
        Reserve(span.Length + quotes + 2);
        _chars[_length++] = '"';
        while (true)
        {
            int q = span.IndexOf('"');
            int chunk = q < 0 ? span.Length : q + 1;
            span[..chunk].CopyTo(_chars.AsSpan(_length));
            _length += chunk;
            if (q < 0)
                break;
            _chars[_length++] = '"';
            span = span[chunk..];
        }
        _chars[_length++] = '"';
    }

    /// <summary>Makes room for <paramref name="count"/> more characters and returns the free part of the buffer.</summary>
    public Span<char> GetSpan(int count)
    {
        Reserve(count);
        return _chars.AsSpan(_length);
    }

    /// <summary>Counts <paramref name="count"/> characters written into the span <see cref="GetSpan"/> returned.</summary>
    public void Advance(int count) => _length += count;

    private void Reserve(int count)
    {
        if (_length + count <= _chars.Length)
            return;
        if (!GrowInsteadOfFlushing)
            Flush();
        if (_length + count > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_length + count, _chars.Length * 2));
            if (_stream is not null)
                _bytes = new byte[Utf8NoBom.GetMaxByteCount(_chars.Length)];
        }
    }

    /// <summary>Sends the buffered characters out (to the stream as UTF-8, or to the text writer).</summary>
    public void Flush()
    {
        if (_length == 0)
            return;
        if (_stream is not null)
        {
            int count = Utf8NoBom.GetBytes(_chars, 0, _length, _bytes, 0);
            _stream.Write(_bytes, 0, count);
        }
        else
        {
            _writer!.Write(_chars, 0, _length);
        }
        _length = 0;
    }

    /// <summary>Sends the buffered characters out asynchronously.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_length == 0)
            return;
        if (_stream is not null)
        {
            int count = Utf8NoBom.GetBytes(_chars, 0, _length, _bytes, 0);
            await _stream.WriteAsync(_bytes.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _writer!.WriteAsync(_chars.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        }
        _length = 0;
    }
}
