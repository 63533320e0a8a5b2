using System.Runtime.ExceptionServices;
using CallStream.Cli.Output;
using CallStream.Cli.Progress;
using CallStream.Csv;
using CallStream.Pipeline;
using CallStream.Rules;

namespace CallStream.Cli.Commands;

/// <summary>
/// A CSV log replayed through the rules by the library's runner — an <see cref="InteractionPipeline"/> over a
/// <see cref="FileInteractionSource"/>, as <c>consume</c> runs one over Kafka — for <c>replay</c>, <c>report --input</c>
/// and the demo's reference. The log is parsed from <see cref="Open"/> on, while the caller loads the rules; the command
/// configures the run and prints, and the pipeline and the source own the threads.
/// </summary>
internal sealed class LogReplay : IAsyncDisposable
{
    /// <summary>The alert output: written as the pipeline hands alerts over, and never retried (a retried file write could
    /// write lines twice; a replay has nothing to resume).</summary>
    private static readonly BatchingOptions AlertBatching = new() { MaxAttempts = 1 };

    private const string AlertSinkName = "alerts";

    private readonly CountingReadStream _file;
    private readonly CsvInteractionReader _reader;
    private readonly FileInteractionSource _source;

    private LogReplay(CountingReadStream file, CsvReaderOptions options)
    {
        _file = file;
        _reader = new CsvInteractionReader(file, options);
        _source = new FileInteractionSource(_reader) { OnProgress = rows => Progress?.Report(rows, _file.BytesRead) };
    }

    /// <summary>Gets the reader, for its counts of rows read, accepted and rejected.</summary>
    public CsvInteractionReader Reader => _reader;

    /// <summary>Gets the size of the log in bytes.</summary>
    public long Length => _file.Length;

    /// <summary>Gets or sets where progress is reported (rows handed to the rules, bytes read), or <see langword="null"/>.</summary>
    public ProgressReporter? Progress { get; set; }

    /// <summary>Opens a log and starts parsing it on the source's worker thread.</summary>
    /// <param name="path">The file, checked to exist.</param>
    /// <param name="options">The reader's options (rejected rows, strict mode).</param>
    /// <returns>The replay, to run once the rules are loaded.</returns>
    /// <exception cref="CliException">The file cannot be opened (exit code 1).</exception>
    public static LogReplay Open(string path, CsvReaderOptions options)
    {
        var file = OpenInput(path);
        try
        {
            var replay = new LogReplay(file, options);
            replay._source.Start();
            return replay;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Runs the rules over the whole log, evaluating the events held for event-time ordering at its end.</summary>
    /// <param name="rules">The rules.</param>
    /// <param name="options">The pipeline's options: lateness and callbacks (alerts, evaluated events, late events).</param>
    /// <param name="alerts">Where the alerts are written, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the replay (the command then fails as cancelled).</param>
    /// <returns>The pipeline's summary.</returns>
    /// <exception cref="CliException">The log's header is unusable, or a row is rejected in strict mode (exit code 2).</exception>
    /// <exception cref="OutputWriteException">The alerts cannot be written.</exception>
    /// <exception cref="OperationCanceledException">The replay was stopped.</exception>
    public async Task<PipelineSummary> RunAsync(RuleSet rules, InteractionPipelineOptions options, IBatchedSink<Alert>? alerts, CancellationToken cancellationToken)
    {
        PipelineSummary summary;
        var pipeline = new InteractionPipeline(_source, rules, options);
        await using (pipeline.ConfigureAwait(false))
        {
            if (alerts is not null)
                pipeline.AddAlertSink(AlertSinkName, alerts, AlertBatching);
            try
            {
                summary = await pipeline.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (CsvHeaderException e)
            {
                throw CliException.InvalidInput(e.Message);
            }
            catch (InputRejectedException e)
            {
                throw CliException.InvalidInput("--strict: " + (e.Rejection?.ToString() ?? e.Message));
            }
            catch (SinkWriteException e) when (e.InnerException is OutputWriteException output)
            {
                ExceptionDispatchInfo.Throw(output); // names the output, as a write of the command's own would
                throw;
            }
        }
        if (!summary.InputCompleted)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw CliException.Failure("the replay stopped before the end of the log.");
        }
        return summary;
    }

    /// <summary>Stops the parsing (also when the replay never ran) and closes the log.</summary>
    /// <returns>A task that completes when the worker has stopped and the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _source.DisposeAsync().ConfigureAwait(false);
        _reader.Dispose(); // and the file
    }

    /// <summary>Opens a log to read, counting the bytes read for the progress.</summary>
    /// <param name="path">The file, checked to exist.</param>
    /// <returns>The stream.</returns>
    /// <exception cref="CliException">The file cannot be opened (exit code 1).</exception>
    private static CountingReadStream OpenInput(string path)
    {
        try
        {
            return CountingReadStream.OpenFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Failure($"--input: cannot read '{path}': {e.Message}", e);
        }
    }
}
