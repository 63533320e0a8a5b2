using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Extensions.Time.Testing;
using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

public class AlertDetectionTests
{
    private static readonly RuleSet Every = Set(new Rule("Every"));

    [Fact]
    public void DetectAlerts_GivesTheAlertsOfTheEngine()
    {
        var sorted = Streams.Sorted(11, count: 1500);
        var rules = Streams.Rules();
        var expected = Events.Evaluate(rules, sorted);
        var random = new Random(11);
        var shuffled = sorted.Select(e => (e, at: e.StartTime.AddSeconds(random.NextDouble() * 4.9))).OrderBy(x => x.at).Select(x => x.e).ToList();
        Assert.NotEqual(sorted, shuffled);

        var alerts = new List<Alert>();
        bool completed = false;
        using (shuffled.ToObservable().DetectAlerts(rules).Subscribe(alerts.Add, () => completed = true))
        {
        }
        Assert.True(completed);
        Assert.Equal(expected, alerts);
    }

    [Fact]
    public void DetectAlerts_HoldsEventsUntilTheWatermarkOrCompletion()
    {
        var source = new Subject<Interaction>();
        var alerts = new List<Alert>();
        bool completed = false;
        using var subscription = source.DetectAlerts(Every).Subscribe(alerts.Add, () => completed = true);
        source.OnNext(Events.At(0, id: "a"));
        source.OnNext(Events.At(3, id: "b"));
        Assert.Empty(alerts);
        source.OnNext(Events.At(8, id: "c"));
        Assert.Equal(["a", "b"], alerts.Select(a => a.InteractionId));
        source.OnCompleted();
        Assert.Equal(["a", "b", "c"], alerts.Select(a => a.InteractionId));
        Assert.True(completed);
    }

    [Fact]
    public void DetectAlerts_PropagatesSourceErrors()
    {
        var failure = new InvalidOperationException("broken source");
        Exception? received = null;
        var alerts = new List<Alert>();
        Observable.Return(Events.At(0)).Concat(Observable.Throw<Interaction>(failure))
            .DetectAlerts(Every)
            .Subscribe(alerts.Add, ex => received = ex);
        Assert.Same(failure, received);
        Assert.Empty(alerts); // the held event is dropped with the error
    }

    [Fact]
    public void DetectAlerts_ReportsEngineErrorsAsOnError()
    {
        var source = new Subject<Interaction>();
        Exception? received = null;
        using var subscription = source.DetectAlerts(Every, new RuleEngineOptions
        {
            AllowedLateness = TimeSpan.Zero,
            OnLateEvent = _ => throw new InvalidOperationException("reporting failed"),
        }).Subscribe(_ => { }, ex => received = ex);
        source.OnNext(Events.At(10, id: "b"));
        source.OnNext(Events.At(0, id: "a"));
        Assert.Equal("reporting failed", Assert.IsType<InvalidOperationException>(received).Message);
        source.OnNext(Events.At(20)); // ignored after the error
    }

    [Fact]
    public void DetectAlerts_StopsWhenDisposed()
    {
        var source = new Subject<Interaction>();
        var alerts = new List<Alert>();
        var subscription = source.DetectAlerts(Every, new RuleEngineOptions { AllowedLateness = TimeSpan.Zero }).Subscribe(alerts.Add);
        source.OnNext(Events.At(0));
        Assert.Single(alerts);
        subscription.Dispose();
        Assert.False(source.HasObservers);
        source.OnNext(Events.At(1));
        Assert.Single(alerts);
    }

    [Fact]
    public void DetectAlerts_EachSubscriptionHasItsOwnState()
    {
        var rules = Set(new Rule("Pair", window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2))));
        var events = new[] { Events.At(0), Events.At(1) }.ToObservable();
        var detect = events.DetectAlerts(rules);
        var first = new List<Alert>();
        var second = new List<Alert>();
        detect.Subscribe(first.Add);
        detect.Subscribe(second.Add);
        Assert.Single(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void DetectAlerts_ReportsToTheCallStreamMeter()
    {
        // Single-stream subscriptions share one process-wide CallStream meter unless given a factory: the instruments
        // and their tags are the engine's.
        string rule = "MeterProbe" + Guid.NewGuid().ToString("N");
        long alerts = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "CallStream" && instrument.Name == "callstream.rules.alerts")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "rule" && Equals(tag.Value, rule))
                    Interlocked.Add(ref alerts, value);
            }
        });
        listener.Start();

        using (new[] { Events.At(0), Events.At(1), Events.At(2) }.ToObservable().DetectAlerts(Set(new Rule(rule))).Subscribe(_ => { }))
        {
        }

        Assert.Equal(3, Interlocked.Read(ref alerts));
    }

    [Fact]
    public void DetectAlerts_Partitioned_WaitsForEveryPartitionUntilIdle_InVirtualTime()
    {
        var scheduler = new HistoricalScheduler();
        var source = new Subject<InteractionSourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(Every, options: null, scheduler).Subscribe(alerts.Add);
        source.OnNext(Assigned(0));
        source.OnNext(Assigned(1));
        source.OnNext(Record(0, 0, Events.At(0, id: "p0a")));
        source.OnNext(Record(0, 1, Events.At(30, id: "p0b")));
        Assert.Empty(alerts);                                   // partition 1 has delivered nothing
        source.OnNext(InteractionSourceEvent.PartitionCaughtUp(1, endOffset: 0));
        scheduler.AdvanceBy(TimeSpan.FromMilliseconds(999));
        Assert.Empty(alerts);
        scheduler.AdvanceBy(TimeSpan.FromMilliseconds(1));      // the idle timer fires on the scheduler: watermark 25
        Assert.Equal(["p0a"], alerts.Select(a => a.InteractionId));
        source.OnNext(InteractionSourceEvent.PartitionActive(1, "new record"));
        source.OnNext(Record(0, 2, Events.At(40, id: "p0c")));
        Assert.Single(alerts);                                  // partition 1 holds again, at nothing delivered
        source.OnNext(Record(1, 0, Events.At(36, id: "p1a")));
        Assert.Equal(["p0a", "p0b"], alerts.Select(a => a.InteractionId));  // watermark min(40, 36) - 5 = 31
        source.OnCompleted();
        Assert.Equal(["p0a", "p0b", "p1a", "p0c"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_EndOfInputOfABoundedSource_IsNotAnError_AndTheCompletionEvaluatesTheHeldEvents()
    {
        var scheduler = new HistoricalScheduler();
        var source = new Subject<InteractionSourceEvent>();
        var alerts = new List<Alert>();
        Exception? failure = null;
        using var subscription = source.DetectAlerts(Every, options: null, scheduler).Subscribe(alerts.Add, e => failure = e);
        source.OnNext(Assigned(0));
        source.OnNext(Record(0, 0, Events.At(0, id: "a")));
        source.OnNext(Record(0, 1, Events.At(1, id: "b")));
        source.OnNext(InteractionSourceEvent.EndOfInput());
        Assert.Null(failure);
        source.OnCompleted();
        Assert.Null(failure);
        Assert.Equal(["a", "b"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_IdleTimeoutIsMeasuredOnTheScheduler()
    {
        // An hour of virtual time passes in one call: the timer and the engine's clock are the scheduler's, so a long
        // idle timeout needs no waiting, and a partition that turned active before it elapsed keeps holding.
        var scheduler = new HistoricalScheduler();
        var source = new Subject<InteractionSourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(Every, new RuleEngineOptions { IdleTimeout = TimeSpan.FromMinutes(30) }, scheduler)
            .Subscribe(alerts.Add);
        source.OnNext(Assigned(0));
        source.OnNext(Assigned(1));
        source.OnNext(Record(0, 0, Events.At(0, id: "a")));
        source.OnNext(Record(0, 1, Events.At(60, id: "b")));
        source.OnNext(InteractionSourceEvent.PartitionCaughtUp(1, endOffset: 0));
        scheduler.AdvanceBy(TimeSpan.FromMinutes(20));
        source.OnNext(InteractionSourceEvent.PartitionActive(1, "new record"));
        scheduler.AdvanceBy(TimeSpan.FromMinutes(20));
        Assert.Empty(alerts);                                   // active again before it was idle
        source.OnNext(InteractionSourceEvent.PartitionCaughtUp(1, endOffset: 0));
        scheduler.AdvanceBy(TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1));
        Assert.Empty(alerts);
        scheduler.AdvanceBy(TimeSpan.FromTicks(1));
        Assert.Equal(["a"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_DisposedSubscriptionCancelsItsTimer()
    {
        var scheduler = new HistoricalScheduler();
        var source = new Subject<InteractionSourceEvent>();
        var alerts = new List<Alert>();
        var subscription = source.DetectAlerts(Every, options: null, scheduler).Subscribe(alerts.Add);
        source.OnNext(Assigned(1));
        source.OnNext(Record(0, 0, Events.At(0, id: "a")));
        source.OnNext(Record(0, 1, Events.At(30, id: "b")));
        source.OnNext(InteractionSourceEvent.PartitionCaughtUp(1, endOffset: 0));
        subscription.Dispose();
        scheduler.AdvanceBy(TimeSpan.FromMinutes(1));
        Assert.Empty(alerts);
        Assert.False(source.HasObservers);
    }

    [Fact]
    public void DetectAlerts_Partitioned_RevokedPartitionStopsHolding()
    {
        var source = new Subject<InteractionSourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(Every, new RuleEngineOptions { AllowedLateness = TimeSpan.Zero }).Subscribe(alerts.Add);
        source.OnNext(Assigned(1));
        source.OnNext(Record(0, 0, Events.At(5, id: "a")));
        Assert.Empty(alerts);
        source.OnNext(InteractionSourceEvent.PartitionRevoked(1));
        Assert.Equal(["a"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_LostPartitionStopsHolding()
    {
        var source = new Subject<InteractionSourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(Every, new RuleEngineOptions { AllowedLateness = TimeSpan.Zero }).Subscribe(alerts.Add);
        source.OnNext(Assigned(1));
        source.OnNext(Record(0, 0, Events.At(5, id: "a")));
        Assert.Empty(alerts);
        source.OnNext(InteractionSourceEvent.PartitionLost(1));
        Assert.Equal(["a"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_RecordsBeforeTheCommittedOffsetWarmUpWithoutAlerting()
    {
        // Re-read records (before the group's committed offset) were evaluated by the partition's previous owner: they
        // rebuild window state but do not alert again.
        var rules = Set(new Rule("Pair", window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2))));
        var source = new Subject<InteractionSourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(rules).Subscribe(alerts.Add);
        source.OnNext(InteractionSourceEvent.PartitionAssigned(0, startOffset: 0, committedOffset: 1));
        source.OnNext(Record(0, 0, Events.At(0, id: "old")));
        source.OnNext(Record(0, 1, Events.At(1, id: "new")));
        source.OnCompleted();
        Assert.Equal(["new"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_SkipsDeadLetteredRecords()
    {
        var source = new Subject<InteractionSourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(Every).Subscribe(alerts.Add);
        source.OnNext(Assigned(0));
        source.OnNext(InteractionSourceEvent.DeadLettered(0, 0, DateTimeOffset.UnixEpoch, "not JSON"));
        source.OnNext(Record(0, 1, Events.At(1, id: "good")));
        source.OnCompleted();
        Assert.Equal(["good"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_InterleavingsGiveTheSortedAlerts()
    {
        var sorted = Streams.Sorted(12, count: 1500);
        var rules = Streams.Rules();
        var expected = Events.Evaluate(rules, sorted);
        var partitions = Streams.Partition(sorted, 3);
        var offsets = new long[3];
        var notifications = Enumerable.Range(0, 3).Select(p => Assigned(p))
            .Concat(Streams.Interleave(partitions, 99).Select(e => Record(e.Partition, offsets[e.Partition]++, e.Interaction)));
        var alerts = new List<Alert>();
        notifications.ToObservable().DetectAlerts(rules).Subscribe(alerts.Add);
        Assert.Equal(expected, alerts);
    }

    [Fact]
    public void DetectAlerts_Partitioned_ReportsEvaluatedRecordsForCheckpoints()
    {
        var evaluated = new List<(int, long)>();
        var events = new[] { Assigned(0), Record(0, 7, Events.At(0)), Record(0, 8, Events.At(1)) };
        events.ToObservable()
            .DetectAlerts(Every, new RuleEngineOptions { OnEventEvaluated = e => evaluated.Add((e.Partition, e.Offset)) })
            .Subscribe(_ => { });
        Assert.Equal([(0, 7L), (0, 8L)], evaluated);
    }

    [Fact]
    public void DetectAlerts_ChecksArgumentsEagerly()
    {
        IObservable<Interaction> interactions = Observable.Empty<Interaction>();
        IObservable<InteractionSourceEvent> partitioned = Observable.Empty<InteractionSourceEvent>();
        Assert.Throws<ArgumentNullException>(() => ((IObservable<Interaction>)null!).DetectAlerts(Every));
        Assert.Throws<ArgumentNullException>(() => interactions.DetectAlerts(null!));
        Assert.Throws<ArgumentNullException>(() => ((IObservable<InteractionSourceEvent>)null!).DetectAlerts(Every));
        Assert.Throws<ArgumentNullException>(() => partitioned.DetectAlerts(null!));
        Assert.Throws<ArgumentNullException>(() => partitioned.DetectAlerts(Every, null, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => interactions.DetectAlerts(Every, new RuleEngineOptions { IdleTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<RuleValidationException>(() => partitioned.DetectAlerts(Set(new Rule("Bad", where: Eq(ChannelField, Str("fax"))))));
        var clock = Assert.Throws<ArgumentException>(() => partitioned.DetectAlerts(Every, new RuleEngineOptions { TimeProvider = new FakeTimeProvider() }));
        Assert.Contains("IScheduler", clock.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithClock_CarriesEveryOptionButTheClock()
    {
        // The partitioned operator copies the caller's options to swap in the scheduler's clock: a property added to
        // the options later must be copied too, or it is silently ignored by DetectAlerts.
        var options = new RuleEngineOptions
        {
            AllowedLateness = TimeSpan.FromSeconds(7),
            IdleTimeout = TimeSpan.FromSeconds(3),
            OnLateEvent = _ => { },
            MeterFactory = new TestMeterFactory(),
            OnEventEvaluated = _ => { },
            DuplicateHorizon = TimeSpan.FromMinutes(2),
            OnDuplicateEvent = _ => { },
        };
        var clock = new FakeTimeProvider();
        var copy = AlertDetection.WithClock(options, clock);
        Assert.Same(clock, copy.TimeProvider);
        foreach (var property in typeof(RuleEngineOptions).GetProperties().Where(p => p.CanWrite && p.Name != nameof(RuleEngineOptions.TimeProvider)))
            Assert.Equal(property.GetValue(options), property.GetValue(copy));
        Assert.All(typeof(RuleEngineOptions).GetProperties().Where(p => p.CanWrite), p => Assert.NotNull(p.GetValue(options)));
    }

    private static InteractionSourceEvent Assigned(int partition) => InteractionSourceEvent.PartitionAssigned(partition, startOffset: -1, committedOffset: -1);

    private static InteractionSourceEvent Record(int partition, long offset, Interaction interaction) =>
        InteractionSourceEvent.Record(partition, offset, interaction.StartTime, interaction);

    private sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
