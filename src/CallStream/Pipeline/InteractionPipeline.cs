using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
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
/// instead, evaluating them as a replay does.</para>
/// <para>Metrics on the <c>CallStream</c> meter: <c>callstream.pipeline.records</c>, <c>callstream.pipeline.dead_lettered</c>,
/// <c>callstream.pipeline.warmup_events</c>, <c>callstream.pipeline.alerts</c> (counters), <c>callstream.pipeline.held_events</c>
/// and <c>callstream.pipeline.in_flight</c> (gauges), besides the rule engine's own (duplicates:
/// <c>callstream.rules.duplicate_events</c>).</para>
/// <para>A record whose interaction id the engine released before is a duplicate in the data (not a redelivery: a record
/// read again is recognised by its offset and never offered twice): dropped before the rules, counted
/// (<see cref="PipelineStatistics.Duplicates"/>), and not written to the interaction sinks.</para>
/// </remarks>
public sealed partial class InteractionPipeline : IAsyncDisposable
{
    private const string AlertsKind = "alerts";
    private const string InteractionsKind = "interactions";
    private const int WarmUpRefreshEvery = 256;
    private const int GaugeRefreshEvery = 256;
    private static readonly Task Never = new TaskCompletionSource().Task;

    private readonly IInteractionSource _source;
    private readonly RuleSet _rules;
    private readonly InteractionPipelineOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly IMeterFactory? _meterFactory;
    private readonly PipelineMetrics _metrics;
    private readonly TimeSpan _horizon;
    private readonly List<SinkHandle> _sinks = [];
    private readonly CheckpointTracker _tracker = new();
    private readonly Channel<ControlRequest> _control = System.Threading.Channels.Channel.CreateUnbounded<ControlRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _controlLock = new();
    private TaskCompletionSource _controlSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<int, PartitionView> _views = new();
    private readonly ConcurrentDictionary<int, PartitionLog> _logs = new();
    private readonly ConcurrentDictionary<int, long> _warmUpPlans = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _completeInput = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;
    private int _disposed;
    private volatile bool _loopEnded;

    // The loop's own state.
    private readonly Dictionary<int, OwnedPartition> _owned = [];
    private OwnedPartition? _lastOwned; // the partition GetOwned found last: records come in runs of one partition
    private readonly List<Released> _released = [];
    private readonly List<Alert> _currentAlerts = [];
    private readonly Dictionary<int, long> _deferredAdvances = [];

    /// <summary>The pipeline whose loop is completing tickets on this thread (checkpoint advances are collected, then stored once).</summary>
    [ThreadStatic]
    private static InteractionPipeline? t_deferringAdvances;
    private RuleEngine? _engine;
    private Task<bool>? _pendingMove;
    private Task _sinkFault = Never;
    private bool _engineCompleted;
    private bool _hasAlertSinks;
    private bool _hasInteractionSinks;
    private long _warmUpSinceRefresh;
    private int _sinceGaugeUpdate;

    // Figures, written by the loop only (so a plain increment published by Bump is enough), read by GetStatistics.
    private long _consumed;
    private long _deadLettered;
    private long _warmUpEvents;
    private long _evaluated;
    private long _alerts;
    private long _alertsNotReemitted;
    private long _replayed;
    private long _duplicates;
    private bool _releasedDuplicate; // the engine dropped the event it is about to report evaluated
    private long _late;
    private volatile int _held;
    private long _watermarkTicks = long.MinValue;

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
        _horizon = _options.WarmUpHorizon ?? GetWarmUpHorizon(rules, _options.AllowedLateness);
        _metrics = new PipelineMetrics(meterFactory, () => _held, () => _tracker.InFlight);
        _tracker.Advanced += OnAdvanced;
    }

    /// <summary>Gets how far before a committed position a warm-up re-reads (in event time).</summary>
    public TimeSpan WarmUpHorizon => _horizon;

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
        var largest = TimeSpan.Zero;
        foreach (var rule in rules)
        {
            var need = (rule.Window?.Length ?? TimeSpan.Zero) + (rule.Suppress ?? TimeSpan.Zero);
            if (need > largest)
                largest = need;
        }
        return largest + allowedLateness;
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
        AddSink(new SinkHandle(name, AlertsKind, sink, null, batching));
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
        AddSink(new SinkHandle(name, InteractionsKind, null, sink, batching));
    }

    /// <summary>
    /// Reads the source until <paramref name="stoppingToken"/> is cancelled (or <see cref="Complete"/> is called), then
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

    private async Task<PipelineSummary> RunCoreAsync(CancellationToken stoppingToken)
    {
        long startedAt = Stopwatch.GetTimestamp();
        Exception? failure = null;
        IAsyncEnumerator<InteractionSourceEvent>? events = null;
        using var read = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _abort.Token, _completeInput.Token, _disposing.Token);
        try
        {
            Start();
            Log.PipelineStarted(_logger, _rules.Count, string.Join(", ", _sinks.Select(s => s.Name)), _horizon, _options.WarmUp);
            var handlers = new InteractionSourceHandlers { OnAssigned = PlanWarmUpAsync, OnRevoking = OnRevokingAsync };
            events = _source.ReadAsync(handlers, read.Token).GetAsyncEnumerator(CancellationToken.None);
            await LoopAsync(events).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // any failure ends the run; it is rethrown below after the source and sinks are closed
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        _loopEnded = true;
        while (_control.Reader.TryRead(out var request))
            request.Done.TrySetResult();
        if (failure is not null)
            await _abort.CancelAsync().ConfigureAwait(false);

        failure = await CloseSourceAsync(events, failure).ConfigureAwait(false);
        failure = await CloseSinksAsync(failure).ConfigureAwait(false);
        if (failure is not null)
        {
            // A write that found a sink failed reports it second-hand; the sink's own exception names the batch.
            if (failure is SinkWriteException or ObjectDisposedException && _sinks.FirstOrDefault(s => s.Completion.IsFaulted) is { } failed)
                failure = failed.Completion.Exception!.InnerException!;
            Log.PipelineFailed(_logger, failure, failure.Message);
        }
        RefreshEngineFigures();
        var summary = new PipelineSummary(GetStatistics(), Stopwatch.GetElapsedTime(startedAt), _completeInput.IsCancellationRequested);
        if (failure is not null)
            ExceptionDispatchInfo.Throw(failure);
        Log.PipelineStopped(_logger, summary.Consumed, summary.Evaluated, summary.Alerts, summary.WarmUpEvents, summary.Held, summary.Elapsed);
        return summary;
    }

    /// <summary>
    /// Declares the input finished — for a bounded input such as a demo, once every record was read (see
    /// <see cref="PipelineStatistics.Partitions"/>' <c>CaughtUp</c> and the counts): the held events are evaluated as at
    /// the end of a replay, every sink is flushed, and the pipeline stops as on cancellation. Called before
    /// <see cref="RunAsync"/>, the run stops at once; after it ended, it does nothing.
    /// </summary>
    public void Complete()
    {
        if (!_loopEnded)
            PostControl(new ControlRequest(ControlKind.Complete, []));
    }

    /// <summary>Takes a thread-safe snapshot of the figures.</summary>
    /// <returns>The snapshot.</returns>
    public PipelineStatistics GetStatistics()
    {
        long watermark = Interlocked.Read(ref _watermarkTicks);
        return new PipelineStatistics(
            Interlocked.Read(ref _consumed),
            Interlocked.Read(ref _deadLettered),
            Interlocked.Read(ref _warmUpEvents),
            Interlocked.Read(ref _evaluated),
            Interlocked.Read(ref _late),
            Interlocked.Read(ref _alerts),
            Interlocked.Read(ref _alertsNotReemitted),
            Interlocked.Read(ref _replayed),
            _held,
            _tracker.InFlight,
            watermark == long.MinValue ? null : new DateTimeOffset(watermark, TimeSpan.Zero),
            [.. _sinks.Select(s => s.GetStatistics())],
            [.. _views.Values.OrderBy(v => v.Partition).Select(v => v.Snapshot())])
        {
            Duplicates = Interlocked.Read(ref _duplicates),
        };
    }

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
        _engine?.Dispose();
        _metrics.Dispose();
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
        if (_sinks.Any(s => string.Equals(s.Name, handle.Name, StringComparison.Ordinal)))
            throw new ArgumentException($"A sink named '{handle.Name}' was added already; sink names must be unique.", "name");
        _sinks.Add(handle);
    }

    private void Start()
    {
        var sinkLogger = _loggerFactory.CreateLogger<BatchingSink<Alert>>();
        foreach (var sink in _sinks)
            sink.Start(_options.TimeProvider, sinkLogger);
        _sinkFault = _sinks.Count == 0 ? Never : Task.WhenAny(_sinks.Select(s => s.Completion));
        _hasAlertSinks = _sinks.Any(s => s.Alerts is not null);
        _hasInteractionSinks = _sinks.Any(s => s.Interactions is not null);
        _engine = new RuleEngine(_rules, _currentAlerts.Add, new RuleEngineOptions
        {
            AllowedLateness = _options.AllowedLateness,
            IdleTimeout = _options.IdleTimeout,
            TimeProvider = _options.TimeProvider,
            MeterFactory = _meterFactory,
            OnEventEvaluated = OnEventEvaluated,
            OnDuplicateEvent = _ => _releasedDuplicate = true,
        });
    }

    private async Task LoopAsync(IAsyncEnumerator<InteractionSourceEvent> events)
    {
        var engine = _engine!;
        while (true)
        {
            while (_control.Reader.TryRead(out var request))
                await HandleControlAsync(request).ConfigureAwait(false);

            if (_pendingMove is null)
            {
                // Fast path: a source that has events ready completes synchronously; no task per event.
                var move = events.MoveNextAsync();
                if (move.IsCompletedSuccessfully)
                {
                    if (!move.Result)
                        return;
                    await HandleAsync(events.Current).ConfigureAwait(false);
                    continue;
                }
                _pendingMove = move.AsTask();
            }
            if (!_pendingMove.IsCompleted)
            {
                ThrowIfSinkFailed();
                if (_warmUpSinceRefresh > 0)
                    RefreshEngineFigures();
                else
                    UpdateEngineGauges();
                var controlReady = NextControlSignal();
                if (_control.Reader.TryPeek(out _))
                    continue; // posted before the signal was taken
                using var idleCancel = new CancellationTokenSource();
                var idle = !_engineCompleted && engine.GetTimeUntilIdle() is { } due ? Task.Delay(due, _options.TimeProvider, idleCancel.Token) : Never;
                await Task.WhenAny(_pendingMove, controlReady, _sinkFault, idle).ConfigureAwait(false);
                await idleCancel.CancelAsync().ConfigureAwait(false);
                ThrowIfSinkFailed();
                if (idle.IsCompletedSuccessfully && !_engineCompleted)
                {
                    engine.Poll();
                    await DispatchAsync().ConfigureAwait(false);
                }
                continue;
            }

            bool more = await _pendingMove.ConfigureAwait(false);
            _pendingMove = null;
            if (!more)
                return;
            await HandleAsync(events.Current).ConfigureAwait(false);
        }
    }

    private ValueTask HandleAsync(in InteractionSourceEvent e)
    {
        if (e.Kind == InteractionSourceEventKind.Record)
        {
            // The common case without an async state machine: offer, and dispatch only what the engine released.
            if (!_engineCompleted)
                OnRecord(e);
            return _released.Count > 0 ? DispatchThenRefreshAsync() : RefreshAfterEvent();
        }
        return HandleOtherAsync(e);
    }

    private async ValueTask DispatchThenRefreshAsync()
    {
        await DispatchAsync().ConfigureAwait(false);
        await RefreshAfterEvent().ConfigureAwait(false);
    }

    /// <summary>Keeps the figures current: the engine's gauges every <see cref="GaugeRefreshEvery"/> events while busy (and whenever the loop waits).</summary>
    private ValueTask RefreshAfterEvent()
    {
        if (_warmUpSinceRefresh >= WarmUpRefreshEvery)
            RefreshEngineFigures();
        else if (++_sinceGaugeUpdate >= GaugeRefreshEvery)
            UpdateEngineGauges();
        return ValueTask.CompletedTask;
    }

    private async ValueTask HandleOtherAsync(InteractionSourceEvent e)
    {
        var engine = _engine!;
        switch (e.Kind)
        {
            case InteractionSourceEventKind.Record:
                if (!_engineCompleted)
                    OnRecord(e);
                break;
            case InteractionSourceEventKind.DeadLettered:
                if (!_engineCompleted)
                    OnDeadLettered(e);
                break;
            case InteractionSourceEventKind.PartitionAssigned:
                OnAssigned(e);
                break;
            case InteractionSourceEventKind.PartitionCaughtUp:
                if (_views.TryGetValue(e.Partition, out var caughtUp))
                    caughtUp.CaughtUp = true;
                if (!_engineCompleted)
                    engine.MarkCaughtUp(e.Partition);
                break;
            case InteractionSourceEventKind.PartitionActive:
                if (_views.TryGetValue(e.Partition, out var active))
                    active.CaughtUp = false;
                if (!_engineCompleted)
                    engine.MarkHasData(e.Partition);
                break;
            case InteractionSourceEventKind.PartitionRevoked:
                Release(e.Partition);
                Log.PartitionReleased(_logger, e.Partition, "revoked");
                break;
            case InteractionSourceEventKind.PartitionLost:
                Release(e.Partition);
                Log.PartitionReleased(_logger, e.Partition, "lost: its offsets since the last commit are replayed by its next owner");
                // What was evaluated must be durable before a re-read of the partition may skip it.
                await DispatchAsync().ConfigureAwait(false);
                await FlushSinksAsync().ConfigureAwait(false);
                break;
        }
        await DispatchAsync().ConfigureAwait(false);
        if (_warmUpSinceRefresh >= WarmUpRefreshEvery)
            RefreshEngineFigures();
        else
            UpdateEngineGauges();
    }

    private void OnRecord(InteractionSourceEvent e)
    {
        int partition = e.Partition;
        long offset = e.Offset;
        var owned = GetOwned(partition);
        var log = owned.Log;
        owned.View.LastRead = offset;
        if (offset < owned.WarmUpUntil)
        {
            if (offset <= log.OfferedUpTo)
                return; // already in the engine's state
            Interlocked.Increment(ref _warmUpEvents);
            _metrics.WarmUpEvent();
            log.OfferedUpTo = offset;
            _engine!.Offer(new PartitionedInteraction(e.Interaction!, partition, offset, WarmUp: true));
            return;
        }

        Bump(ref _consumed);
        _metrics.Record();
        if (offset <= owned.LastBegun)
        {
            Interlocked.Increment(ref _replayed);
            return; // read twice within one assignment: its ticket is already tracked
        }
        owned.LastBegun = offset;
        if (offset <= log.OfferedUpTo)
        {
            // Evaluated (or held) by this pipeline before the partition was handed over and back.
            Interlocked.Increment(ref _replayed);
            if (log.Pending.ContainsKey(offset))
                log.Pending[offset] = _tracker.BeginSlot(partition, offset); // still held: completes when evaluated
            else if (log.Orphans.Remove(offset, out var orphan))
                _released.Add(new Released(orphan.Interaction, _tracker.Begin(partition, offset), default, orphan.Alerts));
            else
                _tracker.Begin(partition, offset).Complete(); // evaluated and durable before the hand-over
            return;
        }

        // Tracked without a ticket object: most events have nothing to write, and those held for the watermark are many.
        log.Pending[offset] = _tracker.BeginSlot(partition, offset);
        log.OfferedUpTo = offset;
        _engine!.Offer(new PartitionedInteraction(e.Interaction!, partition, offset));
    }

    private void OnDeadLettered(InteractionSourceEvent e)
    {
        var owned = GetOwned(e.Partition);
        owned.View.LastRead = e.Offset;
        if (e.Offset < owned.WarmUpUntil || e.Offset <= owned.LastBegun)
            return;
        Interlocked.Increment(ref _deadLettered);
        _metrics.DeadLettered();
        owned.LastBegun = e.Offset;
        _tracker.Begin(e.Partition, e.Offset).Complete();
    }

    private void OnAssigned(InteractionSourceEvent e)
    {
        int partition = e.Partition;
        long committed = e.CommittedOffset;
        long warmUpFrom = _warmUpPlans.TryRemove(partition, out long planned) && e.Offset == planned ? planned : -1;
        var log = _logs.GetOrAdd(partition, static p => new PartitionLog());
        var view = new PartitionView(partition, committed, warmUpFrom);
        _owned[partition] = new OwnedPartition(log, view) { WarmUpUntil = committed };
        _lastOwned = null;
        _views[partition] = view;
        if (committed > 0 && log.Orphans.Count > 0)
        {
            foreach (long offset in log.Orphans.Keys.Where(o => o < committed).ToList())
                log.Orphans.Remove(offset); // another owner delivered them
        }
        if (!_engineCompleted)
            _engine!.AddPartition(partition);
        Log.PartitionAssigned(_logger, partition, committed, warmUpFrom);
    }

    private OwnedPartition GetOwned(int partition)
    {
        if (_lastOwned is { } last && last.View.Partition == partition)
            return last;
        if (_owned.TryGetValue(partition, out var owned))
            return _lastOwned = owned;
        // A source that reports records without assigning their partition first: track it from here.
        OnAssigned(InteractionSourceEvent.PartitionAssigned(partition, -1, -1));
        return _owned[partition];
    }

    private void Release(int partition)
    {
        _deferredAdvances.Remove(partition);
        _lastOwned = null;
        if (_owned.Remove(partition, out var owned))
            owned.Log.DetachSlots();
        _tracker.Remove(partition);
        _views.TryRemove(partition, out _);
        if (!_engineCompleted)
            _engine!.RemovePartition(partition);
    }

    /// <summary>Adds one to a figure that only the loop writes (no interlocked instruction per event).</summary>
    private static void Bump(ref long figure) => Volatile.Write(ref figure, figure + 1);

    private void OnEventEvaluated(PartitionedInteraction item)
    {
        bool duplicate = _releasedDuplicate;
        _releasedDuplicate = false;
        if (item.WarmUp)
        {
            _warmUpSinceRefresh++;
            _currentAlerts.Clear();
            return;
        }

        // A duplicate is done as soon as it is dispatched: nothing of it is written, so the first copy stays what is stored.
        if (duplicate)
            Bump(ref _duplicates);
        else
            Bump(ref _evaluated);
        var interaction = duplicate ? null : item.Interaction;
        Alert[]? alerts = null;
        if (_currentAlerts.Count > 0)
        {
            alerts = [.. _currentAlerts];
            _currentAlerts.Clear();
        }
        if (!_logs.TryGetValue(item.Partition, out var log) || !log.Pending.Remove(item.Offset, out var slot))
            return;
        if (slot.IsTracked)
        {
            // A ticket only for a record with outputs to write to a sink; the others just complete their slot when dispatched.
            var ticket = (alerts is not null && _hasAlertSinks) || (interaction is not null && _hasInteractionSinks) ? _tracker.AttachTicket(slot) : null;
            _released.Add(new Released(interaction, ticket, slot, alerts));
        }
        else if (!_owned.TryGetValue(item.Partition, out var owned) || item.Offset >= owned.WarmUpUntil)
            log.Orphans[item.Offset] = new Orphan(interaction, alerts); // kept for a re-read after the partition comes back
    }

    private async ValueTask DispatchAsync()
    {
        if (_released.Count == 0)
            return;
        var token = _abort.Token;
        var onAlert = _options.OnAlert;
        foreach (var released in _released)
        {
            if (released.Alerts is { } alerts)
            {
                foreach (var alert in alerts)
                {
                    Bump(ref _alerts);
                    _metrics.Alert();
                    onAlert?.Invoke(alert);
                    foreach (var sink in _sinks)
                    {
                        if (sink.Alerts is { } alertSink)
                            await alertSink.EnqueueAsync(alert, released.Ticket, token).ConfigureAwait(false);
                    }
                }
            }
            if (released.Interaction is { } interaction)
            {
                foreach (var sink in _sinks)
                {
                    if (sink.Interactions is { } interactionSink)
                        await interactionSink.EnqueueAsync(interaction, released.Ticket, token).ConfigureAwait(false);
                }
            }
            // A ticket completed here advances the checkpoint on this thread: store once per partition and dispatch, not per record.
            t_deferringAdvances = this;
            try
            {
                if (released.Ticket is { } ticket)
                    ticket.Complete();
                else
                    _tracker.Complete(released.Slot);
            }
            finally
            {
                t_deferringAdvances = null;
            }
        }
        _released.Clear();
        StoreDeferredAdvances();
    }

    private void StoreDeferredAdvances()
    {
        if (_deferredAdvances.Count == 0)
            return;
        foreach (var (partition, offset) in _deferredAdvances)
            StoreAdvanced(partition, offset);
        _deferredAdvances.Clear();
    }

    private async ValueTask HandleControlAsync(ControlRequest request)
    {
        try
        {
            switch (request.Kind)
            {
                case ControlKind.Revoke:
                    long started = Stopwatch.GetTimestamp();
                    await DispatchAsync().ConfigureAwait(false);
                    await FlushSinksAsync().ConfigureAwait(false);
                    // Whatever the engine releases from now on for these partitions is no longer theirs to commit.
                    foreach (int partition in request.Partitions)
                    {
                        if (_owned.TryGetValue(partition, out var owned))
                            owned.Log.DetachSlots();
                    }
                    Log.RevokeFlushed(_logger, string.Join(",", request.Partitions), Stopwatch.GetElapsedTime(started));
                    break;
                case ControlKind.Complete:
                    if (!_engineCompleted)
                    {
                        _engineCompleted = true;
                        _engine!.Complete();
                        await DispatchAsync().ConfigureAwait(false);
                        UpdateEngineGauges();
                    }
                    await FlushSinksAsync().ConfigureAwait(false);
                    Log.InputCompleted(_logger, Interlocked.Read(ref _evaluated));
                    await _completeInput.CancelAsync().ConfigureAwait(false);
                    break;
            }
            request.Done.TrySetResult();
        }
        catch (Exception ex)
        {
            request.Done.TrySetException(ex);
            throw;
        }
    }

    private async ValueTask<IReadOnlyDictionary<int, long>?> PlanWarmUpAsync(IReadOnlyList<AssignedPartition> assigned, CancellationToken cancellationToken)
    {
        if (!_options.WarmUp || _horizon <= TimeSpan.Zero)
            return null;
        var wanted = new Dictionary<int, long>();
        var known = new Dictionary<int, long>();
        foreach (var partition in assigned)
        {
            if (partition.CommittedOffset <= 0)
                continue;
            long offered = _logs.TryGetValue(partition.Partition, out var log) ? log.OfferedUpTo : -1;
            if (offered >= partition.CommittedOffset - 1)
                continue; // this pipeline's state already holds every event before the committed position
            wanted[partition.Partition] = partition.CommittedOffset - 1;
            known[partition.Partition] = offered;
        }
        if (wanted.Count == 0)
            return null;

        IReadOnlyDictionary<int, DateTimeOffset> times;
        try
        {
            times = await _source.GetTimestampsAsync(wanted, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.WarmUpUnavailable(_logger, ex, string.Join(",", wanted.Keys), ex.Message);
            return null;
        }

        var starts = new Dictionary<int, long>();
        foreach (var group in times.GroupBy(t => t.Value - _horizon))
        {
            var partitions = group.Select(g => g.Key).ToList();
            IReadOnlyDictionary<int, long> offsets;
            try
            {
                offsets = await _source.GetOffsetsForTimeAsync(partitions, group.Key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.WarmUpUnavailable(_logger, ex, string.Join(",", partitions), ex.Message);
                continue;
            }
            foreach (int partition in partitions)
            {
                if (!offsets.TryGetValue(partition, out long start))
                    continue;
                long committed = wanted[partition] + 1;
                start = Math.Max(Math.Min(start, committed), known[partition] + 1);
                if (start >= committed)
                    continue;
                starts[partition] = start;
                _warmUpPlans[partition] = start;
                Log.WarmUpPlanned(_logger, partition, start, committed, group.Key, times[partition]);
            }
        }
        return starts.Count == 0 ? null : starts;
    }

    private async ValueTask OnRevokingAsync(IReadOnlyList<int> partitions, CancellationToken cancellationToken)
    {
        if (_loopEnded)
            return;
        var request = new ControlRequest(ControlKind.Revoke, partitions);
        PostControl(request);
        if (_loopEnded)
            return; // the loop has ended and will not answer; what it stored stays stored
        await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void PostControl(ControlRequest request)
    {
        _control.Writer.TryWrite(request);
        lock (_controlLock)
            _controlSignal.TrySetResult();
    }

    private Task NextControlSignal()
    {
        lock (_controlLock)
        {
            if (_controlSignal.Task.IsCompleted)
                _controlSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _controlSignal.Task;
        }
    }

    private void OnAdvanced(int partition, long offset)
    {
        if (t_deferringAdvances == this)
            _deferredAdvances[partition] = offset; // the loop's dispatch stores it when done (offsets only grow)
        else
            StoreAdvanced(partition, offset);
    }

    private void StoreAdvanced(int partition, long offset)
    {
        _source.StoreOffset(partition, offset);
        if (_views.TryGetValue(partition, out var view))
            view.Stored = offset;
    }

    private async ValueTask FlushSinksAsync()
    {
        if (_sinks.Count == 0)
            return;
        await Task.WhenAll(_sinks.Select(s => s.FlushAsync(_abort.Token))).ConfigureAwait(false);
    }

    private void ThrowIfSinkFailed()
    {
        foreach (var sink in _sinks)
        {
            if (sink.Completion.IsFaulted)
                ExceptionDispatchInfo.Throw(sink.Completion.Exception!.InnerException!);
        }
    }

    private void UpdateEngineGauges()
    {
        _sinceGaugeUpdate = 0;
        var engine = _engine!;
        _held = engine.HeldEvents;
        Interlocked.Exchange(ref _late, engine.LateEvents);
        Interlocked.Exchange(ref _watermarkTicks, engine.Watermark?.UtcTicks ?? long.MinValue);
    }

    private void RefreshEngineFigures()
    {
        if (_engine is not { } engine)
            return;
        UpdateEngineGauges();
        long notReemitted = 0;
        foreach (var rule in engine.GetStatistics().Rules)
            notReemitted += rule.Candidates - rule.Suppressed - rule.Alerts; // candidates neither suppressed nor emitted: those of warm-up events
        Interlocked.Exchange(ref _alertsNotReemitted, notReemitted);
        _warmUpSinceRefresh = 0;
    }

    private async Task<Exception?> CloseSourceAsync(IAsyncEnumerator<InteractionSourceEvent>? events, Exception? failure)
    {
        if (events is null)
            return failure;
        try
        {
            if (_pendingMove is { } pending)
            {
                // The source ends its sequence after a stop; events it still yields are not processed.
                while (await pending.ConfigureAwait(false))
                    pending = events.MoveNextAsync().AsTask();
            }
        }
#pragma warning disable CA1031 // the source's failure is reported unless an earlier one is
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure ??= ex;
        }
        try
        {
            await events.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // as above
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure ??= ex;
        }
        return failure;
    }

    private async Task<Exception?> CloseSinksAsync(Exception? failure)
    {
        foreach (var sink in _sinks)
        {
            await sink.DisposeAsync().ConfigureAwait(false);
            if (failure is null && sink.Completion.IsFaulted)
                failure = sink.Completion.Exception!.InnerException;
        }
        return failure;
    }
}
