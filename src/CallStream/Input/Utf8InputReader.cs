using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace CallStream.Input;

/// <summary>
/// Decodes a UTF-8 input (with or without a byte order mark) without guessing: a byte that is not part of a valid
/// UTF-8 sequence becomes a lone low surrogate, U+DC80 to U+DCFF, that carries its value (see
/// <see cref="IndexOfInvalidByte"/>). Valid UTF-8 never decodes to a lone surrogate, so the mark is unambiguous, and
/// a reader can reject the record that holds it with its position instead of reading a replacement character as
/// data. An input that starts with a UTF-16 or UTF-32 byte order mark is decoded in that encoding instead.
/// </summary>
/// <remarks>
/// Encoding's decoder fallbacks cannot produce these marks: .NET refuses a fallback that yields a lone surrogate.
/// The bytes are decoded with <see cref="Utf8.ToUtf16"/>, which stops at an invalid byte and lets the mark be written
/// directly.
/// </remarks>
internal sealed class Utf8InputReader : TextReader
{
    private const int ByteBufferSize = 0x10000;
    private const char FirstMark = '\uDC80';
    private const char LastMark = '\uDCFF';

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _bytes = new byte[ByteBufferSize];
    private int _start;
    private int _end;
    private bool _eof;
    private bool _checkedBom;

    // For a UTF-16 or UTF-32 input: its decoder and what it has decoded but not yet handed out.
    private Decoder? _decoder;
    private char[] _decoded = [];
    private int _decodedStart;
    private int _decodedEnd;

    // The second half of a surrogate pair that did not fit in the caller's buffer.
    private char _carry;
    private bool _hasCarry;

    /// <summary>Creates a reader of a stream.</summary>
    /// <param name="stream">The bytes.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="stream"/> open.</param>
    public Utf8InputReader(Stream stream, bool leaveOpen)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Gets how many invalid bytes have been decoded so far: while none, no text needs to be searched for their marks.</summary>
    public long InvalidBytes { get; private set; }

    /// <summary>Finds the first mark of an invalid byte in text this reader decoded.</summary>
    /// <param name="text">Decoded text that starts at a character boundary (a record, a field).</param>
    /// <returns>The index of the mark, or -1 when the text has none.</returns>
    public static int IndexOfInvalidByte(ReadOnlySpan<char> text)
    {
        int offset = 0;
        while (true)
        {
            int k = text[offset..].IndexOfAnyInRange(FirstMark, LastMark);
            if (k < 0)
                return -1;
            k += offset;
            // A low surrogate after a high one is the second half of a valid four-byte sequence.
            if (k == 0 || !char.IsHighSurrogate(text[k - 1]))
                return k;
            offset = k + 1;
        }
    }

    /// <summary>Gets the byte that the mark at <paramref name="index"/> stands for.</summary>
    /// <param name="text">The text.</param>
    /// <param name="index">Where <see cref="IndexOfInvalidByte"/> found a mark.</param>
    /// <returns>The byte, from 0x80 to 0xFF.</returns>
    public static byte InvalidByteAt(ReadOnlySpan<char> text, int index) => (byte)(text[index] - 0xDC00);

    /// <summary>Describes the invalid bytes of a text, for a message: <c>byte 0xFF</c>, or <c>bytes 0xFF 0xFE ...</c>.</summary>
    /// <param name="text">Text with at least one mark.</param>
    /// <returns>The description.</returns>
    public static string DescribeInvalidBytes(ReadOnlySpan<char> text)
    {
        const int MaxShown = 4;
        var shown = new StringBuilder();
        int count = 0;
        for (int k = IndexOfInvalidByte(text), offset = 0; k >= 0; k = IndexOfInvalidByte(text[offset..]))
        {
            k += offset;
            if (count++ < MaxShown)
                shown.Append(count == 1 ? "" : " ").Append("0x").Append(InvalidByteAt(text, k).ToString("X2", CultureInfo.InvariantCulture));
            offset = k + 1;
        }
        string more = count > MaxShown ? " ..." : "";
        return count == 1 ? $"byte {shown}" : $"bytes {shown}{more}";
    }

    /// <summary>Gets the text with each mark of an invalid byte replaced by U+FFFD, the replacement character, for output.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The text, unchanged (the same string) when it has no mark.</returns>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Printable(string? text)
    {
        if (text is null || IndexOfInvalidByte(text) < 0)
            return text;
        var chars = text.ToCharArray();
        for (int k = IndexOfInvalidByte(chars), offset = 0; k >= 0; k = IndexOfInvalidByte(chars.AsSpan(offset)))
        {
            k += offset;
            chars[k] = '\uFFFD';
            offset = k + 1;
        }
        return new string(chars);
    }

    /// <inheritdoc/>
    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        while (true)
        {
            int n = Decode(buffer);
            if (n >= 0)
                return n;
            ReadBytes(_stream.Read(_bytes, _end, _bytes.Length - _end));
        }
    }

    /// <inheritdoc/>
    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
            return 0;
        while (true)
        {
            int n = Decode(buffer.Span);
            if (n >= 0)
                return n;
            ReadBytes(await _stream.ReadAsync(_bytes.AsMemory(_end), cancellationToken).ConfigureAwait(false));
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

    /// <inheritdoc/>
    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    /// <inheritdoc/>
    public override int Peek() => throw new NotSupportedException("The UTF-8 input reader cannot peek.");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
            _stream.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Makes room for more bytes, keeping those not decoded yet (an incomplete sequence).</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            Array.Copy(_bytes, _start, _bytes, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
    }

    private void ReadBytes(int read)
    {
        if (read == 0)
            _eof = true;
        else
            _end += read;
    }

    /// <summary>Decodes what the bytes read allow into <paramref name="chars"/>.</summary>
    /// <returns>How many characters were written (0 at the end of the input), or -1 when more bytes must be read first.</returns>
    private int Decode(Span<char> chars)
    {
        if (_hasCarry)
        {
            _hasCarry = false;
            chars[0] = _carry;
            return 1;
        }
        if (!_checkedBom && !CheckBom())
            return NeedBytes();
        if (_decoder is not null)
            return DecodeOther(chars);

        int total = 0;
        var status = OperationStatus.Done;
        while (total < chars.Length && _start < _end)
        {
            status = Utf8.ToUtf16(_bytes.AsSpan(_start, _end - _start), chars[total..], out int read, out int written, replaceInvalidSequences: false, isFinalBlock: _eof);
            _start += read;
            total += written;
            if (status != OperationStatus.InvalidData || total == chars.Length)
                break;
            // Each byte that starts no valid sequence is marked on its own; the next may start one.
            chars[total++] = (char)(0xDC00 + _bytes[_start++]);
            InvalidBytes++;
        }
        if (total > 0)
            return total;
        if (status == OperationStatus.DestinationTooSmall)
        {
            // Room for one character, and the next is a surrogate pair.
            Span<char> pair = stackalloc char[2];
            Utf8.ToUtf16(_bytes.AsSpan(_start, _end - _start), pair, out int read, out _, replaceInvalidSequences: false, isFinalBlock: _eof);
            _start += read;
            chars[0] = pair[0];
            (_carry, _hasCarry) = (pair[1], true);
            return 1;
        }
        return _start == _end && _eof ? 0 : NeedBytes();
    }

    private int NeedBytes()
    {
        if (_eof)
            return 0;
        MakeRoom();
        return -1;
    }

    /// <summary>Recognises a byte order mark once the first bytes are in; <see langword="false"/> while more are needed.</summary>
    private bool CheckBom()
    {
        var head = _bytes.AsSpan(_start, _end - _start);
        if (head.Length < 4 && !_eof)
            return false;
        _checkedBom = true;
        Encoding? other =
            head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0, 0]) ? new UTF32Encoding(bigEndian: false, byteOrderMark: true)
            : head.StartsWith((ReadOnlySpan<byte>)[0, 0, 0xFE, 0xFF]) ? new UTF32Encoding(bigEndian: true, byteOrderMark: true)
            : head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? Encoding.Unicode
            : head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? Encoding.BigEndianUnicode
            : null;
        if (other is not null)
        {
            _start += other.Preamble.Length;
            _decoder = other.GetDecoder();
            _decoded = new char[other.GetMaxCharCount(_bytes.Length)];
        }
        // A UTF-8 byte order mark decodes to U+FEFF, which the CSV reader drops before the header.
        return true;
    }

    /// <summary>Decodes a UTF-16 or UTF-32 input as <see cref="StreamReader"/> does (an invalid sequence becomes U+FFFD).</summary>
    private int DecodeOther(Span<char> chars)
    {
        if (_decodedStart == _decodedEnd)
        {
            if (_start == _end && !_eof)
                return NeedBytes();
            _decoder!.Convert(_bytes, _start, _end - _start, _decoded, 0, _decoded.Length, flush: _eof, out int used, out int written, out _);
            _start += used;
            (_decodedStart, _decodedEnd) = (0, written);
            if (written == 0)
                return NeedBytes();
        }
        int n = Math.Min(chars.Length, _decodedEnd - _decodedStart);
        _decoded.AsSpan(_decodedStart, n).CopyTo(chars);
        _decodedStart += n;
        return n;
    }
}
