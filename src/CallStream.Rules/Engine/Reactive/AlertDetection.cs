using System.Diagnostics.Metrics;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using CallStream.Rules.Engine;

namespace CallStream.Rules;

/// <summary>Rx operators that turn a stream of interactions into a stream of alerts, in event time.</summary>
public static class AlertDetection
{
    /// <summary>
    /// Detects alerts in a single stream of interactions (a file, one partition): events are ordered in event
    /// time within the allowed lateness, evaluated by the rules, and their alerts emitted. When the source
    /// completes, every held event is evaluated and the alerts complete. A single stream needs no timer: its
    /// watermark moves with its own events.
    /// </summary>
    /// <param name="source">The interactions.</param>
    /// <param name="rules">The rules; compiled once, here.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// The alerts, in event-time order and per event in rule-set order, on the thread of the source's notification.
    /// Each subscription runs its own engine. Errors of the source propagate (held events are dropped); disposing the
    /// subscription stops the work.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="rules"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine: more than 64 different conditions in its count() and rate() aggregates (type errors are caught earlier, by the <see cref="Rule"/> constructor).</exception>
    public static IObservable<Alert> DetectAlerts(this IObservable<Interaction> source, RuleSet rules, RuleEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rules);
        options?.Validate();
        var compiled = CompiledRuleSet.Compile(rules);
        return Observable.Create<Alert>(observer =>
        {
            var run = new StreamRun(compiled, observer, options);
            return StableCompositeDisposable.Create(source.Subscribe(run), run);
        });
    }

    /// <summary>
    /// Detects alerts in the events of a partitioned source (a Kafka topic, read with
    /// <c>KafkaInteractionSource.ToObservable()</c>), timing idle partitions on <see cref="Scheduler.Default"/>.
    /// See <see cref="DetectAlerts(IObservable{InteractionSourceEvent}, RuleSet, RuleEngineOptions?, IScheduler)"/>.
    /// </summary>
    /// <param name="source">The records and partition events.</param>
    /// <param name="rules">The rules; compiled once, here.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The alerts, in event-time order and per event in rule-set order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="rules"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or <see cref="EventOrderingOptions.TimeProvider"/> is set: the scheduler is the clock.</exception>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine: more than 64 different conditions in its count() and rate() aggregates.</exception>
    public static IObservable<Alert> DetectAlerts(this IObservable<InteractionSourceEvent> source, RuleSet rules, RuleEngineOptions? options = null) =>
        DetectAlerts(source, rules, options, Scheduler.Default);

    /// <summary>
    /// Detects alerts in the events of a partitioned source: the records of all partitions are merged in event time
    /// with a watermark that waits for every assigned partition that is not idle. A caught-up partition
    /// (<see cref="InteractionSourceEventKind.PartitionCaughtUp"/>) stops holding the watermark after
    /// <see cref="EventOrderingOptions.IdleTimeout"/>, measured and timed on <paramref name="scheduler"/> (a
    /// <c>HistoricalScheduler</c> runs it in virtual time); <see cref="InteractionSourceEventKind.PartitionActive"/> makes
    /// it hold again; a revoked or lost partition stops holding. Records before the consumer group's committed offset of
    /// their partition (re-read to warm up windows, see <see cref="InteractionSourceHandlers.OnAssigned"/>) update state
    /// without alerting; dead-lettered records are skipped.
    /// </summary>
    /// <param name="source">The records and partition events.</param>
    /// <param name="rules">The rules; compiled once, here.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults. Its
    /// <see cref="EventOrderingOptions.TimeProvider"/> must be left as is: the scheduler is the clock.</param>
    /// <param name="scheduler">The scheduler that measures the idle timeout and runs its timer.</param>
    /// <returns>
    /// The alerts, in event-time order and per event in rule-set order. Notifications are serialized (the idle timer and
    /// the source never overlap). Errors of the source propagate; disposing stops the work.
    /// <see cref="RuleEngineOptions.OnEventEvaluated"/> tells which records are done, in event-time order (not offset
    /// order): what a checkpoint needs to know.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="rules"/> or <paramref name="scheduler"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or <see cref="EventOrderingOptions.TimeProvider"/> is set.</exception>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine: more than 64 different conditions in its count() and rate() aggregates.</exception>
    public static IObservable<Alert> DetectAlerts(this IObservable<InteractionSourceEvent> source, RuleSet rules, RuleEngineOptions? options, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(scheduler);
        if (options is not null)
        {
            options.Validate();
            if (options.TimeProvider != TimeProvider.System)
                throw new ArgumentException($"DetectAlerts measures the idle timeout on its IScheduler: pass the scheduler (for example a HistoricalScheduler) instead of {nameof(RuleEngineOptions)}.{nameof(RuleEngineOptions.TimeProvider)}.", nameof(options));
        }
        var compiled = CompiledRuleSet.Compile(rules);
        return Observable.Create<Alert>(observer =>
        {
            var run = new PartitionedRun(compiled, observer, options, scheduler);
            return StableCompositeDisposable.Create(source.Subscribe(run), run);
        });
    }

    /// <summary>The options with the scheduler's clock in place of the wall clock; everything else as the caller set it.</summary>
    internal static RuleEngineOptions WithClock(RuleEngineOptions? options, TimeProvider clock) => Copy(options, clock, options?.MeterFactory);

    /// <summary>The options with the process's <see cref="SharedMeter"/> when the caller gave no meter factory.</summary>
    private static RuleEngineOptions? WithSharedMeter(RuleEngineOptions? options) =>
        options?.MeterFactory is not null ? options : Copy(options, options?.TimeProvider ?? TimeProvider.System, SharedMeter.Instance);

    private static RuleEngineOptions Copy(RuleEngineOptions? options, TimeProvider clock, IMeterFactory? meterFactory)
    {
        var copy = options?.Clone() ?? new RuleEngineOptions();
        copy.TimeProvider = clock;
        copy.MeterFactory = meterFactory;
        return copy;
    }

    /// <summary>
    /// The <c>CallStream</c> meter of single-stream subscriptions made without a meter factory: one for the process
    /// (instruments are shared by name), so that a subscription owns nothing its disposal must release while the source
    /// may still be delivering.
    /// </summary>
    private sealed class SharedMeter : IMeterFactory
    {
        public static readonly SharedMeter Instance = new();

        private readonly Meter _meter = new("CallStream");

        public Meter Create(MeterOptions options) => _meter;

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// One subscription's engine, serialized by a gate: source notifications (and, in a partitioned run, the idle timer)
    /// take turns, and alerts are forwarded outside the engine's call so that an error in the engine becomes OnError
    /// while an exception thrown by the observer propagates to its caller, as in Rx operators.
    /// </summary>
    private abstract class DetectionRun : IDisposable
    {
        private readonly IObserver<Alert> _observer;
        private readonly List<Alert> _pending = [];
        private volatile bool _stopped;

        protected DetectionRun(CompiledRuleSet compiled, IObserver<Alert> observer, RuleEngineOptions? options)
        {
            _observer = observer;
            Engine = new RuleEngine(compiled, _pending.Add, options);
        }

        protected Lock Gate { get; } = new();

        protected RuleEngine Engine { get; }

        protected bool Stopped => _stopped;

        public void OnError(Exception error)
        {
            lock (Gate)
            {
                if (!Stopped)
                    FailLocked(error);
            }
        }

        public void OnCompleted()
        {
            lock (Gate)
            {
                if (Stopped)
                    return;
                try
                {
                    Engine.Complete();
                }
                catch (Exception ex)
                {
                    FailLocked(ex);
                    return;
                }
                ForwardLocked();
                StopLocked();
                _observer.OnCompleted();
            }
        }

        public void Dispose()
        {
            lock (Gate)
                StopLocked();
        }

        /// <summary>Stops the run with the engine's error; the alerts of the failed call are dropped.</summary>
        protected void FailLocked(Exception error)
        {
            _pending.Clear();
            StopLocked();
            _observer.OnError(error);
        }

        /// <summary>Hands the alerts of the last engine call to the observer.</summary>
        protected void ForwardLocked()
        {
            if (_pending.Count == 0)
                return;
            try
            {
                foreach (var alert in _pending)
                {
                    if (Stopped)
                        break;
                    _observer.OnNext(alert);
                }
            }
            finally
            {
                _pending.Clear();
            }
        }

        protected virtual void OnStopped()
        {
        }

        private void StopLocked()
        {
            if (_stopped)
                return;
            _stopped = true;
            OnStopped();
            Engine.Dispose();
        }
    }

    /// <summary>A single stream: each interaction is offered to the engine as partition 0.</summary>
    private sealed class StreamRun(CompiledRuleSet compiled, IObserver<Alert> observer, RuleEngineOptions? options)
        : DetectionRun(compiled, observer, WithSharedMeter(options)), IObserver<Interaction>
    {
        // No gate per event: the source's notifications are serialized by the Rx contract and nothing else touches the
        // engine's state. A disposal racing with the last notification only marks the engine disposed (it owns no
        // meter, see SharedMeter); an error that race causes is dropped, as the run is stopped.
        public void OnNext(Interaction value)
        {
            if (Stopped)
                return;
            try
            {
                Engine.Offer(value);
            }
            catch (Exception ex)
            {
                OnError(ex);
                return;
            }
            ForwardLocked();
        }
    }

    /// <summary>A partitioned source: partition events steer the watermark, and a timer on the scheduler polls idle partitions.</summary>
    private sealed class PartitionedRun : DetectionRun, IObserver<InteractionSourceEvent>
    {
        private readonly IScheduler _scheduler;
        private readonly TimeProvider _clock;
        private readonly Dictionary<int, long> _committed = [];
        private IDisposable? _timer;
        private long _timerDueAt;

        public PartitionedRun(CompiledRuleSet compiled, IObserver<Alert> observer, RuleEngineOptions? options, IScheduler scheduler)
            : this(compiled, observer, options, scheduler, new SchedulerClock(scheduler))
        {
        }

        private PartitionedRun(CompiledRuleSet compiled, IObserver<Alert> observer, RuleEngineOptions? options, IScheduler scheduler, SchedulerClock clock)
            : base(compiled, observer, WithClock(options, clock))
        {
            _scheduler = scheduler;
            _clock = clock;
        }

        public void OnNext(InteractionSourceEvent value)
        {
            lock (Gate)
            {
                if (Stopped)
                    return;
                try
                {
                    Apply(value);
                }
                catch (Exception ex)
                {
                    FailLocked(ex);
                    return;
                }
                ForwardLocked();
                ArmTimerLocked();
            }
        }

        protected override void OnStopped()
        {
            _timer?.Dispose();
            _timer = null;
        }

        private void Apply(in InteractionSourceEvent e)
        {
            switch (e.Kind)
            {
                case InteractionSourceEventKind.Record:
                    bool warmUp = _committed.TryGetValue(e.Partition, out long committed) && e.Offset < committed;
                    Engine.Offer(new PartitionedInteraction(e.Interaction!, e.Partition, e.Offset, warmUp));
                    break;
                case InteractionSourceEventKind.DeadLettered:
                    break;
                case InteractionSourceEventKind.PartitionAssigned:
                    _committed[e.Partition] = e.CommittedOffset;
                    Engine.AddPartition(e.Partition);
                    break;
                case InteractionSourceEventKind.PartitionRevoked:
                case InteractionSourceEventKind.PartitionLost:
                    _committed.Remove(e.Partition);
                    Engine.RemovePartition(e.Partition);
                    break;
                case InteractionSourceEventKind.PartitionCaughtUp:
                    Engine.MarkCaughtUp(e.Partition);
                    break;
                case InteractionSourceEventKind.PartitionActive:
                    Engine.MarkHasData(e.Partition);
                    break;
                case InteractionSourceEventKind.Progress:
                    Engine.Advance(e.Partition, e.Timestamp);
                    break;
                case InteractionSourceEventKind.EndOfInput:
                    break; // the sequence's completion, which follows, evaluates the held events
                default:
                    throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "Unknown source event kind.");
            }
        }

        private void OnTimer()
        {
            lock (Gate)
            {
                _timer = null;
                if (Stopped)
                    return;
                try
                {
                    Engine.Poll();
                }
                catch (Exception ex)
                {
                    FailLocked(ex);
                    return;
                }
                ForwardLocked();
                ArmTimerLocked();
            }
        }

        /// <summary>Schedules a poll for when the next caught-up partition turns idle, unless one is due sooner already.</summary>
        private void ArmTimerLocked()
        {
            if (Stopped || Engine.GetTimeUntilIdle() is not { } due)
                return;
            long dueAt = _clock.GetTimestamp() + due.Ticks;
            if (_timer is not null && _timerDueAt <= dueAt)
                return;
            _timer?.Dispose();
            _timerDueAt = dueAt;
            _timer = _scheduler.Schedule(this, due, static (_, run) =>
            {
                run.OnTimer();
                return Disposable.Empty;
            });
        }
    }
}
