using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CallStream.Rules.Engine;

namespace CallStream.Rules;

/// <summary>
/// Runs a rule set over interactions in event time: orders arriving events (<see cref="EventTimeOrderer"/>),
/// evaluates them with compiled rules and windowed state (<see cref="RuleEvaluator"/>), and delivers alerts to a
/// callback, one by one, or each released event with its alerts to an <see cref="IEvaluatedEventHandler"/>. The synchronous core of replay, of the Rx operator <see cref="AlertDetection"/> and of consumers.
/// </summary>
/// <remarks>
/// Alerts are delivered from within the call that released their event (<see cref="Offer(Interaction)"/>,
/// <see cref="MarkCaughtUp"/>, <see cref="Poll"/>, <see cref="RemovePartition"/>, <see cref="Complete"/>), in
/// event-time order and, per event, in rule-set order. An interaction whose id was released before, within
/// <see cref="DuplicateHorizon"/>, is the same interaction sent again: it is dropped before the rules and counted
/// (<see cref="DuplicateEvents"/>). Metrics go to the <c>CallStream</c> meter: <c>callstream.rules.events</c>,
/// <c>callstream.rules.late_events</c>, <c>callstream.rules.duplicate_events</c> and <c>callstream.rules.alerts</c>
/// (tag <c>rule</c>). With <see cref="RuleEngineOptions.EvaluationThreads"/> above 1 the rules run on several threads
/// (<see cref="ShardedEvaluator"/>): the events one call releases are evaluated together, then delivered in the same
/// order, with the same alerts and callbacks, before the call returns. Not thread-safe: call it from one thread at a
/// time, and not from its own callbacks.
/// </remarks>
public sealed class RuleEngine : IDisposable, IShardedDelivery
{
    private const string MeterName = "CallStream";

    // One of the two: the sequential evaluator (EvaluationThreads = 1), or the rules split over threads, which
    // evaluates the events released during one public call in batches and delivers them before the call returns.
    private readonly RuleEvaluator? _evaluator;
    private readonly ShardedEvaluator? _sharded;
    private readonly EventTimeOrderer _orderer;
    private readonly Action<Alert>? _onAlert;
    private readonly IEvaluatedEventHandler? _handler;
    private readonly Action<PartitionedInteraction>? _onEvaluated;
    private readonly Action<PartitionedInteraction>? _onDuplicate;
    private readonly InteractionIdMemory _ids;
    private readonly bool _endTime;
    private readonly List<Alert> _alerts = [];
    private readonly Action<LateEvent>? _userLate;
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _eventsCounter;
    private readonly Counter<long> _lateCounter;
    private readonly Counter<long> _duplicatesCounter;
    private readonly Counter<long> _alertsCounter;
    private bool _disposed;

    /// <summary>Creates an engine.</summary>
    /// <param name="rules">The rules, compiled once here.</param>
    /// <param name="onAlert">Receives each alert (for example <c>list.Add</c>).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or <paramref name="onAlert"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine: more than 64 different conditions in its count() and rate() aggregates (type errors are caught earlier, by the <see cref="Rule"/> constructor).</exception>
    public RuleEngine(RuleSet rules, Action<Alert> onAlert, RuleEngineOptions? options = null)
        : this(CompiledRuleSet.Compile(rules ?? throw new ArgumentNullException(nameof(rules))), onAlert, options)
    {
    }

    /// <summary>Creates an engine that hands each released event and the alerts it raised to a handler in one call.</summary>
    /// <param name="rules">The rules, compiled once here.</param>
    /// <param name="handler">Receives each released event with its alerts.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or <paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine: more than 64 different conditions in its count() and rate() aggregates.</exception>
    public RuleEngine(RuleSet rules, IEvaluatedEventHandler handler, RuleEngineOptions? options = null)
        : this(CompiledRuleSet.Compile(rules ?? throw new ArgumentNullException(nameof(rules))), null, handler ?? throw new ArgumentNullException(nameof(handler)), options)
    {
    }

    internal RuleEngine(CompiledRuleSet compiled, Action<Alert> onAlert, RuleEngineOptions? options)
        : this(compiled, onAlert ?? throw new ArgumentNullException(nameof(onAlert)), null, options)
    {
    }

    private RuleEngine(CompiledRuleSet compiled, Action<Alert>? onAlert, IEvaluatedEventHandler? handler, RuleEngineOptions? options)
    {
        options ??= new RuleEngineOptions();
        options.Validate();
        _onAlert = onAlert;
        _handler = handler;
        _onEvaluated = options.OnEventEvaluated;
        _onDuplicate = options.OnDuplicateEvent;
        _endTime = options.EventTime == EventTimeMode.End;
        int threads = options.EvaluationThreads == 0 ? ShardPlan.AutoThreads(compiled.Compiled, Environment.ProcessorCount) : options.EvaluationThreads;
        if (threads > 1 && compiled.Compiled.Count > 1)
            _sharded = new ShardedEvaluator(compiled, threads, options.EventTime, this);
        else
            _evaluator = new RuleEvaluator(compiled, options.EventTime);
        EvaluationThreads = _sharded?.Threads ?? 1;
        DuplicateHorizon = options.DuplicateHorizon ?? GetDefaultDuplicateHorizon(compiled.Rules, options.AllowedLateness);
        _ids = new InteractionIdMemory(DuplicateHorizon);

        Meter meter;
        if (options.MeterFactory is { } factory)
        {
            meter = factory.Create(MeterName);
        }
        else
        {
            meter = new Meter(MeterName);
            _ownedMeter = meter;
        }
        _eventsCounter = meter.CreateCounter<long>("callstream.rules.events", "{event}", "Events evaluated by the rules, in event-time order.");
        _lateCounter = meter.CreateCounter<long>("callstream.rules.late_events", "{event}", "Events that arrived after a later event had been released; evaluated out of order.");
        _duplicatesCounter = meter.CreateCounter<long>("callstream.rules.duplicate_events", "{event}", "Events dropped before the rules because an interaction with the same id was released before.");
        _alertsCounter = meter.CreateCounter<long>("callstream.rules.alerts", "{alert}", "Alerts the rules raised, by rule and severity.");

        var userLate = options.OnLateEvent;
        _userLate = userLate;
        _orderer = new EventTimeOrderer(
            Evaluate,
            options,
            late =>
            {
                _lateCounter.Add(1);
                if (userLate is null)
                    return;
                if (_sharded is { } sharded)
                    sharded.AddLate(late); // told in its place among the batch's deliveries
                else
                    userLate(late);
            },
            _ids.Rewind); // a partition catching up is released behind the newest event: its ids must be remembered too
    }

    /// <summary>Gets the rules, in evaluation order.</summary>
    public RuleSet Rules => _evaluator?.Rules ?? _sharded!.Rules;

    /// <summary>Gets the number of threads the rules are evaluated on (<see cref="RuleEngineOptions.EvaluationThreads"/>, resolved: at most one per rule).</summary>
    public int EvaluationThreads { get; }

    /// <summary>Gets the current watermark, or <see langword="null"/> while there is none.</summary>
    public DateTimeOffset? Watermark => _orderer.Watermark;

    /// <summary>Gets the number of late events so far.</summary>
    public long LateEvents => _orderer.LateCount;

    /// <summary>Gets the number of events held, waiting for the watermark.</summary>
    public int HeldEvents => _orderer.HeldCount;

    /// <summary>Gets the number of events dropped as duplicates so far (warm-up included).</summary>
    public long DuplicateEvents { get; private set; }

    /// <summary>Gets how long, in event time, an interaction id is remembered to recognise duplicates (<see cref="RuleEngineOptions.DuplicateHorizon"/>, or its default for these rules).</summary>
    public TimeSpan DuplicateHorizon { get; }

    /// <summary>Offers an event of a single, unpartitioned source (partition 0).</summary>
    /// <param name="interaction">The event.</param>
    /// <exception cref="ArgumentNullException"><paramref name="interaction"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The engine is completed.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void Offer(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        Offer(new PartitionedInteraction(interaction));
    }

    /// <summary>Offers an event of a partitioned source; the events the watermark now passes are evaluated and their alerts delivered.</summary>
    /// <param name="item">The event, its partition and offset, and whether it only warms up state.</param>
    /// <exception cref="ArgumentException">The item has no interaction.</exception>
    /// <exception cref="InvalidOperationException">The engine is completed.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void Offer(in PartitionedInteraction item)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _orderer.Offer(item);
        _sharded?.Flush();
    }

    /// <summary>
    /// Offers events in turn, as one <see cref="Offer(in PartitionedInteraction)"/> each; with
    /// <see cref="RuleEngineOptions.EvaluationThreads"/> above 1, the events they release are evaluated together
    /// (delivered before this returns), which is what lets the rules' threads share the work.
    /// </summary>
    /// <param name="items">The events, their partitions and offsets, and whether they only warm up state.</param>
    /// <exception cref="ArgumentException">An item has no interaction (those before it were offered).</exception>
    /// <exception cref="InvalidOperationException">The engine is completed.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void Offer(ReadOnlySpan<PartitionedInteraction> items)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_sharded is not { } sharded)
        {
            foreach (ref readonly var item in items)
                _orderer.Offer(item);
            return;
        }
        try
        {
            foreach (ref readonly var item in items)
                _orderer.Offer(item);
        }
        finally
        {
            sharded.Flush();
        }
    }

    /// <summary>Registers a partition ahead of its first event (on assignment): it holds the watermark until it delivers or goes idle.</summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The engine is completed.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void AddPartition(int partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _orderer.AddPartition(partition);
    }

    /// <summary>Forgets a partition (revoked by a rebalance); events it already delivered stay held until the watermark passes them.</summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The engine is completed.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void RemovePartition(int partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _orderer.RemovePartition(partition);
        _sharded?.Flush();
    }

    /// <summary>Tells the engine a partition is caught up; after the idle timeout (wall time) it no longer holds the watermark back.</summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The engine is completed.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void MarkCaughtUp(int partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _orderer.MarkCaughtUp(partition);
        _sharded?.Flush();
    }

    /// <summary>
    /// Tells the engine that a partition has delivered every event up to <paramref name="eventTime"/>, without an event
    /// to show it (a progress marker of an upstream stage), and evaluates what the watermark now passes.
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <param name="eventTime">The event time the partition has reached; an older one than it reached before changes nothing.</param>
    /// <exception cref="InvalidOperationException">The engine is completed.</exception>
    public void Advance(int partition, DateTimeOffset eventTime)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _orderer.Advance(partition, eventTime);
        _sharded?.Flush();
    }

    /// <summary>Tells the engine a partition has new data: it holds the watermark again.</summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The engine is completed.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void MarkHasData(int partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _orderer.MarkHasData(partition);
    }

    /// <summary>Re-checks idle timeouts against the wall clock and evaluates what the watermark now passes; call it when <see cref="GetTimeUntilIdle"/> says.</summary>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void Poll()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _orderer.Poll();
        _sharded?.Flush();
    }

    /// <summary>Gets how long until a caught-up partition becomes idle, or <see langword="null"/> when none is waiting to.</summary>
    /// <returns>The delay until <see cref="Poll"/> may release more, zero when due.</returns>
    public TimeSpan? GetTimeUntilIdle() => _orderer.GetTimeUntilIdle();

    /// <summary>Ends a finite input: every held event is evaluated, in order. The engine accepts no events afterwards.</summary>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _orderer.Complete();
        _sharded?.Flush();
    }

    /// <summary>Reads the engine's counters and state size.</summary>
    /// <returns>A snapshot.</returns>
    public RuleEngineStatistics GetStatistics() =>
        new(_orderer.OfferedCount, _evaluator?.EventsEvaluated ?? _sharded!.EventsEvaluated, _orderer.LateCount, _orderer.HeldCount, _orderer.Watermark, _evaluator?.GetStatistics() ?? _sharded!.GetStatistics())
        {
            DuplicateEvents = DuplicateEvents,
            RememberedIds = _ids.Count,
        };

    /// <summary>Disposes the engine's own meter (when it created one) and ends the rules' threads. Held events are dropped.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _sharded?.Dispose();
        _ownedMeter?.Dispose();
    }

    /// <summary>The default of <see cref="RuleEngineOptions.DuplicateHorizon"/>: the warm-up horizon of a consumer (largest window plus suppression of one rule, plus the lateness).</summary>
    internal static TimeSpan GetDefaultDuplicateHorizon(RuleSet rules, TimeSpan allowedLateness)
    {
        var largest = TimeSpan.Zero;
        foreach (var rule in rules)
        {
            var need = (rule.Window?.Length ?? TimeSpan.Zero) + (rule.Suppress ?? TimeSpan.Zero);
            if (need > largest)
                largest = need;
        }
        return largest + allowedLateness;
    }

    private void Evaluate(PartitionedInteraction item)
    {
        var interaction = item.Interaction;
        long ticks = EventTimes.Of(interaction, _endTime);
        if (_ids.IsDuplicate(interaction.InteractionId, ticks))
        {
            if (_sharded is { } shardedDuplicate)
                shardedDuplicate.AddDuplicate(item);
            else
                DropDuplicate(item);
            return;
        }
        if (_sharded is { } sharded)
        {
            sharded.Add(item, ticks);
            return;
        }
        var evaluator = _evaluator!;
        if (item.WarmUp)
        {
            evaluator.Evaluate(interaction, ticks, null);
            Deliver(item, default);
            return;
        }
        evaluator.Evaluate(interaction, ticks, _alerts);
        try
        {
            Deliver(item, CollectionsMarshal.AsSpan(_alerts));
        }
        finally
        {
            _alerts.Clear();
        }
    }

    void IShardedDelivery.Deliver(in PartitionedInteraction item, ReadOnlySpan<Alert> alerts) => Deliver(item, alerts);

    /// <summary>Hands an evaluated event on: its alerts (none for a warm-up event) to the metrics and the handler or the alert callback, then the event to <see cref="RuleEngineOptions.OnEventEvaluated"/>.</summary>
    private void Deliver(in PartitionedInteraction item, ReadOnlySpan<Alert> alerts)
    {
        if (item.WarmUp)
        {
            _handler?.OnEvaluated(item, default, duplicate: false);
        }
        else
        {
            if (!alerts.IsEmpty && _alertsCounter.Enabled)
            {
                foreach (var alert in alerts)
                    _alertsCounter.Add(1, new KeyValuePair<string, object?>("rule", alert.Rule), new KeyValuePair<string, object?>("severity", WireNames.Name(alert.Severity)));
            }
            if (_handler is { } handler)
            {
                handler.OnEvaluated(item, alerts, duplicate: false);
            }
            else
            {
                foreach (var alert in alerts)
                    _onAlert!(alert);
            }
        }
        if (_eventsCounter.Enabled)
            _eventsCounter.Add(1);
        _onEvaluated?.Invoke(item);
    }

    void IShardedDelivery.DeliverDuplicate(in PartitionedInteraction item) => DropDuplicate(item);

    void IShardedDelivery.DeliverLate(LateEvent late) => _userLate!(late);

    private void DropDuplicate(in PartitionedInteraction item)
    {
        DuplicateEvents++;
        if (_duplicatesCounter.Enabled)
            _duplicatesCounter.Add(1);
        _onDuplicate?.Invoke(item);
        _handler?.OnEvaluated(item, default, duplicate: true);
        _onEvaluated?.Invoke(item);
    }
}
