using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

public class RuleEngineTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PartitionInterleavings_GiveTheAlertsOfTheSortedStream(int seed)
    {
        var sorted = Streams.Sorted(seed);
        var rules = Streams.Rules();
        var expected = Events.Evaluate(rules, sorted);
        Assert.True(expected.Select(a => a.Rule).Distinct().Count() >= 6, "the stream should exercise most rules");

        var partitions = Streams.Partition(sorted, 4);
        foreach (int shuffle in new[] { 10, 20, 30 })
        {
            var alerts = new List<Alert>();
            using var engine = new RuleEngine(rules, alerts.Add);
            for (int p = 0; p < partitions.Length; p++)
                engine.AddPartition(p);
            foreach (var item in Streams.Interleave(partitions, seed * 100 + shuffle))
                engine.Offer(item);
            engine.Complete();
            Assert.Equal(0, engine.LateEvents);
            Assert.Equal(expected, alerts);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void OutOfOrderArrivalsWithinTheLateness_GiveTheAlertsOfTheSortedStream(int seed)
    {
        var sorted = Streams.Sorted(seed);
        var rules = Streams.Rules();
        var expected = Events.Evaluate(rules, sorted);
        var random = new Random(seed);
        // Each event arrives up to (just under) the allowed lateness after its start time.
        var arrivals = sorted.Select(e => (e, at: e.StartTime.AddTicks(random.NextInt64(0, TimeSpan.TicksPerSecond * 5)))).OrderBy(x => x.at).Select(x => x.e).ToList();
        Assert.NotEqual(sorted, arrivals);
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(rules, alerts.Add);
        foreach (var e in arrivals)
            engine.Offer(e);
        engine.Complete();
        Assert.Equal(0, engine.LateEvents);
        Assert.Equal(expected, alerts);
    }

    [Fact]
    public void LateEvents_AreCountedReportedAndStillEvaluated()
    {
        var late = new List<LateEvent>();
        var rules = Set(new Rule("Every"));
        var alerts = Events.RunEngine(rules, [Events.At(0, id: "a"), Events.At(100, id: "b"), Events.At(200, id: "c"), Events.At(1, id: "late")],
            new RuleEngineOptions { OnLateEvent = late.Add });
        // "late" sorts before "b", already released when it arrives: it is evaluated at once, out of order.
        Assert.Equal(["a", "b", "late", "c"], alerts.Select(a => a.InteractionId));
        Assert.Equal("late", Assert.Single(late).Event.Interaction.InteractionId);
    }

    [Fact]
    public void WarmUpEvents_RebuildStateWithoutAlerts()
    {
        var sorted = Streams.Sorted(7);
        var rules = Streams.Rules();
        var all = Events.Evaluate(rules, sorted);
        int half = sorted.Count / 2;
        var secondHalf = sorted.Skip(half).Select(e => e.InteractionId).ToHashSet();

        var alerts = new List<Alert>();
        using var engine = new RuleEngine(rules, alerts.Add);
        for (int i = 0; i < sorted.Count; i++)
            engine.Offer(new PartitionedInteraction(sorted[i], 0, i, WarmUp: i < half));
        engine.Complete();
        Assert.Equal(all.Where(a => secondHalf.Contains(a.InteractionId)), alerts);
        Assert.NotEmpty(alerts);
    }

    [Fact]
    public void EventEvaluated_IsReportedAfterItsAlerts()
    {
        var log = new List<string>();
        var rules = Set(new Rule("One", where: Eq(OutcomeField, Str("failed"))), new Rule("Two"));
        using var engine = new RuleEngine(rules, a => log.Add(a.Rule + ":" + a.InteractionId), new RuleEngineOptions
        {
            AllowedLateness = TimeSpan.Zero,
            OnEventEvaluated = e => log.Add("done:" + e.Interaction.InteractionId + "@" + e.Offset),
        });
        engine.Offer(new PartitionedInteraction(Events.At(0, id: "x", outcome: Outcome.Failed), 0, 7));
        engine.Offer(new PartitionedInteraction(Events.At(1, id: "y"), 0, 8));
        Assert.Equal(["One:x", "Two:x", "done:x@7", "Two:y", "done:y@8"], log);
    }

    [Fact]
    public void IdlePartition_IsPolledWithTheTimeProvider()
    {
        var clock = new FakeTimeProvider();
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(Set(new Rule("Every")), alerts.Add, new RuleEngineOptions { TimeProvider = clock, AllowedLateness = TimeSpan.Zero });
        engine.AddPartition(0);
        engine.AddPartition(1);
        engine.Offer(new PartitionedInteraction(Events.At(0, id: "a"), 0));
        engine.MarkCaughtUp(1);
        Assert.Empty(alerts);
        Assert.Equal(TimeSpan.FromSeconds(1), engine.GetTimeUntilIdle());
        clock.Advance(TimeSpan.FromSeconds(1));
        engine.Poll();
        Assert.Equal(["a"], alerts.Select(a => a.InteractionId));
        engine.MarkHasData(1);
        engine.Offer(new PartitionedInteraction(Events.At(5, id: "b"), 0));
        Assert.Single(alerts);
        engine.RemovePartition(1);
        Assert.Equal(["a", "b"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void Statistics_ReportEventsLateAlertsAndGroups()
    {
        var rules = Set(
            new Rule("Failed", where: Eq(OutcomeField, Str("failed"))),
            new Rule("PerCustomer", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2))));
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(rules, alerts.Add);
        engine.Offer(Events.At(0, customer: "x", outcome: Outcome.Failed));
        engine.Offer(Events.At(10, customer: "y"));
        engine.Offer(Events.At(20, customer: "x"));
        var before = engine.GetStatistics();
        Assert.Equal(3, before.EventsOffered);
        Assert.Equal(2, before.EventsEvaluated);
        Assert.Equal(1, before.HeldEvents);
        Assert.Equal(Events.Time(15), before.Watermark);
        engine.Offer(Events.At(5, customer: "x", outcome: Outcome.Failed)); // late: 10 was released
        engine.Complete();
        var stats = engine.GetStatistics();
        Assert.Equal(4, stats.EventsOffered);
        Assert.Equal(4, stats.EventsEvaluated);
        Assert.Equal(1, stats.LateEvents);
        Assert.Equal(0, stats.HeldEvents);
        Assert.Equal(2, stats.AlertsByRule["Failed"]);
        Assert.Equal(2, stats.AlertsByRule["PerCustomer"]);
        Assert.Equal(4, stats.Alerts);
        Assert.Equal(2, stats.Groups);
        Assert.Equal(["Failed", "PerCustomer"], stats.Rules.Select(r => r.Rule));
        Assert.Equal(4, stats.Rules[1].EventsTaken);
        Assert.Equal(alerts.Count, stats.Alerts);
    }

    [Fact]
    public void Metrics_CountEventsLateEventsAndAlertsByRuleAndSeverity()
    {
        using var factory = new TestMeterFactory();
        var measurements = new List<(string Name, long Value, string? Rule, string? Severity)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (factory.Created.Contains(instrument.Meter))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? rule = null;
            string? severity = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "rule")
                    rule = tag.Value as string;
                else if (tag.Key == "severity")
                    severity = tag.Value as string;
            }
            lock (measurements)
                measurements.Add((instrument.Name, value, rule, severity));
        });
        listener.Start();

        Events.RunEngine(Set(new Rule("Every")), [Events.At(0), Events.At(10), Events.At(1)],
            new RuleEngineOptions { MeterFactory = factory, AllowedLateness = TimeSpan.Zero });

        Assert.Equal(3, measurements.Where(m => m.Name == "callstream.rules.events").Sum(m => m.Value));
        Assert.Equal(1, measurements.Where(m => m.Name == "callstream.rules.late_events").Sum(m => m.Value));
        Assert.Equal(3, measurements.Where(m => m.Name == "callstream.rules.alerts" && m.Rule == "Every" && m.Severity == "warning").Sum(m => m.Value));
    }

    [Fact]
    public void Constructor_ChecksArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new RuleEngine(null!, _ => { }));
        Assert.Throws<ArgumentNullException>(() => new RuleEngine(RuleSet.Empty, (Action<Alert>)null!));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RuleEngine(RuleSet.Empty, _ => { }, new RuleEngineOptions { AllowedLateness = TimeSpan.FromSeconds(-5) }));
        Assert.Equal("AllowedLateness", ex.ParamName);
        Assert.Throws<RuleValidationException>(() => new RuleEngine(Set(new Rule("Bad", message: "{nope}")), _ => { }));
    }

    [Fact]
    public void Offer_ChecksArgumentsAndState()
    {
        var engine = new RuleEngine(RuleSet.Empty, _ => { });
        Assert.Throws<ArgumentNullException>(() => engine.Offer((Interaction)null!));
        Assert.Throws<ArgumentException>(() => engine.Offer(default(PartitionedInteraction)));
        engine.Complete();
        Assert.Throws<InvalidOperationException>(() => engine.Offer(Events.At(0)));
        engine.Dispose();
        Assert.Throws<ObjectDisposedException>(() => engine.Offer(Events.At(0)));
        Assert.Throws<ObjectDisposedException>(() => engine.Poll());
        Assert.Throws<ObjectDisposedException>(() => engine.Complete());
        Assert.Throws<ObjectDisposedException>(() => engine.MarkCaughtUp(0));
        engine.Dispose();
    }

    [Fact]
    public void Options_HaveDocumentedDefaults()
    {
        var options = new RuleEngineOptions();
        Assert.Equal(TimeSpan.FromSeconds(5), options.AllowedLateness);
        Assert.Equal(TimeSpan.FromSeconds(1), options.IdleTimeout);
        Assert.Null(options.MeterFactory);
        Assert.Null(options.OnEventEvaluated);
    }
}
