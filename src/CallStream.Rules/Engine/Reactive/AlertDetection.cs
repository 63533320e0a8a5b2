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
    /// completes, every held event is evaluated and the alerts complete.
    /// </summary>
    /// <param name="source">The interactions.</param>
    /// <param name="rules">The rules; compiled once, here.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// The alerts, in event-time order and per event in rule-set order. Each subscription runs its own engine.
    /// Errors of the source propagate (held events are dropped); disposing the subscription stops the work.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="rules"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine: more than 64 different conditions in its count() and rate() aggregates (type errors are caught earlier, by the <see cref="Rule"/> constructor).</exception>
    public static IObservable<Alert> DetectAlerts(this IObservable<Interaction> source, RuleSet rules, RuleEngineOptions? options = null) =>
        Detect(source, rules, options, static (engine, interaction) => engine.Offer(interaction));

    /// <summary>
    /// Detects alerts in the interactions of a partitioned source (Kafka): the events of all partitions are
    /// merged in event time with a watermark that waits for every partition that is not idle. The source reports
    /// partition assignments, revocations and "caught up" (end of partition for now) in the same stream; a caught-up
    /// partition stops holding the watermark after <see cref="EventOrderingOptions.IdleTimeout"/> of wall time,
    /// measured with <see cref="EventOrderingOptions.TimeProvider"/>.
    /// </summary>
    /// <param name="source">The interactions and partition signals.</param>
    /// <param name="rules">The rules; compiled once, here.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// The alerts, in event-time order and per event in rule-set order; events with
    /// <see cref="PartitionedInteraction.WarmUp"/> update state without alerting. Notifications are serialized
    /// (the idle timer and the source never overlap). Errors of the source propagate; disposing stops the work.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="rules"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine: more than 64 different conditions in its count() and rate() aggregates (type errors are caught earlier, by the <see cref="Rule"/> constructor).</exception>
    public static IObservable<Alert> DetectAlerts(this IObservable<SourceEvent> source, RuleSet rules, RuleEngineOptions? options = null) =>
        Detect(source, rules, options, Apply);

    /// <summary>Compiles the rules once and runs an engine per subscription, applying each notification of the source to it.</summary>
    private static IObservable<Alert> Detect<T>(IObservable<T> source, RuleSet rules, RuleEngineOptions? options, Action<RuleEngine, T> apply)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(rules);
        options?.Validate();
        var compiled = CompiledRuleSet.Compile(rules);
        return Observable.Create<Alert>(observer =>
        {
            var run = new DetectionRun(compiled, observer, options);
            var subscription = source.Subscribe(
                item => run.Handle(engine => apply(engine, item)),
                run.Fail,
                run.Finish);
            return new CompositeDisposable(subscription, run);
        });
    }

    private static void Apply(RuleEngine engine, SourceEvent notification)
    {
        switch (notification.Kind)
        {
            case SourceEventKind.Interaction:
                engine.Offer(notification.Item);
                break;
            case SourceEventKind.PartitionAssigned:
                engine.AddPartition(notification.Partition);
                break;
            case SourceEventKind.PartitionCaughtUp:
                engine.MarkCaughtUp(notification.Partition);
                break;
            case SourceEventKind.PartitionHasData:
                engine.MarkHasData(notification.Partition);
                break;
            case SourceEventKind.PartitionRevoked:
                engine.RemovePartition(notification.Partition);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(notification), notification.Kind, "Unknown source event kind.");
        }
    }

    /// <summary>
    /// One subscription's engine, serialized by a gate: source notifications and the idle timer take turns, and
    /// alerts are forwarded outside the engine's call so that an error in the engine becomes OnError while an
    /// exception thrown by the observer propagates to its caller, as in Rx operators.
    /// </summary>
    private sealed class DetectionRun : IDisposable
    {
        private readonly Lock _gate = new();
        private readonly IObserver<Alert> _observer;
        private readonly RuleEngine _engine;
        private readonly List<Alert> _pending = [];
        private readonly ITimer _timer;
        private bool _stopped;

        public DetectionRun(CompiledRuleSet compiled, IObserver<Alert> observer, RuleEngineOptions? options)
        {
            _observer = observer;
            options ??= new RuleEngineOptions();
            _engine = new RuleEngine(compiled, _pending.Add, options);
            _timer = options.TimeProvider.CreateTimer(static state => ((DetectionRun)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public void Handle(Action<RuleEngine> action)
        {
            lock (_gate)
            {
                if (_stopped)
                    return;
                try
                {
                    action(_engine);
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

        public void Fail(Exception error)
        {
            lock (_gate)
            {
                if (!_stopped)
                    FailLocked(error);
            }
        }

        public void Finish()
        {
            lock (_gate)
            {
                if (_stopped)
                    return;
                try
                {
                    _engine.Complete();
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
            lock (_gate)
                StopLocked();
        }

        private void OnTimer() => Handle(static engine => engine.Poll());

        private void ForwardLocked()
        {
            if (_pending.Count == 0)
                return;
            try
            {
                foreach (var alert in _pending)
                {
                    if (_stopped)
                        break;
                    _observer.OnNext(alert);
                }
            }
            finally
            {
                _pending.Clear();
            }
        }

        private void ArmTimerLocked()
        {
            if (_engine.GetTimeUntilIdle() is { } due)
                _timer.Change(due, Timeout.InfiniteTimeSpan);
        }

        private void FailLocked(Exception error)
        {
            _pending.Clear();
            StopLocked();
            _observer.OnError(error);
        }

        private void StopLocked()
        {
            if (_stopped)
                return;
            _stopped = true;
            _timer.Dispose();
            _engine.Dispose();
        }
    }
}
