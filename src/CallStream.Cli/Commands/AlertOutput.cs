using CallStream.Ndjson;

namespace CallStream.Cli.Commands;

/// <summary>
/// Where a command's alerts go: an NDJSON file, standard output (<c>-</c>), or nowhere (only counted). On the real
/// console standard output is written as bytes; in tests (a text writer) the NDJSON is buffered and copied at the end.
/// </summary>
internal sealed class AlertOutput : IDisposable
{
    private readonly NdjsonWriter<Alert>? _writer;
    private readonly Stream? _stream;
    private readonly TextWriter? _copyTo;
    private readonly string _shownName;

    private AlertOutput(NdjsonWriter<Alert>? writer, Stream? stream, TextWriter? copyTo, string shownName)
    {
        _writer = writer;
        _stream = stream;
        _copyTo = copyTo;
        _shownName = shownName;
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
            return new AlertOutput(null, null, null, "nowhere");
        if (path == "-")
        {
            if (context.Out is StreamWriter console)
            {
                console.Flush();
                return new AlertOutput(NdjsonWriter.ForAlerts(console.BaseStream, leaveOpen: true), null, null, "standard output");
            }
            var buffer = new MemoryStream();
            return new AlertOutput(NdjsonWriter.ForAlerts(buffer, leaveOpen: true), buffer, context.Out, "standard output");
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
    public void Write(Alert alert)
    {
        Count++;
        _writer?.Write(alert);
    }

    /// <summary>Flushes everything written.</summary>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the alerts are written.</returns>
    /// <exception cref="CliException">The output cannot be written.</exception>
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
            throw CliException.Failure($"cannot write the alerts to {_shownName}: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _writer?.Dispose();
        _stream?.Dispose();
    }
}
