using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using CallStream.Pipeline;
using CallStream.Rules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallStream;

/// <summary>
/// Runs interactions from a partitioned source through a rule set into sinks, at least once: source → event-time
/// ordering → rules → batching sinks, with a checkpoint that stores a record's offset only when the record was
/// evaluated and the interaction and every alert it triggered are durable in every sink.
/// </summary>
/// <remarks>
/// <para>One loop owns the rule engine; the source's partition handlers talk to it through requests. On revocation
/// (<see cref="InteractionSourceHandlers.OnRevoking"/>) the pipeline flushes every sink so the source can commit what
/// was evaluated; on assignment it re-reads, as warm-up, the events before the committed position that can still fall
/// inside a window or suppression period, so state survives rebalances and restarts without alerting twice.</para>
/// <para>Events still held for event-time ordering when the pipeline stops are not evaluated: their offsets are not
/// stored, so the next run reads them again (see docs/decisions.md). <see cref="Complete"/> ends a finite input
/// instead, evaluating them as a replay does, and so does a bounded source (a file, <see cref="FileInteractionSource"/>)
/// when it reports <see cref="InteractionSourceEventKind.EndOfInput"/>: one runner for files and streams.</para>
/// <para>Metrics on the <c>CallStream</c> meter: <c>callstream.pipeline.records</c>,
/// <c>callstream.pipeline.warmup_events</c> (counters), <c>callstream.pipeline.held_events</c> and
/// <c>callstream.pipeline.in_flight</c> (gauges), besides the rule engine's own, which count alerts
/// (<c>callstream.rules.alerts</c>) and duplicates (<c>callstream.rules.duplicate_events</c>).</para>
/// <para>A record whose interaction id the engine released before is a duplicate in the data (not a redelivery: a record
/// read again is recognised by its offset and never offered twice): dropped before the rules, counted
/// (<see cref="PipelineStatistics.Duplicates"/>), and not written to the interaction sinks.</para>
/// </remarks>
public sealed class InteractionPipeline : IAsyncDisposable
{
    private readonly IInteractionSource _source;
    private readonly RuleSet _rules;
    private readonly InteractionPipelineOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IMeterFactory? _meterFactory;
    private readonly SinkSet _sinks = new();
    private readonly CheckpointTracker _tracker = new();
    private readonly PartitionLedger _ledger = new();
    private readonly PipelineControl _control = new();
    private readonly PipelineFigures _figures;
    private readonly WarmUpPlanner _planner;
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _completeInput = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RuleStage? _stage;
    private int _started;
    private int _disposed;

    /// <summary>Creates a pipeline (no I/O and no threads until <see cref="RunAsync"/>).</summary>
    /// <param name="source">The source of interactions.</param>
    /// <param name="rules">The rules to run.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="loggerFactory">The logger factory, or <see langword="null"/>.</param>
    /// <param name="meterFactory">The factory of the <c>CallStream</c> meter, or <see langword="null"/> for a meter of the pipeline's own.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="rules"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public InteractionPipeline(IInteractionSource source, RuleSet rules, InteractionPipelineOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rules);
        _source = source;
        _rules = rules;
        _options = options ?? new InteractionPipelineOptions();
        _options.Validate();
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<InteractionPipeline>();
        _meterFactory = meterFactory;
        var horizon = _options.WarmUpHorizon ?? GetWarmUpHorizon(rules, _options.AllowedLateness);
        _planner = new WarmUpPlanner(source, _ledger, horizon, _options.WarmUp, _options.EventTime == EventTimeMode.End, _logger);
        _figures = new PipelineFigures(meterFactory, () => _tracker.InFlight);
    }

    /// <summary>Gets how far before a committed position a warm-up re-reads (in event time).</summary>
    public TimeSpan WarmUpHorizon => _planner.Horizon;

    /// <summary>Gets a task that completes when <see cref="RunAsync"/> has ended (successfully or not).</summary>
    public Task Completion => _finished.Task;

    /// <summary>
    /// Computes the event time a warm-up must cover for a rule set: the largest window plus suppression period of any
    /// rule (a windowed, suppressed rule needs its window's events before the alert that started the suppression),
    /// plus the allowed lateness.
    /// </summary>
    /// <param name="rules">The rules.</param>
    /// <param name="allowedLateness">The allowed lateness.</param>
    /// <returns>The horizon.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> is null.</exception>
    public static TimeSpan GetWarmUpHorizon(RuleSet rules, TimeSpan allowedLateness)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return WarmUpPlanner.GetHorizon(rules, allowedLateness);
    }

    /// <summary>Adds a sink for alerts; each alert is written to every alert sink (writes must be idempotent by alert id).</summary>
    /// <param name="name">A unique name for logs, metrics and errors, for example <c>ndjson:alerts</c>.</param>
    /// <param name="sink">The sink.</param>
    /// <param name="batching">How to batch, buffer and retry, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The name is empty or taken, or an option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pipeline has started.</exception>
    public void AddAlertSink(string name, IBatchedSink<Alert> sink, BatchingOptions? batching = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        AddSink(new SinkHandle(name, SinkHandle.AlertsKind, sink, null, batching));
    }

    /// <summary>Adds a sink for interactions; every evaluated interaction is written to every interaction sink (writes must be idempotent by interaction id).</summary>
    /// <param name="name">A unique name for logs, metrics and errors, for example <c>mongo:interactions</c>.</param>
    /// <param name="sink">The sink.</param>
    /// <param name="batching">How to batch, buffer and retry, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">The name is empty or taken, or an option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The pipeline has started.</exception>
    public void AddInteractionSink(string name, IBatchedSink<Interaction> sink, BatchingOptions? batching = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        AddSink(new SinkHandle(name, SinkHandle.InteractionsKind, null, sink, batching));
    }

    /// <summary>
    /// Reads the source until <paramref name="stoppingToken"/> is cancelled (or <see cref="Complete"/> is called, or a bounded
    /// source reports <see cref="InteractionSourceEventKind.EndOfInput"/>), then
    /// stops gracefully: the source revokes its partitions, the pipeline flushes every sink, the source commits the
    /// stored offsets. Runs once.
    /// </summary>
    /// <param name="stoppingToken">Stops the pipeline gracefully.</param>
    /// <returns>The final figures.</returns>
    /// <exception cref="SinkWriteException">A sink failed for good; no offset was stored past the records whose outputs it did not write.</exception>
    /// <exception cref="InvalidOperationException">The pipeline was run before.</exception>
    /// <exception cref="ObjectDisposedException">The pipeline is disposed.</exception>
    /// <remarks>An exception of the source (it failed for good) is thrown as it is.</remarks>
    public async Task<PipelineSummary> RunAsync(CancellationToken stoppingToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("An InteractionPipeline runs once; create another pipeline to run again.");
        try
        {
            return await RunCoreAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    /// <summary>
    /// Declares the input finished — for a bounded input such as a demo, once every record was read (see
    /// <see cref="PipelineStatistics.Partitions"/>' <c>CaughtUp</c> and the counts): the held events are evaluated as at
    /// the end of a replay, every sink is flushed, and the pipeline stops as on cancellation. Called before
    /// <see cref="RunAsync"/>, the run stops at once; after it ended, it does nothing.
    /// </summary>
    public void Complete()
    {
        if (!_control.IsClosed)
            _control.Post(new ControlRequest(ControlKind.Complete, []));
    }

    /// <summary>Takes a thread-safe snapshot of the figures.</summary>
    /// <returns>The snapshot.</returns>
    public PipelineStatistics GetStatistics() => _figures.Snapshot(_tracker.InFlight, _sinks.GetStatistics(), _ledger.Snapshot());

    /// <summary>
    /// Stops a running pipeline gracefully (as cancelling <see cref="RunAsync"/>'s token does) and waits for it, then
    /// releases the engine and the meter. The sinks added are not disposed: they belong to the caller.
    /// </summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (Volatile.Read(ref _started) != 0)
        {
            await _disposing.CancelAsync().ConfigureAwait(false);
            await _finished.Task.ConfigureAwait(false);
        }
        _stage?.Dispose();
        _figures.Dispose();
        _abort.Dispose();
        _completeInput.Dispose();
        _disposing.Dispose();
    }

    private void AddSink(SinkHandle handle)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(handle.Name, "name");
        handle.Batching?.Validate();
        if (Volatile.Read(ref _started) != 0)
            throw new InvalidOperationException("Sinks must be added before the pipeline starts.");
        _sinks.Add(handle);
    }

    private async Task<PipelineSummary> RunCoreAsync(CancellationToken stoppingToken)
    {
        long startedAt = Stopwatch.GetTimestamp();
        Exception? failure = null;
        PipelineLoop? loop = null;
        IAsyncEnumerator<InteractionSourceEvent>? events = null;
        using var read = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _abort.Token, _completeInput.Token, _disposing.Token);
        try
        {
            loop = Start();
            Log.PipelineStarted(_logger, _rules.Count, _sinks.Names, _planner.Horizon, _options.WarmUp);
            var handlers = new InteractionSourceHandlers { OnAssigned = _planner.PlanAsync, OnRevoking = _control.RevokeAsync };
            events = _source.ReadAsync(handlers, read.Token).GetAsyncEnumerator(CancellationToken.None);
            await loop.RunAsync(events).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // any failure ends the run; it is rethrown below after the source and sinks are closed
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        _control.Close();
        if (failure is not null)
            await _abort.CancelAsync().ConfigureAwait(false);

        if (loop is not null && events is not null)
            failure = await loop.CloseSourceAsync(events, failure).ConfigureAwait(false);
        failure = await _sinks.CloseAsync(failure).ConfigureAwait(false);
        // Closing the sinks made their last writes durable: store what that advanced, as a sink would have before the close.
        new CheckpointWriter(_tracker, _source, _ledger, _stage).StoreAdvanced();
        if (failure is not null)
        {
            // A write that found a sink failed reports it second-hand; the sink's own exception names the batch.
            if (failure is SinkWriteException or ObjectDisposedException && _sinks.FirstFailure() is { } sinkFailure)
                failure = sinkFailure;
            Log.PipelineFailed(_logger, failure, failure.Message);
        }
        if (_stage is { } stage)
            _figures.RefreshEngineFigures(stage.Engine);
        var summary = new PipelineSummary(GetStatistics(), Stopwatch.GetElapsedTime(startedAt), _completeInput.IsCancellationRequested)
        {
            Rules = _stage?.Engine.GetStatistics().Rules ?? [],
        };
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        Log.PipelineStopped(_logger, summary.Consumed, summary.Evaluated, summary.Alerts, summary.WarmUpEvents, summary.Held, summary.Elapsed);
        return summary;
    }

    /// <summary>Starts the sinks and wires the stages: source → ordering and rules → outputs → checkpoint.</summary>
    private PipelineLoop Start()
    {
        _sinks.Start(_options.TimeProvider, _loggerFactory.CreateLogger<BatchingSink<Alert>>());
        var outputs = new OutputDispatcher(_sinks, _tracker, _figures, _options.OnAlert, _options.OnEvaluated);
        outputs.Start();
        _stage = new RuleStage(_rules, _options, _meterFactory, _ledger, _planner, _tracker, outputs, _figures, _logger, checkpointed: _source is not IUncheckpointedSource);
        var checkpoints = new CheckpointWriter(_tracker, _source, _ledger, _stage);
        return new PipelineLoop(_stage, outputs, _sinks, checkpoints, _ledger, _figures, _control, _options.TimeProvider, _abort, _completeInput, _logger);
    }
}
