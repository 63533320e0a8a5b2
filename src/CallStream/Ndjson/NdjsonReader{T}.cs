using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CallStream.Input;

namespace CallStream.Ndjson;

/// <summary>
/// Reads values from NDJSON (one JSON object per line, UTF-8, <c>\n</c> or <c>\r\n</c> line endings) line by line in
/// constant memory. Blank lines are skipped. A line that is not a valid value is rejected: reported with its line
/// number, the field, value and reason, counted, written to <see cref="NdjsonReaderOptions.Rejects"/>, and reading
/// goes on (or, in <see cref="NdjsonReaderOptions.Strict"/> mode, stops with an <see cref="InputRejectedException"/>).
/// </summary>
/// <typeparam name="T">The value type, for example <see cref="Interaction"/> or <see cref="Alert"/>.</typeparam>
public sealed class NdjsonReader<T> : IDisposable, IAsyncDisposable
    where T : class
{
    private const int ChunkSize = 0x10000;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly int _maxLength;
    private readonly RejectionReporter _reporter;
    private byte[] _buffer = new byte[ChunkSize];
    private int _start;
    private int _scan;
    private int _end;
    private bool _eof;
    private bool _bomChecked;
    private bool _disposed;
    private long _line = 1;
    private long _records;
    private long _accepted;

    /// <summary>Creates a reader.</summary>
    /// <param name="stream">The UTF-8 lines.</param>
    /// <param name="typeInfo">How to read a value, for example <c>CallStreamJsonContext.Default.Interaction</c>.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="stream"/> open.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="typeInfo"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable, or an option is out of range.</exception>
    public NdjsonReader(Stream stream, JsonTypeInfo<T> typeInfo, NdjsonReaderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (!stream.CanRead)
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        options ??= new NdjsonReaderOptions();
        options.Validate();
        _stream = stream;
        _typeInfo = typeInfo;
        _leaveOpen = leaveOpen;
        _maxLength = options.MaxLineLength;
        SourceName = options.SourceName ?? "input";
        _reporter = new RejectionReporter(options.Rejects, options.OnRejected, options.Strict);
    }

    private enum Step
    {
        Line,
        NeedData,
        TooLong,
        End,
    }

    /// <summary>Gets the name that locations start with.</summary>
    public string SourceName { get; }

    /// <summary>Gets how many non-blank lines have been read, accepted or rejected.</summary>
    public long RecordsRead => _records;

    /// <summary>Gets how many lines became values.</summary>
    public long RecordsAccepted => _accepted;

    /// <summary>Gets how many lines were rejected.</summary>
    public long RecordsRejected => _reporter.Count;

    /// <summary>Reads the next valid value, reporting and skipping rejected lines on the way.</summary>
    /// <returns>The value, or <see langword="null"/> at the end of the input.</returns>
    /// <exception cref="InputRejectedException">In strict mode, at the first rejected line.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public T? Read()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            switch (Next(out int start, out int length))
            {
                case Step.Line:
                    var value = Take(start, length, out var rejection, out string lineEnding);
                    if (value is not null)
                        return value;
                    if (rejection is not null)
                        _reporter.Reject(rejection, lineEnding);
                    break;
                case Step.NeedData:
                    MakeRoom();
                    Fill(_stream.Read(_buffer, _end, _buffer.Length - _end));
                    break;
                case Step.TooLong:
                    SkipLongLine();
                    break;
                default:
                    return null;
            }
        }
    }

    /// <summary>Reads the next valid value, reporting and skipping rejected lines on the way.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The value, or <see langword="null"/> at the end of the input.</returns>
    /// <exception cref="InputRejectedException">In strict mode, at the first rejected line.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public async ValueTask<T?> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (Next(out int start, out int length))
            {
                case Step.Line:
                    var value = Take(start, length, out var rejection, out string lineEnding);
                    if (value is not null)
                        return value;
                    if (rejection is not null)
                        await _reporter.RejectAsync(rejection, lineEnding, cancellationToken).ConfigureAwait(false);
                    break;
                case Step.NeedData:
                    MakeRoom();
                    Fill(await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false));
                    break;
                case Step.TooLong:
                    await SkipLongLineAsync(cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    return null;
            }
        }
    }

    /// <summary>Reads every valid value to the end of the input, lazily.</summary>
    /// <returns>The values, in input order.</returns>
    /// <exception cref="InputRejectedException">In strict mode, at the first rejected line (on enumeration).</exception>
    public IEnumerable<T> ReadAll()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Enumerate();

        IEnumerable<T> Enumerate()
        {
            while (Read() is { } value)
                yield return value;
        }
    }

    /// <summary>Reads every valid value to the end of the input, asynchronously.</summary>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The values, in input order.</returns>
    /// <exception cref="InputRejectedException">In strict mode, at the first rejected line (on enumeration).</exception>
    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } value)
            yield return value;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_leaveOpen)
            _stream.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_leaveOpen)
            await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private Step Next(out int start, out int length)
    {
        start = length = 0;
        if (!_bomChecked)
        {
            if (_end - _start < 3 && !_eof)
                return Step.NeedData;
            _bomChecked = true;
            if (_buffer.AsSpan(_start, _end - _start).StartsWith("\uFEFF"u8))
                _start = _scan = _start + 3;
        }
        int newLine = _buffer.AsSpan(_scan, _end - _scan).IndexOf((byte)'\n');
        if (newLine >= 0)
        {
            start = _start;
            length = _scan + newLine - _start;
            _start = _scan = _scan + newLine + 1;
            return Step.Line;
        }
        _scan = _end;
        if (_eof)
        {
            if (_start == _end)
                return Step.End;
            start = _start;
            length = _end - _start;
            _start = _end;
            return Step.Line;
        }
        // Without its line ending (an optional '\r' before the '\n') the line is already too long.
        return _end - _start > _maxLength + 1 ? Step.TooLong : Step.NeedData;
    }

    /// <summary>Takes one complete line: a blank (skipped), a value, or a rejection.</summary>
    private T? Take(int start, int length, out InputRejection? rejection, out string lineEnding)
    {
        long line = _line++;
        rejection = null;
        lineEnding = "\n";
        var text = _buffer.AsSpan(start, length);
        if (text.EndsWith("\r"u8))
        {
            text = text[..^1];
            lineEnding = "\r\n";
        }
        if (text.IndexOfAnyExcept(" \t\r"u8) < 0)
            return null;
        _records++;
        if (text.Length > _maxLength)
        {
            rejection = TooLong(line, text);
            return null;
        }

        try
        {
            var value = JsonSerializer.Deserialize(text, _typeInfo);
            if (value is not null)
            {
                _accepted++;
                return value;
            }
            rejection = Rejection(line, 1, null, null, "the line is null, not a JSON object.", text);
        }
        catch (JsonException ex)
        {
            rejection = Rejection(line, (int)(ex.BytePositionInLine ?? 0) + 1, null, null, "not valid JSON: " + JsonReason(ex), text);
        }
        catch (InteractionFormatException ex)
        {
            rejection = Rejection(line, Locate(text, ex.Field), ex.Field, ex.Value, ex.Reason, text);
        }
        catch (ArgumentException ex)
        {
            rejection = Rejection(line, 1, ex.ParamName, null, ex.Message, text);
        }
        return null;
    }

    private InputRejection Rejection(long line, int column, string? field, string? value, string reason, ReadOnlySpan<byte> text) =>
        new(SourceName, line, column, field, value, reason, Utf8.GetString(text));

    private InputRejection TooLong(long line, ReadOnlySpan<byte> text) =>
        Rejection(line, 1, null, null, $"the line is longer than {_maxLength} bytes (NdjsonReaderOptions.MaxLineLength).", text[.._maxLength]);

    /// <summary>Rejects a line too long to hold, streaming all of it to the rejects output while skipping it.</summary>
    private void SkipLongLine()
    {
        var (rejection, writer, decoder, chars) = BeginLongLine();
        while (true)
        {
            bool found = FindLongLineEnd(out int stop);
            if (writer is not null)
                Decode(decoder, chars, _buffer.AsSpan(_start, stop - _start), flush: false, writer);
            if (found)
            {
                _start = _scan = stop + 1;
                break;
            }
            _start = _scan = _end = 0;
            if (_eof)
                break;
            Fill(_stream.Read(_buffer, 0, _buffer.Length));
        }
        if (writer is not null)
        {
            Decode(decoder, chars, [], flush: true, writer);
            writer.Write('\n');
        }
        _reporter.Report(rejection);
    }

    private async ValueTask SkipLongLineAsync(CancellationToken cancellationToken)
    {
        var (rejection, writer, decoder, chars) = BeginLongLine();
        while (true)
        {
            bool found = FindLongLineEnd(out int stop);
            if (writer is not null)
            {
                int count = Decode(decoder, chars, _buffer.AsSpan(_start, stop - _start), flush: false, writer: null);
                await writer.WriteAsync(chars.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            }
            if (found)
            {
                _start = _scan = stop + 1;
                break;
            }
            _start = _scan = _end = 0;
            if (_eof)
                break;
            Fill(await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false));
        }
        if (writer is not null)
        {
            int count = Decode(decoder, chars, [], flush: true, writer: null);
            await writer.WriteAsync(chars.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
            await writer.WriteAsync("\n".AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        _reporter.Report(rejection);
    }

    private (InputRejection Rejection, TextWriter? Writer, Decoder Decoder, char[] Chars) BeginLongLine()
    {
        long line = _line++;
        _records++;
        var rejection = TooLong(line, _buffer.AsSpan(_start, _end - _start));
        var writer = _reporter.BeginRecord();
        // The decoded text of one buffer needs at most as many chars as it has bytes.
        return (rejection, writer, Utf8.GetDecoder(), writer is null ? [] : new char[_buffer.Length]);
    }

    private bool FindLongLineEnd(out int stop)
    {
        int newLine = _buffer.AsSpan(_scan, _end - _scan).IndexOf((byte)'\n');
        stop = newLine >= 0 ? _scan + newLine : _end;
        return newLine >= 0;
    }

    private static int Decode(Decoder decoder, char[] chars, ReadOnlySpan<byte> bytes, bool flush, TextWriter? writer)
    {
        int count = decoder.GetChars(bytes, chars, flush);
        writer?.Write(chars, 0, count);
        return count;
    }

    /// <summary>Moves the line being read to the front of the buffer, growing it (up to the limit) when it is full.</summary>
    private void MakeRoom()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _scan -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            // A line of up to _maxLength bytes plus its "\r\n" must fit.
            Array.Resize(ref _buffer, CallStream.Input.InputBuffer.GrownSize(_buffer.Length, ChunkSize, (long)_maxLength + 2));
        }
    }

    private void Fill(int read)
    {
        if (read == 0)
            _eof = true;
        else
            _end += read;
    }

    /// <summary>Finds where in the line an offending field is written: the 1-based byte position of its name.</summary>
    private static int Locate(ReadOnlySpan<byte> text, string? field)
    {
        if (string.IsNullOrEmpty(field))
            return 1;
        string name = field[(field.LastIndexOf('.') + 1)..];
        int at = text.IndexOf(Utf8.GetBytes("\"" + name + "\""));
        return at < 0 ? 1 : at + 1;
    }

    private static string JsonReason(JsonException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        int lineNumber = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0 || (lineNumber >= 0 && lineNumber < cut))
            cut = lineNumber;
        return (cut < 0 ? message : message[..cut]).TrimEnd(' ', '|');
    }
}
