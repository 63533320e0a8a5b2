using System.Runtime.CompilerServices;
using CallStream.Input;

namespace CallStream.Csv;

/// <summary>
/// Reads interactions from a CSV log (spec/data.md) of any size in constant memory, row by row, synchronously or
/// asynchronously. A row that cannot become a valid <see cref="Interaction"/> is rejected, never guessed: it is
/// reported with its line, column, field, value and reason, counted, written to <see cref="CsvReaderOptions.Rejects"/>,
/// and reading goes on with the next row (or, in <see cref="CsvReaderOptions.Strict"/> mode, stops with an
/// <see cref="InputRejectedException"/>). An input that cannot be read at all (empty, bad header, a required column
/// missing) throws <see cref="CsvHeaderException"/> on the first read.
/// </summary>
/// <remarks>
/// An internal guard frames the records and finds their fields in one pass over large buffers, reading fields in
/// place, so that a malformed or overlong row becomes one rejection instead of the end of the input. The reader opens
/// nothing until the first read.
/// </remarks>
public sealed class CsvInteractionReader : IDisposable, IAsyncDisposable
{
    private readonly string? _path;
    private readonly Stream? _stream;
    private readonly TextReader? _textReader;
    private readonly bool _leaveOpen;
    private readonly char _delimiter;
    private readonly int _maxRowLength;
    private readonly int _maxQuotedLineBreaks;
    private readonly int _maxAttributeColumns;
    private readonly Dictionary<string, string> _columnMap;
    private readonly RejectionReporter _reporter;
    private readonly CsvRejectionDescriber _describer;

    private CsvRecordGuard? _guard;
    private Utf8InputReader? _utf8;
    private CsvRowMapper? _mapper;
    private long _line;
    private long _rows;
    private long _accepted;
    private bool _finished;
    private bool _disposed;
    private CsvHeaderException? _headerError;

    /// <summary>Creates a reader of a CSV file (UTF-8, with or without a byte order mark); the file is opened on the first read.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or an option is out of range.</exception>
    public CsvInteractionReader(string path, CsvReaderOptions? options = null)
        : this(options, options?.SourceName ?? path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
    }

    /// <summary>Creates a reader of a CSV stream (UTF-8, with or without a byte order mark).</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="stream"/> open.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CsvInteractionReader(Stream stream, CsvReaderOptions? options = null, bool leaveOpen = false)
        : this(options, options?.SourceName ?? "input")
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Creates a reader of CSV text.</summary>
    /// <param name="reader">The text.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="leaveOpen">Whether disposing the reader leaves <paramref name="reader"/> open.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public CsvInteractionReader(TextReader reader, CsvReaderOptions? options = null, bool leaveOpen = false)
        : this(options, options?.SourceName ?? "input")
    {
        ArgumentNullException.ThrowIfNull(reader);
        _textReader = reader;
        _leaveOpen = leaveOpen;
    }

    private CsvInteractionReader(CsvReaderOptions? options, string sourceName)
    {
        options ??= new CsvReaderOptions();
        options.Validate();
        SourceName = sourceName;
        _delimiter = options.Delimiter;
        _maxRowLength = options.MaxRowLength;
        _maxQuotedLineBreaks = options.MaxQuotedLineBreaks;
        _maxAttributeColumns = options.MaxAttributeColumns;
        _columnMap = new Dictionary<string, string>(options.ColumnMap, StringComparer.OrdinalIgnoreCase);
        _reporter = new RejectionReporter(options.Rejects, options.OnRejected, options.Strict);
        _describer = new CsvRejectionDescriber(sourceName, _delimiter, _maxRowLength, _maxQuotedLineBreaks);
    }

    /// <summary>Gets the name that locations start with: the file's path, <see cref="CsvReaderOptions.SourceName"/>, or <c>input</c>.</summary>
    public string SourceName { get; }

    /// <summary>Gets the header's column names (trimmed), once the first read has taken the header; empty before.</summary>
    public IReadOnlyList<string> Columns => _mapper?.Headers ?? [];

    /// <summary>Gets how many data rows have been read, accepted or rejected (blank lines are not rows).</summary>
    public long RecordsRead => _rows;

    /// <summary>Gets how many rows became interactions.</summary>
    public long RecordsAccepted => _accepted;

    /// <summary>Gets how many rows were rejected.</summary>
    public long RecordsRejected => _reporter.Count;

    /// <summary>Reads the next valid interaction, reporting and skipping rejected rows on the way.</summary>
    /// <returns>The interaction, or <see langword="null"/> at the end of the input.</returns>
    /// <exception cref="CsvHeaderException">The input is empty or its header cannot be used.</exception>
    /// <exception cref="InputRejectedException">In strict mode, at the first rejected row.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public Interaction? Read()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
            return null;
        if (_headerError is not null)
            throw _headerError;
        if (_mapper is null)
            Start();
        var guard = _guard!;
        while (true)
        {
            if (guard.TryTakeRecord())
            {
                var interaction = Take(out var rejection, out string? lineEnding);
                if (interaction is not null)
                    return interaction;
                if (rejection is not null)
                    _reporter.Reject(rejection, lineEnding);
                continue;
            }
            if (guard.Pending == CsvRecordProblem.None)
            {
                if (guard.ReadMore())
                    continue;
                _finished = true;
                return null;
            }
            var bad = _describer.DescribePending(guard, _mapper!, _line);
            var writer = _reporter.BeginRecord();
            var (lines, terminated) = guard.SkipPending(writer);
            if (writer is not null && !terminated)
                _reporter.EndUnterminatedRecord();
            SkippedBadRecord(lines);
            _reporter.Report(bad);
        }
    }

    /// <summary>Reads the next valid interaction, reporting and skipping rejected rows on the way.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The interaction, or <see langword="null"/> at the end of the input.</returns>
    /// <exception cref="CsvHeaderException">The input is empty or its header cannot be used.</exception>
    /// <exception cref="InputRejectedException">In strict mode, at the first rejected row.</exception>
    /// <exception cref="ObjectDisposedException">The reader is disposed.</exception>
    public ValueTask<Interaction?> ReadAsync(CancellationToken cancellationToken = default)
    {
        // Most reads find their row in what has been read already: they complete at once, without a state machine.
        if (_disposed || _finished || _mapper is null || cancellationToken.IsCancellationRequested)
            return ReadCoreAsync(cancellationToken);
        var guard = _guard!;
        while (guard.TryTakeRecord())
        {
            var interaction = Take(out var rejection, out string? lineEnding);
            if (interaction is not null)
                return new(interaction);
            if (rejection is not null)
                return RejectAndReadAsync(rejection, lineEnding, cancellationToken);
        }
        return ReadCoreAsync(cancellationToken);
    }

    /// <summary>Reads a valid interaction, after the reader has had to set aside the rejection it was on.</summary>
    private async ValueTask<Interaction?> RejectAndReadAsync(InputRejection rejection, string? lineEnding, CancellationToken cancellationToken)
    {
        await _reporter.RejectAsync(rejection, lineEnding, cancellationToken).ConfigureAwait(false);
        return await ReadCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<Interaction?> ReadCoreAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
            return null;
        if (_headerError is not null)
            throw _headerError;
        cancellationToken.ThrowIfCancellationRequested();
        if (_mapper is null)
            await StartAsync(cancellationToken).ConfigureAwait(false);
        var guard = _guard!;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (guard.TryTakeRecord())
            {
                var interaction = Take(out var rejection, out string? lineEnding);
                if (interaction is not null)
                    return interaction;
                if (rejection is not null)
                    await _reporter.RejectAsync(rejection, lineEnding, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (guard.Pending == CsvRecordProblem.None)
            {
                if (await guard.ReadMoreAsync(cancellationToken).ConfigureAwait(false))
                    continue;
                _finished = true;
                return null;
            }
            var bad = _describer.DescribePending(guard, _mapper!, _line);
            var writer = await _reporter.BeginRecordAsync(cancellationToken).ConfigureAwait(false);
            var (lines, terminated) = await guard.SkipPendingAsync(writer, cancellationToken).ConfigureAwait(false);
            if (writer is not null && !terminated)
                await _reporter.EndUnterminatedRecordAsync(cancellationToken).ConfigureAwait(false);
            SkippedBadRecord(lines);
            _reporter.Report(bad);
        }
    }

    /// <summary>Reads every valid interaction to the end of the input, lazily.</summary>
    /// <returns>The interactions, in input order.</returns>
    /// <exception cref="CsvHeaderException">The input is empty or its header cannot be used (on enumeration).</exception>
    /// <exception cref="InputRejectedException">In strict mode, at the first rejected row (on enumeration).</exception>
    public IEnumerable<Interaction> ReadAll()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Enumerate();

        IEnumerable<Interaction> Enumerate()
        {
            while (Read() is { } interaction)
                yield return interaction;
        }
    }

    /// <summary>Reads every valid interaction to the end of the input, asynchronously.</summary>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The interactions, in input order.</returns>
    /// <exception cref="CsvHeaderException">The input is empty or its header cannot be used (on enumeration).</exception>
    /// <exception cref="InputRejectedException">In strict mode, at the first rejected row (on enumeration).</exception>
    public async IAsyncEnumerable<Interaction> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } interaction)
            yield return interaction;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (_guard is not null)
            _guard.Dispose();
        else if (!_leaveOpen)
        {
            _stream?.Dispose();
            _textReader?.Dispose();
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Start()
    {
        var guard = _guard = new CsvRecordGuard(OpenInput(out bool leaveOpen), _delimiter, _maxRowLength, leaveOpen, _maxQuotedLineBreaks);
        while (!guard.TryTakeRecord())
        {
            if (guard.Pending != CsvRecordProblem.None || !guard.ReadMore())
                throw _headerError = _describer.NoHeader(guard);
        }
        BindHeader();
    }

    private async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        var guard = _guard = new CsvRecordGuard(OpenInput(out bool leaveOpen), _delimiter, _maxRowLength, leaveOpen, _maxQuotedLineBreaks);
        while (!guard.TryTakeRecord())
        {
            if (guard.Pending != CsvRecordProblem.None || !await guard.ReadMoreAsync(cancellationToken).ConfigureAwait(false))
                throw _headerError = _describer.NoHeader(guard);
        }
        BindHeader();
    }

    private TextReader OpenInput(out bool leaveOpen)
    {
        if (_textReader is not null)
        {
            leaveOpen = _leaveOpen;
            return _textReader;
        }
        leaveOpen = false;
        if (_stream is not null)
            return _utf8 = new Utf8InputReader(_stream, _leaveOpen);
        var file = new FileStream(_path!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return _utf8 = new Utf8InputReader(file, leaveOpen: false);
    }

    /// <summary>Gets whether the input has had a byte that is not UTF-8: only then need records be searched for one.</summary>
    private bool HadInvalidUtf8 => _utf8 is { InvalidBytes: > 0 };

    private void BindHeader()
    {
        var header = _guard!.Record;
        var names = new string[header.FieldCount];
        for (int i = 0; i < names.Length; i++)
            names[i] = new string(header[i]);
        long headerLine = _guard!.LeadingBlankLines + 1;
        if (HadInvalidUtf8)
        {
            for (int i = 0; i < names.Length; i++)
            {
                if (Utf8InputReader.IndexOfInvalidByte(names[i]) >= 0)
                {
                    throw _headerError = new CsvHeaderException(SourceName, headerLine, i + 1,
                        $"header name '{Utf8InputReader.Printable(names[i])}' is not valid UTF-8 ({Utf8InputReader.DescribeInvalidBytes(names[i])}); save the input as UTF-8.");
                }
            }
        }
        try
        {
            _mapper = CsvRowMapper.Bind(names, _columnMap, SourceName, headerLine, _maxAttributeColumns);
        }
        catch (CsvHeaderException ex)
        {
            _headerError = ex;
            throw;
        }
        _reporter.SetHeader(_guard.HeaderText);
        _line = headerLine + 1;
    }

    /// <summary>Takes the record the guard has taken: a blank line (skipped), an interaction, or a rejection.</summary>
    private Interaction? Take(out InputRejection? rejection, out string? lineEnding)
    {
        var record = _guard!.Record;
        long line = _line;
        // A record without quoted fields has no line break but its line ending.
        _line += record.HasQuotedField ? LineBreaks(record.Raw) : record.IsTerminated ? 1 : 0;
        rejection = null;
        lineEnding = null;
        if (record.IsBlank)
            return null;
        _rows++;
        if (HadInvalidUtf8 && Utf8InputReader.IndexOfInvalidByte(record.Raw) >= 0)
        {
            rejection = _describer.RejectInvalidUtf8(_mapper!, record, line, out lineEnding);
            return null;
        }
        if (_mapper!.TryMap(record, out var interaction, out var error))
        {
            _accepted++;
            return interaction;
        }
        rejection = _describer.Reject(_mapper, record, line, error, out lineEnding);
        return null;
    }

    private void SkippedBadRecord(long lines)
    {
        _line += lines;
        _rows++;
    }

    /// <summary>Counts a record's physical line breaks, those in its quoted fields and its line ending.</summary>
    private static long LineBreaks(ReadOnlySpan<char> raw)
    {
        var counter = default(CsvRecordGuard.LineBreakCounter);
        counter.Add(raw);
        return counter.Finish();
    }
}
