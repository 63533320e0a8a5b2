using System.Globalization;

namespace CallStream.Csv;

/// <summary>
/// Writes interactions as CSV in the data contract's format: the header <c>interaction_id,customer_id,agent_id,channel,
/// start_time,duration_seconds,outcome,satisfaction</c> followed by one column per attribute named up front; RFC 4180
/// quoting only where a value needs it; lowercase channel and outcome; UTC ISO-8601 instants with <c>Z</c>; invariant
/// shortest round-trip numbers; an empty cell for a missing satisfaction or attribute; <c>\n</c> line endings; UTF-8
/// without a byte-order mark. Buffered: call <see cref="Flush"/> or <see cref="FlushAsync"/>, or dispose, at the end.
/// </summary>
/// <remarks>
/// A value is quoted when it holds a comma, a quote, a carriage return or a line feed, or starts or ends with white
/// space (so that readers which trim unquoted cells keep it). Attributes without a column are not written; an empty
/// attribute value and a missing one both give an empty cell. The header is written with the first row, or by the
/// first flush when there is no row. Not thread-safe.
/// </remarks>
public sealed class CsvInteractionWriter : IDisposable, IAsyncDisposable
{
    private const int MaxFixedRowChars = 128;

    private readonly Stream? _stream;
    private readonly TextWriter? _writer;
    private readonly bool _leaveOpen;
    private readonly string[] _attributeColumns;
    private readonly CsvOutputBuffer _buffer;
    private bool _headerWritten;
    private bool _disposed;

    /// <summary>Creates a writer of UTF-8 bytes (no byte-order mark) to a stream.</summary>
    /// <param name="stream">The writable stream.</param>
    /// <param name="attributeColumns">The attribute names to write as extra columns, in order, or <see langword="null"/> for none.</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave the stream open when the writer is disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException">The stream is not writable, or an attribute name is empty or repeats a column.</exception>
    public CsvInteractionWriter(Stream stream, IEnumerable<string>? attributeColumns = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        _attributeColumns = CheckColumns(attributeColumns);
        _stream = stream;
        _buffer = new CsvOutputBuffer(stream);
        _leaveOpen = leaveOpen;
        Columns = [.. CsvColumns.All, .. _attributeColumns];
    }

    /// <summary>Creates a writer of characters to a text writer (whose encoding decides the bytes).</summary>
    /// <param name="writer">The text writer.</param>
    /// <param name="attributeColumns">The attribute names to write as extra columns, in order, or <see langword="null"/> for none.</param>
    /// <param name="leaveOpen"><see langword="true"/> to leave the text writer open when this writer is disposed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="ArgumentException">An attribute name is empty or repeats a column.</exception>
    public CsvInteractionWriter(TextWriter writer, IEnumerable<string>? attributeColumns = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _attributeColumns = CheckColumns(attributeColumns);
        _writer = writer;
        _buffer = new CsvOutputBuffer(writer);
        _leaveOpen = leaveOpen;
        Columns = [.. CsvColumns.All, .. _attributeColumns];
    }

    /// <summary>Gets the header: the contract's columns, then the attribute columns.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Gets the number of rows written so far (the header not counted).</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Creates a file (replacing an existing one) and a writer to it that closes it when disposed.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="attributeColumns">The attribute names to write as extra columns, in order, or <see langword="null"/> for none.</param>
    /// <returns>The writer.</returns>
    /// <exception cref="ArgumentException">The path is empty, or an attribute name is empty or repeats a column.</exception>
    /// <exception cref="IOException">The file cannot be created.</exception>
    public static CsvInteractionWriter Create(string path, IEnumerable<string>? attributeColumns = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string[] columns = CheckColumns(attributeColumns);
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        return new CsvInteractionWriter(stream, columns, leaveOpen: false);
    }

    /// <summary>Writes one interaction as a row (buffered; the buffer goes out synchronously when full).</summary>
    /// <param name="interaction">The interaction.</param>
    /// <exception cref="ArgumentNullException"><paramref name="interaction"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void Write(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteHeaderIfNeeded();
        WriteRow(interaction);
    }

    /// <summary>Writes one interaction as a row, sending a full buffer out asynchronously.</summary>
    /// <param name="interaction">The interaction.</param>
    /// <param name="cancellationToken">Cancels the wait for the output.</param>
    /// <returns>A task that completes when the row is buffered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="interaction"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public ValueTask WriteAsync(Interaction interaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _buffer.MoreThanHalfFull ? FlushThenWriteAsync(interaction, cancellationToken) : WriteBuffered(interaction);
    }

    /// <summary>Writes the header if no row was written yet, sends the buffer out, and flushes the stream or text writer.</summary>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteHeaderIfNeeded();
        _buffer.Flush();
        if (_stream is not null)
            _stream.Flush();
        else
            _writer!.Flush();
    }

    /// <summary>Writes the header if no row was written yet, sends the buffer out, and flushes the stream or text writer, asynchronously.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the output is flushed.</returns>
    /// <exception cref="ObjectDisposedException">The writer is disposed.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteHeaderIfNeeded();
        await _buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_stream is not null)
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        else
            await _writer!.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Flushes (see <see cref="Flush"/>) and closes the output unless it was left open.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        try
        {
            Flush();
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _stream?.Dispose();
                _writer?.Dispose();
            }
        }
    }

    /// <summary>Flushes (see <see cref="FlushAsync"/>) and closes the output unless it was left open.</summary>
    /// <returns>A task that completes when the output is flushed and closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        try
        {
            await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                if (_stream is not null)
                    await _stream.DisposeAsync().ConfigureAwait(false);
                if (_writer is not null)
                    await _writer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string[] CheckColumns(IEnumerable<string>? attributeColumns)
    {
        if (attributeColumns is null)
            return [];
        string[] columns = [.. attributeColumns];
        var seen = new HashSet<string>(CsvColumns.All, StringComparer.OrdinalIgnoreCase);
        foreach (string column in columns)
        {
            if (string.IsNullOrEmpty(column))
                throw new ArgumentException("Attribute column names must not be empty.", nameof(attributeColumns));
            if (!seen.Add(column))
                throw new ArgumentException($"The attribute column '{column}' repeats a column name (names are compared ignoring case).", nameof(attributeColumns));
        }
        return columns;
    }

    private async ValueTask FlushThenWriteAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        await _buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await WriteBuffered(interaction).ConfigureAwait(false);
    }

    private ValueTask WriteBuffered(Interaction interaction)
    {
        // A row that does not fit grows the buffer rather than blocking on a synchronous write.
        _buffer.GrowInsteadOfFlushing = true;
        try
        {
            WriteHeaderIfNeeded();
            WriteRow(interaction);
        }
        finally
        {
            _buffer.GrowInsteadOfFlushing = false;
        }
        return ValueTask.CompletedTask;
    }

    private void WriteHeaderIfNeeded()
    {
        if (_headerWritten)
            return;
        _headerWritten = true;
        var columns = Columns;
        for (int i = 0; i < columns.Count; i++)
        {
            if (i > 0)
                _buffer.WriteChar(',');
            _buffer.WriteText(columns[i]);
        }
        _buffer.WriteChar('\n');
    }

    private void WriteRow(Interaction interaction)
    {
        _buffer.WriteText(interaction.InteractionId);
        _buffer.WriteChar(',');
        _buffer.WriteText(interaction.CustomerId);
        _buffer.WriteChar(',');
        _buffer.WriteText(interaction.AgentId);

        Span<char> span = _buffer.GetSpan(MaxFixedRowChars);
        int n = 0;
        span[n++] = ',';
        n += Append(span[n..], WireNames.Name(interaction.Channel));
        span[n++] = ',';
        n += FormatInstant(interaction.StartTime.UtcTicks, span[n..]);
        span[n++] = ',';
        if (!interaction.DurationSeconds.TryFormat(span[n..], out int written, default, CultureInfo.InvariantCulture))
            throw new InvalidOperationException("A duration did not fit its buffer.");
        n += written;
        span[n++] = ',';
        n += Append(span[n..], WireNames.Name(interaction.Outcome));
        span[n++] = ',';
        if (interaction.Satisfaction is int score)
            span[n++] = (char)('0' + score);
        _buffer.Advance(n);

        var attributes = interaction.Attributes;
        foreach (string column in _attributeColumns)
        {
            _buffer.WriteChar(',');
            if (attributes.Count > 0 && attributes.TryGetValue(column, out string? value))
                _buffer.WriteText(value);
        }
        _buffer.WriteChar('\n');
        RowsWritten++;
    }

    private static int Append(Span<char> destination, string text)
    {
        text.AsSpan().CopyTo(destination);
        return text.Length;
    }

    /// <summary>Formats like <see cref="Iso8601.Format"/>: <c>yyyy-MM-ddTHH:mm:ss[.fffffff]Z</c>, the fraction without trailing zeros.</summary>
    private static int FormatInstant(long utcTicks, Span<char> destination)
    {
        var (year, month, day) = new DateTime(utcTicks, DateTimeKind.Utc);
        long timeOfDay = utcTicks % TimeSpan.TicksPerDay;
        int seconds = (int)(timeOfDay / TimeSpan.TicksPerSecond);
        int fraction = (int)(timeOfDay % TimeSpan.TicksPerSecond);
        Digits(destination, 0, year, 4);
        destination[4] = '-';
        Digits(destination, 5, month, 2);
        destination[7] = '-';
        Digits(destination, 8, day, 2);
        destination[10] = 'T';
        Digits(destination, 11, seconds / 3600, 2);
        destination[13] = ':';
        Digits(destination, 14, seconds / 60 % 60, 2);
        destination[16] = ':';
        Digits(destination, 17, seconds % 60, 2);
        int n = 19;
        if (fraction != 0)
        {
            destination[n++] = '.';
            int digits = 7;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }
            Digits(destination, n, fraction, digits);
            n += digits;
        }
        destination[n++] = 'Z';
        return n;
    }

    private static void Digits(Span<char> destination, int start, int value, int count)
    {
        for (int i = start + count - 1; i >= start; i--)
        {
            destination[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }
}
