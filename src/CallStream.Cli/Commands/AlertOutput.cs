using CallStream.Cli.Output;
using CallStream.Ndjson;

namespace CallStream.Cli.Commands;

/// <summary>
/// Where a command's alerts go: an NDJSON file, standard output (<c>-</c>), or nowhere (only counted); the alert sink a
/// replay's pipeline writes, batch by batch, in the order the rules raised them. On the real console standard output is
/// written as bytes; in tests (a text writer) the NDJSON is buffered and copied at the end. A failed write or flush
/// throws <see cref="OutputWriteException"/> naming the output.
/// </summary>
internal sealed class AlertOutput : IBatchedSink<Alert>, IDisposable
{
    private readonly NdjsonWriter<Alert>? _writer;
    private readonly Stream? _stream;
    private readonly TextWriter? _copyTo;
    private readonly string? _path; // null for standard output

    private AlertOutput(NdjsonWriter<Alert>? writer, Stream? stream, TextWriter? copyTo, string? path)
    {
        _writer = writer;
        _stream = stream;
        _copyTo = copyTo;
        _path = path;
    }

    /// <summary>Gets how many alerts were written.</summary>
    public long Count { get; private set; }

    /// <summary>Opens the output.</summary>
    /// <param name="context">The surroundings (standard output).</param>
    /// <param name="path">A file, <c>-</c> for standard output, or <see langword="null"/> for none.</param>
    /// <returns>The output.</returns>
    /// <exception cref="CliException">The file cannot be created.</exception>
    public static AlertOutput Open(CliContext context, string? path)
    {
        if (path is null)
            return new AlertOutput(null, null, null, null);
        if (path == "-")
        {
            if (context.OutStream is { } console)
            {
                context.Out.Flush();
                return new AlertOutput(NdjsonWriter.ForAlerts(console, leaveOpen: true), null, null, null);
            }
            var buffer = new MemoryStream();
            return new AlertOutput(NdjsonWriter.ForAlerts(buffer, leaveOpen: true), buffer, context.Out, null);
        }
        try
        {
            var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            return new AlertOutput(NdjsonWriter.ForAlerts(file), null, null, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CliException.Failure($"--alerts: cannot create '{path}': {e.Message}", e);
        }
    }

    /// <summary>Writes one alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <exception cref="OutputWriteException">The output cannot be written.</exception>
    public void Write(Alert alert)
    {
        Count++;
        try
        {
            _writer?.Write(alert);
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    /// <summary>Writes a batch of alerts and flushes it to the file or standard output (the pipeline's sink thread).</summary>
    /// <param name="batch">The alerts, in order.</param>
    /// <param name="cancellationToken">Not used: the batch is written synchronously.</param>
    /// <returns>A completed task.</returns>
    /// <exception cref="OutputWriteException">The output cannot be written.</exception>
    public ValueTask WriteBatchAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
    {
        foreach (var alert in batch)
            Write(alert);
        try
        {
            _writer?.Flush();
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Flushes everything written.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the alerts are written.</returns>
    /// <exception cref="OutputWriteException">The output cannot be written.</exception>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_writer is not null)
                await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (_stream is not null && _copyTo is not null)
            {
                await _copyTo.WriteAsync(System.Text.Encoding.UTF8.GetString(((MemoryStream)_stream).ToArray())).ConfigureAwait(false);
                await _copyTo.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    /// <summary>Closes the output. A failure is not reported here: <see cref="CompleteAsync"/> reports it, and without
    /// it the command is failing already.</summary>
    public void Dispose()
    {
        try
        {
            _writer?.Dispose();
        }
        catch (IOException)
        {
            // See above: the write's failure is, or was, reported by CompleteAsync or Write.
        }
        _stream?.Dispose();
    }

    private OutputWriteException Failure(IOException e) =>
        _path is null ? OutputWriteException.ForStandardOutput(e) : OutputWriteException.ForFile("--alerts", _path, e);
}
