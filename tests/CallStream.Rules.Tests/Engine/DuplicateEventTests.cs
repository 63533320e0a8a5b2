using System.Diagnostics.Metrics;
using System.Reactive.Linq;
using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>An interaction id seen again is the same interaction sent again: dropped before the rules, counted, remembered within a horizon.</summary>
public class DuplicateEventTests
{
    private static readonly Rule ThreeInTenMinutes = new(
        "ThreeInTenMinutes", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromMinutes(10)), having: Ge(CountAll, Num(3)));

    private static readonly Rule ThreeInAnHour = new(
        "ThreeInAnHour", groupBy: Field.CustomerId, window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(3)));

    private static readonly Rule Failed = new("Failed", where: Eq(OutcomeField, Str("failed")));

    /// <summary>A copy of an interaction as a producer sends it again: equal, but another object.</summary>
    private static Interaction Copy(Interaction e, DateTimeOffset? startTime = null, Outcome? outcome = null, double? duration = null) =>
        new(e.InteractionId, e.CustomerId, e.AgentId, e.Channel, startTime ?? e.StartTime, duration ?? e.DurationSeconds, outcome ?? e.Outcome, e.Satisfaction, e.Attributes);

    [Theory]
    [InlineData("sliding")]
    [InlineData("tumbling")]
    public void SameInteractionTwice_CountsOnceInAWindow(string window)
    {
        var rule = window == "sliding" ? ThreeInTenMinutes : ThreeInAnHour;
        var a = Events.At(60, id: "a");
        var b = Events.At(120, id: "b");
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(Set(rule), alerts.Add);
        // Counted twice, "b" would make three contacts of c1 in the window.
        foreach (var e in new[] { a, b, Copy(b) })
            engine.Offer(e);
        engine.Complete();

        Assert.Empty(alerts);
        var stats = engine.GetStatistics();
        Assert.Equal(3, stats.EventsOffered);
        Assert.Equal(2, stats.EventsEvaluated);
        Assert.Equal(1, stats.DuplicateEvents);
        Assert.Equal(1, engine.DuplicateEvents);
        Assert.Equal(0, stats.LateEvents);

        // A third contact that is not a copy does raise the alert: the window counts, the copy does not.
        var withThird = Events.RunEngine(Set(rule), [a, b, Copy(b), Events.At(180, id: "c")]);
        Assert.Equal("c", Assert.Single(withThird).InteractionId);
    }

    [Fact]
    public void SameInteractionTwice_AlertsOnce()
    {
        var failed = Events.At(10, id: "f", outcome: Outcome.Failed);
        var alerts = Events.RunEngine(Set(Failed), [failed, Events.At(11, id: "g"), Copy(failed)]);
        Assert.Equal("f", Assert.Single(alerts).InteractionId);
    }

    [Fact]
    public void CopiesInAPartitionCatchingUpFarBehind_AreDroppedToo()
    {
        // Partition 1 is assigned after partition 0 is hours ahead, beyond the duplicate horizon: its events are released
        // in order behind the newest one, and a copy among them (a record written twice upstream) is still recognised.
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(Set(Failed), alerts.Add, new RuleEngineOptions { DuplicateHorizon = TimeSpan.FromMinutes(10) });
        engine.AddPartition(0);
        engine.Offer(new PartitionedInteraction(Events.At(10_000, id: "ahead"), 0));
        engine.Offer(new PartitionedInteraction(Events.At(10_001, id: "ahead2"), 0));
        engine.AddPartition(1);
        var failed = Events.At(10, id: "f", outcome: Outcome.Failed);
        engine.Offer(new PartitionedInteraction(failed, 1));
        engine.Offer(new PartitionedInteraction(Events.At(11, id: "g"), 1));
        engine.Offer(new PartitionedInteraction(Copy(failed), 1));
        engine.Complete();
        Assert.Equal("f", Assert.Single(alerts).InteractionId);
        Assert.Equal(1, engine.DuplicateEvents);
        Assert.Equal(0, engine.LateEvents);
    }

    [Fact]
    public void CopiesWithDifferentStartTimes_TheEarlierIsEvaluatedWhicheverArrivesFirst()
    {
        var early = Events.At(10, id: "x", outcome: Outcome.Failed);
        var later = Copy(early, startTime: Events.Time(12), outcome: Outcome.Resolved);
        foreach (var arrivals in new[] { new[] { early, later }, new[] { later, early } })
        {
            var alerts = new List<Alert>();
            using var engine = new RuleEngine(Set(Failed), alerts.Add);
            foreach (var e in arrivals)
                engine.Offer(e);
            engine.Complete();
            var alert = Assert.Single(alerts);
            Assert.Equal(Events.Time(10), alert.TriggeredAt);
            Assert.Equal(1, engine.DuplicateEvents);
        }
    }

    [Fact]
    public void CopiesAtTheSameInstantWithDifferentContent_TheSameCopyWinsInEveryArrivalOrderAndPartition()
    {
        var longCall = new Rule("LongCall", where: Gt(Duration, Num(100)));
        var shortCopy = Events.At(10, id: "x", duration: 50);
        var longCopy = Copy(shortCopy, duration: 200);
        foreach (var (first, second) in new[] { (shortCopy, longCopy), (longCopy, shortCopy) })
        {
            foreach (var partitions in new[] { (0, 0), (0, 1), (1, 0) })
            {
                var alerts = new List<Alert>();
                var dropped = new List<Interaction>();
                using var engine = new RuleEngine(Set(longCall), alerts.Add, new RuleEngineOptions { OnDuplicateEvent = e => dropped.Add(e.Interaction) });
                engine.AddPartition(0);
                engine.AddPartition(1);
                engine.Offer(new PartitionedInteraction(first, partitions.Item1));
                engine.Offer(new PartitionedInteraction(second, partitions.Item2));
                engine.Offer(new PartitionedInteraction(Events.At(100, id: "y"), 0));
                engine.Offer(new PartitionedInteraction(Events.At(100, id: "z"), 1));
                // The copies are ordered by content (here the duration): the 50 s one is evaluated, the 200 s one dropped.
                Assert.Same(longCopy, Assert.Single(dropped));
                Assert.Empty(alerts);
                Assert.Equal(1, engine.DuplicateEvents);
                Assert.Equal(0, engine.LateEvents);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Duplicates_InAnyInterleaving_GiveTheAlertsOfTheStreamWithoutThem(int seed)
    {
        var sorted = Streams.Sorted(seed);
        var rules = Streams.Rules();
        var expected = Events.Evaluate(rules, sorted);
        var random = new Random(seed);
        var copies = sorted.Where(_ => random.NextDouble() < 0.1).Select(e => Copy(e)).ToList();
        Assert.True(copies.Count > 200);

        // A file: each copy a few rows after its original (well within the lateness, whole seconds apart at most 3).
        var file = new List<Interaction>(sorted);
        foreach (var copy in copies)
        {
            int at = file.FindIndex(e => e.InteractionId == copy.InteractionId);
            file.Insert(Math.Min(file.Count, at + 1 + random.Next(0, 3)), copy);
        }
        var fileEngineAlerts = new List<Alert>();
        using (var engine = new RuleEngine(rules, fileEngineAlerts.Add))
        {
            foreach (var e in file)
                engine.Offer(e);
            engine.Complete();
            Assert.Equal(expected, fileEngineAlerts);
            Assert.Equal(copies.Count, engine.DuplicateEvents);
            Assert.Equal(sorted.Count, engine.GetStatistics().EventsEvaluated);
        }

        // Partitions: the originals by customer over four partitions, the copies on a fifth, interleaved at random.
        var partitions = Streams.Partition(sorted, 4).Append(copies).ToArray();
        var alerts = new List<Alert>();
        using var partitioned = new RuleEngine(rules, alerts.Add);
        for (int p = 0; p < partitions.Length; p++)
            partitioned.AddPartition(p);
        foreach (var item in Streams.Interleave(partitions, seed * 7))
            partitioned.Offer(item);
        partitioned.Complete();
        Assert.Equal(0, partitioned.LateEvents);
        Assert.Equal(expected, alerts);
        Assert.Equal(copies.Count, partitioned.DuplicateEvents);
    }

    [Fact]
    public void WarmUpEvents_AreRemembered_SoACopyReadAfterARestartIsADuplicate()
    {
        var failed = Events.At(10, id: "f", outcome: Outcome.Failed);
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(Set(Failed), alerts.Add);
        engine.Offer(new PartitionedInteraction(failed, 0, 0, WarmUp: true));
        engine.Offer(new PartitionedInteraction(Copy(failed), 0, 1));
        engine.Complete();
        Assert.Empty(alerts);
        Assert.Equal(1, engine.DuplicateEvents);
    }

    [Fact]
    public void Duplicates_AreReportedToTheCallbacksAndTheMeter()
    {
        using var factory = new TestMeterFactory();
        long measured = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (factory.Created.Contains(instrument.Meter) && instrument.Name == "callstream.rules.duplicate_events")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref measured, value));
        listener.Start();

        var a = Events.At(1, id: "a");
        var copy = Copy(a);
        var duplicates = new List<PartitionedInteraction>();
        var done = new List<(string Id, bool Duplicate)>();
        using var engine = new RuleEngine(Set(new Rule("Every")), _ => { }, new RuleEngineOptions
        {
            MeterFactory = factory,
            OnDuplicateEvent = duplicates.Add,
            OnEventEvaluated = e => done.Add((e.Interaction.InteractionId, duplicates.Count > 0 && ReferenceEquals(duplicates[^1].Interaction, e.Interaction))),
        });
        engine.Offer(new PartitionedInteraction(a, 0, 7));
        engine.Offer(new PartitionedInteraction(copy, 0, 8));
        engine.Complete();

        // The dropped copy is done too (a checkpoint must move past its offset), after OnDuplicateEvent told of it.
        Assert.Equal(8, Assert.Single(duplicates).Offset);
        Assert.Equal([("a", false), ("a", true)], done);
        Assert.Equal(1, measured);
    }

    [Fact]
    public void RememberedIds_AreForgottenOnceTheHorizonHasPassed()
    {
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(Set(Failed), alerts.Add, new RuleEngineOptions { DuplicateHorizon = TimeSpan.FromMinutes(10), AllowedLateness = TimeSpan.Zero });
        Assert.Equal(TimeSpan.FromMinutes(10), engine.DuplicateHorizon);
        // One interaction a second for five hours of event time.
        for (int i = 0; i < 5 * 3600; i++)
            engine.Offer(Events.At(i, id: "i" + i));
        // The ids of the last ten minutes (600 s back from the newest, both ends in) and no more.
        Assert.Equal(601, engine.GetStatistics().RememberedIds);
        engine.Complete();
        Assert.Equal(601, engine.GetStatistics().RememberedIds);
    }

    [Fact]
    public void LateCopy_WithinTheHorizonIsADuplicate_BeyondItIsALateEvent()
    {
        var first = Events.At(0, id: "first", outcome: Outcome.Failed);
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(Set(Failed), alerts.Add, new RuleEngineOptions { DuplicateHorizon = TimeSpan.FromSeconds(60), AllowedLateness = TimeSpan.Zero });
        engine.Offer(first);
        engine.Offer(Events.At(60, id: "b"));
        engine.Offer(Copy(first)); // late, 60 s behind: still remembered
        Assert.Equal(1, engine.DuplicateEvents);
        Assert.Equal(1, engine.LateEvents);
        engine.Offer(Events.At(61, id: "c"));
        engine.Offer(Copy(first)); // late, 61 s behind: forgotten, so evaluated as any late event
        engine.Complete();
        Assert.Equal(1, engine.DuplicateEvents);
        Assert.Equal(2, engine.LateEvents);
        Assert.Equal(["first", "first"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void ZeroHorizon_StillDropsACopyAtTheSameInstant()
    {
        var alerts = Events.RunEngine(
            Set(Failed),
            [Events.At(5, id: "x", outcome: Outcome.Failed), Events.At(5, id: "x", outcome: Outcome.Failed), Events.At(6, id: "y")],
            new RuleEngineOptions { DuplicateHorizon = TimeSpan.Zero, AllowedLateness = TimeSpan.Zero });
        Assert.Single(alerts);
    }

    [Fact]
    public void DefaultHorizon_IsTheLargestWindowPlusSuppressionPlusTheLateness()
    {
        using var defaults = new RuleEngine(DefaultRuleSet(), _ => { });
        // AgentFailureRate's day beats RepeatedFailures' hour + hour and LowSatisfactionStreak's 2 h + 2 h.
        Assert.Equal(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(5), defaults.DuplicateHorizon);
        using var perEvent = new RuleEngine(Set(Failed), _ => { }, new RuleEngineOptions { AllowedLateness = TimeSpan.FromSeconds(2) });
        Assert.Equal(TimeSpan.FromSeconds(2), perEvent.DuplicateHorizon);
        Assert.Null(new RuleEngineOptions().DuplicateHorizon);
    }

    [Fact]
    public void NegativeHorizon_IsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RuleEngine(RuleSet.Empty, _ => { }, new RuleEngineOptions { DuplicateHorizon = TimeSpan.FromSeconds(-1) }));
        Assert.Equal("DuplicateHorizon", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Observable.Empty<Interaction>().DetectAlerts(RuleSet.Empty, new RuleEngineOptions { DuplicateHorizon = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public void DetectAlerts_DropsDuplicates()
    {
        var failed = Events.At(10, id: "f", outcome: Outcome.Failed);
        var alerts = new List<Alert>();
        using (new[] { failed, Copy(failed), Events.At(20, id: "g") }.ToObservable().DetectAlerts(Set(Failed)).Subscribe(alerts.Add))
        {
        }
        Assert.Equal("f", Assert.Single(alerts).InteractionId);
    }
}
