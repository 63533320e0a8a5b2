using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace CallStream.Csv;

/// <summary>What is wrong with a CSV record that <see cref="CsvRecordGuard"/> holds back.</summary>
internal enum CsvRecordProblem
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>A closing quote is followed by something other than a delimiter or a line break.</summary>
    TextAfterClosingQuote,

    /// <summary>A quoted field is still open at the end of the input; when it spans lines, the record is its first line.</summary>
    UnclosedQuote,

    /// <summary>A quoted field holds more line breaks than the limit: the record is its first line, and framing resumes with the next.</summary>
    QuoteNotClosedInTime,

    /// <summary>The record is longer than the limit.</summary>
    TooLong,

    /// <summary>The record starts with a NUL character.</summary>
    StartsWithNul,
}

/// <summary>
/// Frames the RFC 4180 records of an input in one pass over a large buffer: it finds each record's end and its
/// fields' delimiters, hands out only complete, well-formed records no longer than the limit, and stops at a record
/// that is malformed or too long until the caller has reported and skipped it. A bad record is kept in the buffer
/// only up to the limit: the rest of a long one is streamed to the caller's writer while it is skipped. A quoted field
/// that is not closed within the line-break limit (a stray quote) is a bad record that ends with its first line, so
/// that framing resumes at the next line and one stray quote costs one row, not the rest of the input. The guard also
/// drops a leading byte order mark and blank lines before the header, and turns a lone <c>\r</c> line ending
/// into <c>\n</c>.
/// </summary>
/// <remarks>
/// Records are taken one at a time with <see cref="TryTakeRecord"/> (their fields in <see cref="Record"/>, valid until
/// the next call), reading more input with <see cref="ReadMore"/> or <see cref="ReadMoreAsync"/> when it says so. As
/// a <see cref="TextReader"/> the guard gives the same well-formed records as text instead, and reads as the end of
/// the input at a bad one. Use one way or the other, not both.
/// </remarks>
internal sealed class CsvRecordGuard : TextReader
{
    private const int ChunkSize = 0x10000;
    private const int BlockSize = 32;

    private readonly TextReader _inner;
    private readonly bool _leaveOpen;
    private readonly char _delimiter;
    private readonly int _maxLength;
    private readonly int _maxQuotedLineBreaks;
    private readonly SearchValues<char> _structural;
    private char[] _buffer;

    // [_pos, _released): complete records not yet handed out; _released is also where the record being framed
    // starts; _scan: how far that record is framed; _end: end of the data read.
    private int _pos;
    private int _released;
    private int _scan;
    private int _end;
    private bool _eof;
    private bool _started;
    private bool _bomChecked;
    private bool _emitNewLine;

    // State of the record being framed: its field bounds (offsets from its start: -1, then each delimiter outside
    // quotes, then, once framed, the end of its content), whether it has a quoted field, the quote state and the first
    // problem found.
    private int[] _bounds = NewBounds(64);
    private int _delimiterCount;
    private bool _quoted;
    private bool _inQuotes;
    private int _quoteAt;
    private int _quotedLineBreaks;
    private int _problemAt = -1;
    private CsvRecordProblem _problem;

    // The bad record being held back: its kind, where in it the problem is, and its end (-1 while not read to the end).
    private CsvRecordProblem _pending;
    private int _pendingAt;
    private int _pendingEnd;

    /// <summary>Creates a guard over an input.</summary>
    /// <param name="inner">The input.</param>
    /// <param name="delimiter">The field delimiter.</param>
    /// <param name="maxLength">The longest record allowed, in characters, not counting its line ending.</param>
    /// <param name="leaveOpen">Whether disposing the guard leaves <paramref name="inner"/> open.</param>
    /// <param name="maxQuotedLineBreaks">The most line breaks a quoted field may hold.</param>
    public CsvRecordGuard(TextReader inner, char delimiter, int maxLength, bool leaveOpen, int maxQuotedLineBreaks = int.MaxValue)
    {
        _inner = inner;
        _delimiter = delimiter;
        _maxLength = maxLength;
        _maxQuotedLineBreaks = maxQuotedLineBreaks;
        _leaveOpen = leaveOpen;
        _buffer = new char[ChunkSize];
        _structural = SearchValues.Create([delimiter, '"', '\n', '\r']);
    }

    /// <summary>Gets the record last taken by <see cref="TryTakeRecord"/>; valid until the guard is used again.</summary>
    public CsvRecord Record { get; } = new();

    /// <summary>Gets how many blank lines came before the header.</summary>
    public int LeadingBlankLines { get; private set; }

    /// <summary>Gets the first record (the header) as read, with its line ending, once it has been framed.</summary>
    public string? HeaderText { get; private set; }

    /// <summary>Gets what is wrong with the record held back, or <see cref="CsvRecordProblem.None"/>.</summary>
    public CsvRecordProblem Pending => _pending;

    /// <summary>Gets the record held back as read so far (up to the limit for a long one), with its line ending if read.</summary>
    public ReadOnlySpan<char> PendingText =>
        _pending == CsvRecordProblem.None ? default
        : _buffer.AsSpan(_released, Math.Min((_pendingEnd < 0 ? _end : _pendingEnd) - _released, _maxLength));

    /// <summary>Gets where in <see cref="PendingText"/> the problem is.</summary>
    public int PendingOffset => _pendingAt;

    /// <summary>Gets the 0-based field in which <paramref name="offset"/> lies, reading quotes as the guard does.</summary>
    /// <param name="record">The record's text.</param>
    /// <param name="offset">A position in it.</param>
    /// <param name="delimiter">The field delimiter.</param>
    /// <returns>The field index.</returns>
    public static int FieldIndexAt(ReadOnlySpan<char> record, int offset, char delimiter)
    {
        int field = 0;
        bool inQuotes = false;
        for (int i = 0; i < offset && i < record.Length; i++)
        {
            char c = record[i];
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < record.Length && record[i + 1] == '"')
                        i++;
                    else
                        inQuotes = false;
                }
            }
            else if (c == '"' && (i == 0 || record[i - 1] == delimiter))
            {
                inQuotes = true;
            }
            else if (c == delimiter)
            {
                field++;
            }
        }
        return field;
    }

    /// <summary>Gets the raw text of field <paramref name="field"/>, up to its end or its first line break.</summary>
    /// <param name="record">The record's text.</param>
    /// <param name="field">The 0-based field.</param>
    /// <param name="delimiter">The field delimiter.</param>
    /// <returns>The field's text as written, quotes included.</returns>
    public static ReadOnlySpan<char> RawFieldText(ReadOnlySpan<char> record, int field, char delimiter)
    {
        int current = 0, start = 0;
        bool inQuotes = false;
        for (int i = 0; i < record.Length; i++)
        {
            char c = record[i];
            if (c is '\n' or '\r' && (!inQuotes || current == field))
                return current == field ? record[start..i] : default;
            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < record.Length && record[i + 1] == '"')
                        i++;
                    else
                        inQuotes = false;
                }
            }
            else if (c == '"' && (i == start || record[i - 1] == delimiter))
            {
                inQuotes = true;
            }
            else if (c == delimiter)
            {
                if (current == field)
                    return record[start..i];
                current++;
                start = i + 1;
            }
        }
        return current == field ? record[start..] : default;
    }

    /// <summary>Skips the record held back, copying all of it (as read) to <paramref name="copyTo"/>, and resumes.</summary>
    /// <param name="copyTo">Where the record's text goes, or <see langword="null"/>.</param>
    /// <returns>How many line breaks the record holds, its own line ending included, and whether it ends with one.</returns>
    /// <remarks>After this the guard, read as text, hands out one blank line first, for a new CSV parser to take as its header.</remarks>
    public (long LineBreaks, bool Terminated) SkipPending(TextWriter? copyTo)
    {
        var counter = default(LineBreakCounter);
        int segment = _released;
        while (_pendingEnd < 0)
        {
            copyTo?.Write(_buffer, segment, _scan - segment);
            counter.Add(_buffer.AsSpan(segment, _scan - segment));
            segment = KeepForSkipping();
            if (!_eof)
                Fill(_inner.Read(_buffer, _end, _buffer.Length - _end));
            ScanRestOfLongRecord();
        }
        copyTo?.Write(_buffer, segment, _pendingEnd - segment);
        return Resume(ref counter, segment);
    }

    /// <summary>Skips the record held back, copying all of it (as read) to <paramref name="copyTo"/>, and resumes.</summary>
    /// <param name="copyTo">Where the record's text goes, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the skipping.</param>
    /// <returns>How many line breaks the record holds, its own line ending included, and whether it ends with one.</returns>
    public async ValueTask<(long LineBreaks, bool Terminated)> SkipPendingAsync(TextWriter? copyTo, CancellationToken cancellationToken)
    {
        var counter = default(LineBreakCounter);
        int segment = _released;
        while (_pendingEnd < 0)
        {
            if (copyTo is not null)
                await copyTo.WriteAsync(_buffer.AsMemory(segment, _scan - segment), cancellationToken).ConfigureAwait(false);
            counter.Add(_buffer.AsSpan(segment, _scan - segment));
            segment = KeepForSkipping();
            if (!_eof)
                Fill(await _inner.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false));
            ScanRestOfLongRecord();
        }
        if (copyTo is not null)
            await copyTo.WriteAsync(_buffer.AsMemory(segment, _pendingEnd - segment), cancellationToken).ConfigureAwait(false);
        return Resume(ref counter, segment);
    }

    /// <summary>
    /// Takes the next complete, well-formed record from what has been read, into <see cref="Record"/>. Returns
    /// <see langword="false"/> when there is none: then a bad record is held back (<see cref="Pending"/>), to be
    /// skipped, or more input is needed (<see cref="ReadMore"/>, which says when the input has ended).
    /// </summary>
    /// <returns><see langword="true"/> when <see cref="Record"/> holds the next record.</returns>
    public bool TryTakeRecord()
    {
        // The blank line that resumes a text reader after a skipped record is not a record.
        _emitNewLine = false;
        if (!_started && !SkipLeadingBlankLines())
            return false;
        if (!FrameRecord())
            return false;
        _pos = _released;
        return true;
    }

    /// <summary>Reads more input, after <see cref="TryTakeRecord"/> found no record and none is pending.</summary>
    /// <returns><see langword="false"/> when the input had already ended.</returns>
    public bool ReadMore()
    {
        if (_eof)
            return false;
        MakeRoom();
        Fill(_inner.Read(_buffer, _end, _buffer.Length - _end));
        return true;
    }

    /// <summary>Reads more input, after <see cref="TryTakeRecord"/> found no record and none is pending.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns><see langword="false"/> when the input had already ended.</returns>
    public async ValueTask<bool> ReadMoreAsync(CancellationToken cancellationToken)
    {
        if (_eof)
            return false;
        MakeRoom();
        Fill(await _inner.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false));
        return true;
    }

    /// <inheritdoc/>
    public override int Read(Span<char> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        if (_emitNewLine)
            return EmitNewLine(buffer);
        while (_pos == _released)
        {
            if (_pending != CsvRecordProblem.None)
                return 0;
            if (FrameNeedsData())
            {
                if (_eof)
                    return 0;
                Fill(_inner.Read(_buffer, _end, _buffer.Length - _end));
            }
        }
        return HandOut(buffer);
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
            return 0;
        if (_emitNewLine)
            return EmitNewLine(buffer.Span);
        while (_pos == _released)
        {
            if (_pending != CsvRecordProblem.None)
                return 0;
            if (FrameNeedsData())
            {
                if (_eof)
                    return 0;
                Fill(await _inner.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false));
            }
        }
        return HandOut(buffer.Span);
    }

    /// <inheritdoc/>
    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    /// <inheritdoc/>
    public override int Read()
    {
        Span<char> one = stackalloc char[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    /// <inheritdoc/>
    public override int Peek() => throw new NotSupportedException("The CSV record guard cannot peek.");

    /// <inheritdoc/>
    public override int ReadBlock(Span<char> buffer)
    {
        int total = 0, n;
        while (total < buffer.Length && (n = Read(buffer[total..])) > 0)
            total += n;
        return total;
    }

    /// <inheritdoc/>
    public override int ReadBlock(char[] buffer, int index, int count) => ReadBlock(buffer.AsSpan(index, count));

    /// <inheritdoc/>
    public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

    /// <inheritdoc/>
    public override async ValueTask<int> ReadBlockAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
    {
        int total = 0, n;
        while (total < buffer.Length && (n = await ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false)) > 0)
            total += n;
        return total;
    }

    /// <inheritdoc/>
    public override Task<int> ReadBlockAsync(char[] buffer, int index, int count) => ReadBlockAsync(buffer.AsMemory(index, count)).AsTask();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
            _inner.Dispose();
        base.Dispose(disposing);
    }

    private int EmitNewLine(Span<char> buffer)
    {
        _emitNewLine = false;
        buffer[0] = '\n';
        return 1;
    }

    private int HandOut(Span<char> buffer)
    {
        int n = Math.Min(buffer.Length, _released - _pos);
        _buffer.AsSpan(_pos, n).CopyTo(buffer);
        _pos += n;
        return n;
    }

    /// <summary>Frames what the buffer holds; returns <see langword="true"/> when nothing could be released and more data is needed.</summary>
    private bool FrameNeedsData()
    {
        if (_started || SkipLeadingBlankLines())
        {
            Frame();
            if (_pos != _released || _pending != CsvRecordProblem.None)
                return false;
        }
        if (!_eof)
            MakeRoom();
        return true;
    }

    private bool SkipLeadingBlankLines()
    {
        int i = _scan;
        if (!_bomChecked && i < _end)
        {
            _bomChecked = true;
            if (_buffer[i] == '\uFEFF')
                i++;
        }
        while (i < _end)
        {
            char c = _buffer[i];
            if (c == '\n')
            {
                i++;
            }
            else if (c == '\r')
            {
                if (i + 1 == _end && !_eof)
                    break;
                i += i + 1 < _end && _buffer[i + 1] == '\n' ? 2 : 1;
            }
            else
            {
                break;
            }
            LeadingBlankLines++;
        }
        _pos = _released = _scan = i;
        if (i == _end && !_eof)
            return false;
        if (i + 1 == _end && _buffer[i] == '\r' && !_eof)
            return false;
        _started = true;
        return true;
    }

    /// <summary>Frames records from <see cref="_released"/> until the data runs out or a bad record is found.</summary>
    private void Frame()
    {
        while (FrameRecord())
        {
        }
    }

    /// <summary>
    /// Frames the record at <see cref="_released"/>; when it is complete and well-formed, releases it, describes it in
    /// <see cref="Record"/> and returns <see langword="true"/>. Otherwise more data is needed, the data has ended, or
    /// the record is held back as <see cref="Pending"/>.
    /// </summary>
    private bool FrameRecord()
    {
        if (_pending != CsvRecordProblem.None)
            return false;
        int start = _released;
        if (_scan == _end && (start == _end || !_eof))
            return false;
        if (_scan == start && _buffer[start] == '\0')
            NoteProblem(CsvRecordProblem.StartsWithNul, 0);
        if (!ScanRecord(start, out int contentEnd, out int recordEnd))
        {
            if (_scan - start > _maxLength)
                HoldBack(CsvRecordProblem.TooLong, 0, -1);
            return false;
        }
        bool good = false;
        if (contentEnd - start > _maxLength)
        {
            HoldBack(CsvRecordProblem.TooLong, 0, recordEnd);
        }
        else if (_problem != CsvRecordProblem.None)
        {
            HoldBack(_problem, _problemAt, recordEnd);
        }
        else
        {
            HeaderText ??= new string(_buffer, start, recordEnd - start);
            _bounds[_delimiterCount + 1] = contentEnd - start;
            Record.Set(_buffer, start, contentEnd - start, recordEnd - start, _bounds, _delimiterCount + 1, _quoted);
            _released = recordEnd;
            good = true;
        }
        ResetRecordState();
        return good;
    }

    /// <summary>
    /// Scans the record that starts at <paramref name="start"/> from <see cref="_scan"/>, noting its delimiters outside
    /// quotes; returns <see langword="true"/> with its ends when it is complete, or <see langword="false"/> with
    /// <see cref="_scan"/> where scanning must resume once more data is read. A negative <paramref name="start"/> scans
    /// the rest of a record being skipped, whose delimiters are of no use.
    /// </summary>
    private bool ScanRecord(int start, out int contentEnd, out int recordEnd)
    {
        char[] buffer = _buffer;
        int end = _end;
        int i = _scan;
        bool noteDelimiters = start >= 0;
        while (true)
        {
            if (_inQuotes)
            {
                int j = buffer.AsSpan(i, end - i).IndexOf('"');
                int quotedEnd = j >= 0 ? i + j
                    : end > i && buffer[end - 1] == '\r' && !_eof ? end - 1 // a \r\n split by a read is counted once, whole
                    : end;
                if (buffer.AsSpan(i, quotedEnd - i).ContainsAny('\n', '\r'))
                {
                    int over = CountQuotedLineBreaks(i, quotedEnd);
                    if (over >= 0)
                    {
                        _inQuotes = false;
                        if (noteDelimiters)
                        {
                            _problem = CsvRecordProblem.QuoteNotClosedInTime;
                            _problemAt = _quoteAt;
                            contentEnd = recordEnd = FirstLineEnd(start);
                        }
                        else
                        {
                            // Skipping a record already too long: it ends at the line break past the limit.
                            contentEnd = recordEnd = over;
                        }
                        _scan = recordEnd;
                        return true;
                    }
                }
                if (j < 0)
                {
                    _scan = quotedEnd;
                    if (!_eof)
                        break;
                    NoteProblem(CsvRecordProblem.UnclosedQuote, _quoteAt);
                    _inQuotes = false;
                    contentEnd = recordEnd = noteDelimiters && _quotedLineBreaks > 0 ? FirstLineEnd(start) : end;
                    return true;
                }
                int q = i + j;
                if (q + 1 == end)
                {
                    _scan = q;
                    if (!_eof)
                        break;
                    _inQuotes = false;
                    _scan = contentEnd = recordEnd = end;
                    return true;
                }
                char next = buffer[q + 1];
                if (next == '"')
                {
                    i = q + 2;
                    continue;
                }
                _inQuotes = false;
                if (next == _delimiter)
                {
                    if (noteDelimiters)
                        NoteDelimiter(q + 1 - start);
                    i = q + 2;
                    continue;
                }
                i = q + 1;
                if (next != '\n' && next != '\r')
                    NoteProblem(CsvRecordProblem.TextAfterClosingQuote, q + 1 - start);
                continue;
            }

            int p = NextQuoteOrLineBreak(i, start, noteDelimiters);
            if (p < 0)
            {
                _scan = end;
                if (!_eof)
                    break;
                contentEnd = recordEnd = end;
                return true;
            }
            char c = buffer[p];
            if (c == '"')
            {
                if (p == start || buffer[p - 1] == _delimiter)
                {
                    _inQuotes = true;
                    _quoted = true;
                    _quoteAt = p - start;
                    _quotedLineBreaks = 0;
                }
                i = p + 1;
                continue;
            }
            contentEnd = p;
            if (c == '\n')
            {
                recordEnd = p + 1;
            }
            else if (p + 1 < end && buffer[p + 1] == '\n')
            {
                recordEnd = p + 2;
            }
            else if (p + 1 == end && !_eof)
            {
                _scan = p;
                break;
            }
            else
            {
                buffer[p] = '\n';
                recordEnd = p + 1;
            }
            _scan = recordEnd;
            return true;
        }
        contentEnd = recordEnd = -1;
        return false;
    }

    /// <summary>
    /// Finds the first quote or line break at or after <paramref name="i"/>, outside quotes, noting the delimiters before
    /// it (as offsets from <paramref name="start"/> when <paramref name="noteDelimiters"/>); -1 when the data ends first.
    /// </summary>
    /// <remarks>
    /// Looks at 32 characters at a time, narrowed to their low bytes: a character whose low byte is that of a special
    /// character is a candidate, checked in full, so any delimiter works and nothing is missed.
    /// </remarks>
    private int NextQuoteOrLineBreak(int i, int start, bool noteDelimiters)
    {
        char[] buffer = _buffer;
        int end = _end;
        char delimiter = _delimiter;
        if (Vector128.IsHardwareAccelerated)
        {
            byte narrowDelimiter = (byte)delimiter;
            while (end - i >= BlockSize)
            {
                uint candidates = Candidates(buffer.AsSpan(i, BlockSize), narrowDelimiter);
                if (candidates == 0)
                {
                    i += BlockSize;
                    continue;
                }
                // Room for every delimiter the block may hold, and for the record's last bound.
                if (_delimiterCount + BlockSize + 2 > _bounds.Length)
                    Array.Resize(ref _bounds, _bounds.Length * 2);
                int[] bounds = _bounds;
                int count = _delimiterCount;
                do
                {
                    int p = i + BitOperations.TrailingZeroCount(candidates);
                    candidates &= candidates - 1;
                    char c = buffer[p];
                    if (c == delimiter)
                    {
                        if (noteDelimiters)
                            bounds[++count] = p - start;
                    }
                    else if (c is '"' or '\n' or '\r')
                    {
                        _delimiterCount = count;
                        return p;
                    }
                }
                while (candidates != 0);
                _delimiterCount = count;
                i += BlockSize;
            }
        }
        while (true)
        {
            int k = buffer.AsSpan(i, end - i).IndexOfAny(_structural);
            if (k < 0)
                return -1;
            int p = i + k;
            if (buffer[p] != delimiter)
                return p;
            if (noteDelimiters)
                NoteDelimiter(p - start);
            i = p + 1;
        }
    }

    /// <summary>Gets a bit per character of a 32-character block whose low byte is that of the delimiter, a quote, <c>\n</c> or <c>\r</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Candidates(ReadOnlySpan<char> block, byte delimiter)
    {
        var chars = MemoryMarshal.Cast<char, ushort>(block);
        if (Vector256.IsHardwareAccelerated)
        {
            var bytes = Vector256.Narrow(Vector256.Create(chars), Vector256.Create(chars[16..]));
            return (Vector256.Equals(bytes, Vector256.Create(delimiter))
                | Vector256.Equals(bytes, Vector256.Create((byte)'"'))
                | Vector256.Equals(bytes, Vector256.Create((byte)'\n'))
                | Vector256.Equals(bytes, Vector256.Create((byte)'\r'))).ExtractMostSignificantBits();
        }
        var low = Vector128.Narrow(Vector128.Create(chars), Vector128.Create(chars[8..]));
        var high = Vector128.Narrow(Vector128.Create(chars[16..]), Vector128.Create(chars[24..]));
        return Special(low, delimiter) | (Special(high, delimiter) << 16);

        static uint Special(Vector128<byte> bytes, byte delimiter) =>
            (Vector128.Equals(bytes, Vector128.Create(delimiter))
            | Vector128.Equals(bytes, Vector128.Create((byte)'"'))
            | Vector128.Equals(bytes, Vector128.Create((byte)'\n'))
            | Vector128.Equals(bytes, Vector128.Create((byte)'\r'))).ExtractMostSignificantBits();
    }

    /// <summary>
    /// Counts the line breaks of quoted text in [<paramref name="from"/>, <paramref name="to"/>) against the limit.
    /// </summary>
    /// <returns>Where the line break past the limit ends, or -1 while within it.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int CountQuotedLineBreaks(int from, int to)
    {
        char[] buffer = _buffer;
        int i = from;
        while (true)
        {
            int k = buffer.AsSpan(i, to - i).IndexOfAny('\n', '\r');
            if (k < 0)
                return -1;
            i += k + 1;
            if (buffer[i - 1] == '\r' && i < to && buffer[i] == '\n')
                i++;
            if (++_quotedLineBreaks > _maxQuotedLineBreaks)
                return i;
        }
    }

    /// <summary>Gets where the first line of the record that starts at <paramref name="start"/> ends, its line break included.</summary>
    private int FirstLineEnd(int start)
    {
        int k = _buffer.AsSpan(start, _end - start).IndexOfAny('\n', '\r');
        if (k < 0)
            return _end;
        int p = start + k;
        return _buffer[p] == '\r' && p + 1 < _end && _buffer[p + 1] == '\n' ? p + 2 : p + 1;
    }

    private static int[] NewBounds(int length)
    {
        var bounds = new int[length];
        bounds[0] = -1;
        return bounds;
    }

    /// <summary>Notes a delimiter outside quotes, keeping room for the record's last bound.</summary>
    private void NoteDelimiter(int offset)
    {
        if (_delimiterCount + 2 >= _bounds.Length)
            Array.Resize(ref _bounds, _bounds.Length * 2);
        _bounds[++_delimiterCount] = offset;
    }

    private void NoteProblem(CsvRecordProblem problem, int at)
    {
        if (_problem == CsvRecordProblem.None)
        {
            _problem = problem;
            _problemAt = at;
        }
    }

    private void HoldBack(CsvRecordProblem problem, int at, int recordEnd)
    {
        _pending = problem;
        _pendingAt = at;
        _pendingEnd = recordEnd;
    }

    private void ResetRecordState()
    {
        _delimiterCount = 0;
        _quoted = false;
        _inQuotes = false;
        _quotedLineBreaks = 0;
        _problem = CsvRecordProblem.None;
        _problemAt = -1;
        _scan = _pending == CsvRecordProblem.None ? _released : _scan;
    }

    /// <summary>Moves the record being framed to the front of the buffer, growing it (up to the limit) when it is full.</summary>
    private void MakeRoom()
    {
        int keep = _released;
        if (keep > 0)
        {
            Array.Copy(_buffer, keep, _buffer, 0, _end - keep);
            _end -= keep;
            _scan -= keep;
            _pos -= keep;
            _released = 0;
        }
        if (_end == _buffer.Length)
        {
            // A record of up to _maxLength characters plus two characters of look-ahead must fit.
            Array.Resize(ref _buffer, CallStream.Input.InputBuffer.GrownSize(_buffer.Length, ChunkSize, (long)_maxLength + 3));
        }
    }

    private void Fill(int read)
    {
        if (read == 0)
            _eof = true;
        else
            _end += read;
    }

    /// <summary>While skipping a long record: drops what has been copied, keeping one character for the quote rule.</summary>
    /// <returns>Where the next segment to copy starts.</returns>
    private int KeepForSkipping()
    {
        int keep = _scan - 1;
        Array.Copy(_buffer, keep, _buffer, 0, _end - keep);
        _end -= keep;
        _scan -= keep;
        _released = _pos = 0;
        return _scan;
    }

    private void ScanRestOfLongRecord()
    {
        // Position 0 holds the last character already copied, so a quote at 1 opens a field only after a delimiter.
        if (ScanRecord(-1, out _, out int recordEnd))
            _pendingEnd = recordEnd;
        else if (_eof)
            _pendingEnd = _end;
    }

    private (long LineBreaks, bool Terminated) Resume(ref LineBreakCounter counter, int segment)
    {
        int end = _pendingEnd;
        counter.Add(_buffer.AsSpan(segment, end - segment));
        bool terminated = end > segment ? _buffer[end - 1] is '\n' or '\r' : counter.EndsWithLineBreak;
        long lines = counter.Finish();
        _pos = _released = _scan = end;
        _pending = CsvRecordProblem.None;
        _pendingEnd = -1;
        ResetRecordState();
        _emitNewLine = true;
        return (lines, terminated);
    }

    /// <summary>Counts physical line breaks (<c>\n</c>, <c>\r\n</c>, a lone <c>\r</c>) over consecutive pieces of text.</summary>
    internal struct LineBreakCounter
    {
        private long _count;
        private bool _pendingCr;
        private bool _endsWithLineBreak;

        /// <summary>Gets whether the text seen so far ends with a line break.</summary>
        public readonly bool EndsWithLineBreak => _endsWithLineBreak || _pendingCr;

        /// <summary>Counts the line breaks of one piece.</summary>
        /// <param name="text">The next piece of text.</param>
        public void Add(ReadOnlySpan<char> text)
        {
            if (text.IsEmpty)
                return;
            if (_pendingCr && text[0] != '\n')
                _count++;
            _pendingCr = false;
            _count += text.Count('\n');
            if (text.Contains('\r'))
            {
                for (int i = 0; i < text.Length; i++)
                {
                    if (text[i] != '\r')
                        continue;
                    if (i + 1 < text.Length)
                    {
                        if (text[i + 1] != '\n')
                            _count++;
                    }
                    else
                    {
                        _pendingCr = true;
                    }
                }
            }
            _endsWithLineBreak = text[^1] is '\n' or '\r';
        }

        /// <summary>Gets the total, counting a trailing <c>\r</c>.</summary>
        /// <returns>The number of line breaks.</returns>
        public long Finish() => _count + (_pendingCr ? 1 : 0);
    }
}
