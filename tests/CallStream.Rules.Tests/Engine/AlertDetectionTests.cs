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
    public void DetectAlerts_Partitioned_WaitsForEveryPartitionUntilIdle()
    {
        var clock = new FakeTimeProvider();
        var source = new Subject<SourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(Every, new RuleEngineOptions { TimeProvider = clock }).Subscribe(alerts.Add);
        source.OnNext(SourceEvent.Assigned(0));
        source.OnNext(SourceEvent.Assigned(1));
        source.OnNext(SourceEvent.Of(Events.At(0, id: "p0a"), 0, offset: 0));
        source.OnNext(SourceEvent.Of(Events.At(30, id: "p0b"), 0, offset: 1));
        Assert.Empty(alerts);                         // partition 1 has delivered nothing
        source.OnNext(SourceEvent.CaughtUp(1));
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(alerts);
        clock.Advance(TimeSpan.FromMilliseconds(1));  // the idle timer fires: watermark 25
        Assert.Equal(["p0a"], alerts.Select(a => a.InteractionId));
        source.OnNext(SourceEvent.HasData(1));
        source.OnNext(SourceEvent.Of(Events.At(40, id: "p0c"), 0, offset: 2));
        Assert.Single(alerts);                        // partition 1 holds again, at nothing delivered
        source.OnNext(SourceEvent.Of(Events.At(36, id: "p1a"), 1, offset: 0));
        Assert.Equal(["p0a", "p0b"], alerts.Select(a => a.InteractionId));  // watermark min(40, 36) - 5 = 31
        source.OnCompleted();
        Assert.Equal(["p0a", "p0b", "p1a", "p0c"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_RevokedPartitionStopsHolding()
    {
        var source = new Subject<SourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(Every, new RuleEngineOptions { AllowedLateness = TimeSpan.Zero }).Subscribe(alerts.Add);
        source.OnNext(SourceEvent.Assigned(1));
        source.OnNext(SourceEvent.Of(Events.At(5, id: "a"), 0));
        Assert.Empty(alerts);
        source.OnNext(SourceEvent.Revoked(1));
        Assert.Equal(["a"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_WarmUpEventsDoNotAlert()
    {
        var source = new Subject<SourceEvent>();
        var alerts = new List<Alert>();
        using var subscription = source.DetectAlerts(Every).Subscribe(alerts.Add);
        source.OnNext(SourceEvent.Of(new PartitionedInteraction(Events.At(0, id: "old"), 0, 0, WarmUp: true)));
        source.OnNext(SourceEvent.Of(new PartitionedInteraction(Events.At(1, id: "new"), 0, 1)));
        source.OnCompleted();
        Assert.Equal(["new"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DetectAlerts_Partitioned_InterleavingsGiveTheSortedAlerts()
    {
        var sorted = Streams.Sorted(12, count: 1500);
        var rules = Streams.Rules();
        var expected = Events.Evaluate(rules, sorted);
        var partitions = Streams.Partition(sorted, 3);
        var notifications = Enumerable.Range(0, 3).Select(SourceEvent.Assigned)
            .Concat(Streams.Interleave(partitions, 99).Select(SourceEvent.Of));
        var alerts = new List<Alert>();
        notifications.ToObservable().DetectAlerts(rules).Subscribe(alerts.Add);
        Assert.Equal(expected, alerts);
    }

    [Fact]
    public void DetectAlerts_ChecksArgumentsEagerly()
    {
        IObservable<Interaction> interactions = Observable.Empty<Interaction>();
        IObservable<SourceEvent> partitioned = Observable.Empty<SourceEvent>();
        Assert.Throws<ArgumentNullException>(() => ((IObservable<Interaction>)null!).DetectAlerts(Every));
        Assert.Throws<ArgumentNullException>(() => interactions.DetectAlerts(null!));
        Assert.Throws<ArgumentNullException>(() => ((IObservable<SourceEvent>)null!).DetectAlerts(Every));
        Assert.Throws<ArgumentNullException>(() => partitioned.DetectAlerts(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => interactions.DetectAlerts(Every, new RuleEngineOptions { IdleTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Throws<RuleValidationException>(() => partitioned.DetectAlerts(Set(new Rule("Bad", where: Eq(ChannelField, Str("fax"))))));
    }

    [Fact]
    public void SourceEvent_FactoriesCheckArguments()
    {
        Assert.Throws<ArgumentNullException>(() => SourceEvent.Of(null!, 0));
        Assert.Throws<ArgumentException>(() => SourceEvent.Of(default(PartitionedInteraction)));
        var caughtUp = SourceEvent.CaughtUp(3);
        Assert.Equal(SourceEventKind.PartitionCaughtUp, caughtUp.Kind);
        Assert.Equal(3, caughtUp.Partition);
        var data = SourceEvent.Of(Events.At(0), 2, 9);
        Assert.Equal(SourceEventKind.Interaction, data.Kind);
        Assert.Equal(9, data.Item.Offset);
    }
}
