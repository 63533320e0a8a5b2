using CallStream.Rules.Engine;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Time.Testing;
using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>
/// Rules evaluated on several threads (<see cref="RuleEngineOptions.EvaluationThreads"/>) hand over exactly what one
/// thread does: every callback, in the same order, with the same alerts, and the same statistics at every point.
/// </summary>
public class ShardedEvaluationTests
{
    public static TheoryData<string, int> RuleSetsAndSeeds => new()
    {
        { "streams", 1 },
        { "streams", 2 },
        { "default", 3 },
        { "long-windows", 4 },
        { "long-windows", 5 },
        { "suppressed", 6 },
        { "tumbling", 7 },
        { "per-event", 8 },
    };

    [Theory]
    [MemberData(nameof(RuleSetsAndSeeds))]
    public void EveryCallback_InTheSameOrderWithTheSameAlerts_AsOneThread(string rules, int seed)
    {
        var ruleSet = RuleSetNamed(rules);
        var script = Script(seed);
        var sequential = Run(ruleSet, threads: 1, script, EventTimeMode.Start);

        Assert.Contains(sequential, c => c.Alerts.Length > 0);
        Assert.Contains(sequential, c => c.Kind == "late");
        Assert.Contains(sequential, c => c.Duplicate);
        Assert.Contains(sequential, c => c.Item.WarmUp);
        foreach (int threads in new[] { 2, 3 })
            AssertSameJournal(sequential, Run(ruleSet, threads, script, EventTimeMode.Start), threads);
    }

    [Theory]
    [InlineData("streams", 11)]
    [InlineData("long-windows", 12)]
    public void EndEventTime_TheSameAsOneThread(string rules, int seed)
    {
        var ruleSet = RuleSetNamed(rules);
        var script = Script(seed);
        var sequential = Run(ruleSet, threads: 1, script, EventTimeMode.End);
        Assert.Contains(sequential, c => c.Alerts.Length > 0);
        AssertSameJournal(sequential, Run(ruleSet, threads: 2, script, EventTimeMode.End), 2);
        AssertSameJournal(sequential, Run(ruleSet, threads: 3, script, EventTimeMode.End), 3);
    }

    [Fact]
    public void AlertCallback_GetsTheSameAlertsInTheSameOrder()
    {
        var sorted = Streams.Sorted(21, count: 5000);
        var rules = Streams.Rules();
        var expected = Events.RunEngine(rules, sorted);
        var alerts = new List<Alert>();
        using (var engine = new RuleEngine(rules, alerts.Add, new RuleEngineOptions { EvaluationThreads = 2 }))
        {
            Assert.Equal(2, engine.EvaluationThreads);
            var items = sorted.Select((e, i) => new PartitionedInteraction(e, 0, i)).ToArray();
            for (int start = 0; start < items.Length; start += 700)
                engine.Offer(items.AsSpan(start, Math.Min(700, items.Length - start)));
            engine.Complete();
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected, alerts);
    }

    [Fact]
    public void ExceptionInAShard_SurfacesOnTheCaller_AndTheBatchIsNotDelivered()
    {
        var perEvent = new Rule("Failed", where: Eq(OutcomeField, Str("failed")));
        var windowed = new Rule("Busy", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(1000)));
        var rules = Set(perEvent, windowed);
        using var evaluator = new ShardedEvaluator(CompiledRuleSet.Compile(rules), 2, EventTimeMode.Start, new CountingDelivery());
        Assert.Equal(new[] { new[] { 0 }, new[] { 1 } }, evaluator.Shards.Select(s => s.ToArray()).ToArray());

        // The windowed rule (its own shard, on whichever thread claims it) hashes the group key: a null one throws there.
        var events = Enumerable.Range(0, 100).Select(i => Events.At(i, id: "x" + i.ToString("D3", CultureInfo.InvariantCulture))).ToArray();
        typeof(Interaction).GetField("<CustomerId>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(events[50], null);
        var handler = new Journal();
        using var engine = new RuleEngine(rules, handler, new RuleEngineOptions { EvaluationThreads = 2, AllowedLateness = TimeSpan.Zero });
        var items = events.Select((e, i) => new PartitionedInteraction(e, 0, i)).ToArray();

        var thrown = Assert.Throws<NullReferenceException>(() => engine.Offer(items));
        Assert.Contains(nameof(SlidingWindowRunner), thrown.StackTrace, StringComparison.Ordinal);
        Assert.Contains(nameof(ShardedEvaluator), thrown.StackTrace, StringComparison.Ordinal);
        Assert.Empty(handler.Calls); // the batch that failed is not delivered
    }

    [Fact]
    public void WorkerThreads_StartWithTheFirstLargeBatch_AndEndWithDispose()
    {
        var delivered = new CountingDelivery();
        var evaluator = new ShardedEvaluator(CompiledRuleSet.Compile(Streams.Rules()), 3, EventTimeMode.Start, delivered);
        Assert.Equal(3, evaluator.Threads);
        Assert.Equal(10, evaluator.Shards.Count); // up to four per thread, for whichever thread gets a core first, at most one per rule
        Assert.Equal(Enumerable.Range(0, Streams.Rules().Count), evaluator.Shards.SelectMany(s => s).Order());

        foreach (var e in Streams.Sorted(31, count: ShardedEvaluator.MinParallelEvents - 1))
            evaluator.Add(new PartitionedInteraction(e), e.StartTime.UtcTicks);
        evaluator.Flush();
        Assert.False(evaluator.HasLiveWorkers);
        Assert.Equal(ShardedEvaluator.MinParallelEvents - 1, delivered.Count);

        foreach (var e in Streams.Sorted(32, count: 500))
            evaluator.Add(new PartitionedInteraction(e), e.StartTime.UtcTicks);
        evaluator.Flush();
        Assert.True(evaluator.HasLiveWorkers);
        Assert.Equal(ShardedEvaluator.MinParallelEvents - 1 + 500, delivered.Count);

        evaluator.Dispose();
        Assert.False(evaluator.HasLiveWorkers);
    }

    [Fact]
    public void CallingTheEngineFromItsDelivery_IsRefused()
    {
        RuleEngine? engine = null;
        var handler = new Journal { OnCall = () => engine!.Offer(Events.At(99_999)) };
        engine = new RuleEngine(Streams.Rules(), handler, new RuleEngineOptions { EvaluationThreads = 2 });
        using (engine)
        {
            var items = Streams.Sorted(41, count: 200).Select(e => new PartitionedInteraction(e)).ToArray();
            Assert.Throws<InvalidOperationException>(() => engine.Offer(items));
        }
    }

    [Fact]
    public void Options_CheckEvaluationThreads()
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new RuleEngine(Streams.Rules(), _ => { }, new RuleEngineOptions { EvaluationThreads = -1 }));
        Assert.Contains("RuleEngineOptions.EvaluationThreads", thrown.Message, StringComparison.Ordinal);
        using var one = new RuleEngine(Set(new Rule("Failed", where: Eq(OutcomeField, Str("failed")))), _ => { }, new RuleEngineOptions { EvaluationThreads = 4 });
        Assert.Equal(1, one.EvaluationThreads); // at most one thread per rule

        var disposed = new RuleEngine(Streams.Rules(), _ => { }, new RuleEngineOptions { EvaluationThreads = 2 });
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.Offer(ReadOnlySpan<PartitionedInteraction>.Empty));
    }

    [Fact]
    public void Automatic_UsesASecondThreadForCostlyRulesOnly()
    {
        var defaults = CompiledRuleSet.Compile(DefaultRules.RuleSet).Compiled;
        var longWindows = CompiledRuleSet.Compile(RuleSetNamed("long-windows")).Compiled;
        Assert.Equal(1, ShardPlan.AutoThreads(defaults, processors: 2));
        Assert.Equal(2, ShardPlan.AutoThreads(longWindows, processors: 2));
        Assert.Equal(1, ShardPlan.AutoThreads(longWindows, processors: 1));
    }

    /// <summary>The rule sets the theories run.</summary>
    private static RuleSet RuleSetNamed(string name) => name switch
    {
        "streams" => Streams.Rules(),
        "default" => DefaultRules.RuleSet,
        "long-windows" => RuleSet.ParseFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "long-windows.rules")),
        "suppressed" => Set(
            new Rule("FailedOncePerHour", where: Eq(OutcomeField, Str("failed")), groupBy: Field.CustomerId, suppress: TimeSpan.FromHours(1)),
            new Rule("BusyAgent", groupBy: Field.AgentId, window: Sliding(TimeSpan.FromMinutes(30)), having: Ge(CountAll, Num(8)), suppress: TimeSpan.FromMinutes(45)),
            new Rule("BusyChannel", groupBy: Field.Channel, window: Tumbling(TimeSpan.FromMinutes(20)), having: Ge(CountAll, Num(10)), suppress: TimeSpan.FromHours(2))),
        "tumbling" => Set(
            new Rule("AgentHour", groupBy: Field.AgentId, window: Tumbling(TimeSpan.FromHours(1)), having: Ge(Rate(Eq(OutcomeField, Str("failed"))), Num(0.4))),
            new Rule("CustomerDay", groupBy: Field.CustomerId, window: Tumbling(TimeSpan.FromDays(1)), having: Ge(Distinct(AgentId), Num(4))),
            new Rule("ChannelTen", groupBy: Field.Channel, window: Tumbling(TimeSpan.FromMinutes(10)), having: Gt(Max(Duration), Num(1500)))),
        _ => Set(
            new Rule("Failed", where: Eq(OutcomeField, Str("failed"))),
            new Rule("Long", where: Gt(Duration, Num(3000))),
            new Rule("Unhappy", where: Le(Satisfaction, Num(1)), groupBy: Field.AgentId, suppress: TimeSpan.FromMinutes(10))),
    };

    /// <summary>
    /// A seeded script of engine calls over three partitions: a warm-up prefix, spans of every size (beyond a batch
    /// too), single offers, late events, copies of earlier events, progress markers, idle partitions, a revoked
    /// partition, statistics read between calls, and the end of the input.
    /// </summary>
    private static List<Step> Script(int seed)
    {
        var random = new Random(seed);
        var sorted = Streams.Sorted(seed, count: 4000);
        var delivery = Streams.Interleave(Streams.Partition(sorted, 3), seed).Select(p => (Event: p.Interaction, p.Partition)).ToList();
        for (int n = 0; n < 60; n++)
        {
            // Late: an event delivered some way after the events that follow it in event time.
            int from = random.Next(delivery.Count - 200);
            var moved = delivery[from];
            delivery.RemoveAt(from);
            delivery.Insert(from + random.Next(20, 200), moved);
        }
        for (int n = 0; n < 40; n++)
        {
            // A copy (same id, another object) a little later.
            int at = random.Next(delivery.Count - 50);
            var (e, partition) = delivery[at];
            delivery.Insert(at + random.Next(1, 50), (new Interaction(e.InteractionId, e.CustomerId, e.AgentId, e.Channel, e.StartTime, e.DurationSeconds, e.Outcome, e.Satisfaction, e.Attributes), partition));
        }
        var offsets = new long[3];
        var items = delivery.Select((d, i) => new PartitionedInteraction(d.Event, d.Partition, offsets[d.Partition]++, WarmUp: i < 250)).ToList();

        var steps = new List<Step>();
        int next = 0;
        while (next < items.Count)
        {
            int choice = random.Next(100);
            if (choice < 55)
            {
                int size = random.Next(10) == 0 ? random.Next(1025, 1600) : random.Next(1, 400);
                steps.Add(new Step("span", items.Skip(next).Take(size).ToArray()));
                next += size;
            }
            else if (choice < 80)
            {
                steps.Add(new Step("single", items.Skip(next).Take(random.Next(1, 6)).ToArray()));
                next += steps[^1].Items.Length;
            }
            else if (choice < 88)
            {
                steps.Add(new Step("advance", [], random.Next(3), items[Math.Min(next, items.Count - 1)].Interaction.StartTime.AddSeconds(random.Next(0, 120))));
            }
            else if (choice < 95)
            {
                steps.Add(new Step("idle", [], random.Next(3)));
            }
            else
            {
                steps.Add(new Step("statistics", []));
            }
        }
        steps.Add(new Step("remove", [], 2));
        steps.Add(new Step("complete", []));
        return steps;
    }

    private static List<Call> Run(RuleSet rules, int threads, List<Step> script, EventTimeMode eventTime)
    {
        var journal = new Journal();
        var clock = new FakeTimeProvider(Events.T0);
        var options = new RuleEngineOptions
        {
            EvaluationThreads = threads,
            EventTime = eventTime,
            AllowedLateness = TimeSpan.FromSeconds(30),
            TimeProvider = clock,
            OnLateEvent = late => journal.Calls.Add(new Call("late", late.Event, [], false, late.Lateness.Ticks.ToString(CultureInfo.InvariantCulture))),
            OnDuplicateEvent = item => journal.Calls.Add(new Call("duplicate", item, [], true, "")),
            OnEventEvaluated = item => journal.Calls.Add(new Call("done", item, [], false, "")),
        };
        using var engine = new RuleEngine(rules, journal, options);
        Assert.Equal(threads, engine.EvaluationThreads);
        foreach (var step in script)
        {
            switch (step.Kind)
            {
                case "span":
                    engine.Offer(step.Items);
                    break;
                case "single":
                    foreach (var item in step.Items)
                        engine.Offer(item);
                    break;
                case "advance":
                    engine.Advance(step.Partition, step.Time);
                    break;
                case "idle":
                    engine.MarkCaughtUp(step.Partition);
                    clock.Advance(TimeSpan.FromSeconds(2));
                    engine.Poll();
                    engine.MarkHasData(step.Partition);
                    break;
                case "remove":
                    engine.RemovePartition(step.Partition);
                    break;
                case "complete":
                    engine.Complete();
                    break;
                default:
                    break;
            }
            journal.Calls.Add(new Call("statistics", default, [], false, Describe(engine.GetStatistics())));
        }
        return journal.Calls;
    }

    private static string Describe(RuleEngineStatistics s) =>
        string.Create(CultureInfo.InvariantCulture, $"{s.EventsOffered} {s.EventsEvaluated} {s.LateEvents} {s.HeldEvents} {s.DuplicateEvents} {s.RememberedIds} {s.Watermark?.UtcTicks} {s.Groups} ")
        + string.Join(";", s.Rules.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Rule}:{r.EventsTaken},{r.Candidates},{r.Alerts},{r.Suppressed},{r.Groups},{r.SuppressedKeys}")));

    private static void AssertSameJournal(List<Call> expected, List<Call> actual, int threads)
    {
        for (int i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            var (e, a) = (expected[i], actual[i]);
            string where = $"call {i} with {threads} threads";
            Assert.True(e.Kind == a.Kind && e.Item == a.Item && e.Duplicate == a.Duplicate && e.Note == a.Note, $"{where}: expected {e.Kind} {e.Item} {e.Note}, got {a.Kind} {a.Item} {a.Note}");
            Assert.True(e.Alerts.SequenceEqual(a.Alerts), $"{where}: alerts differ: [{string.Join(", ", e.Alerts.Select(x => x.Rule))}] vs [{string.Join(", ", a.Alerts.Select(x => x.Rule))}]");
        }
        Assert.Equal(expected.Count, actual.Count);
    }

    private sealed record Step(string Kind, PartitionedInteraction[] Items, int Partition = 0, DateTimeOffset Time = default);

    /// <summary>One callback of the engine (or a statistics snapshot between calls).</summary>
    private sealed record Call(string Kind, PartitionedInteraction Item, Alert[] Alerts, bool Duplicate, string Note);

    private sealed class Journal : IEvaluatedEventHandler
    {
        public List<Call> Calls { get; } = [];

        public Action? OnCall { get; init; }

        public void OnEvaluated(in PartitionedInteraction item, ReadOnlySpan<Alert> alerts, bool duplicate)
        {
            OnCall?.Invoke();
            Calls.Add(new Call("evaluated", item, alerts.ToArray(), duplicate, ""));
        }
    }

    private sealed class CountingDelivery : IShardedDelivery
    {
        public int Count { get; private set; }

        public void Deliver(in PartitionedInteraction item, ReadOnlySpan<Alert> alerts) => Count++;

        public void DeliverDuplicate(in PartitionedInteraction item) => Count++;

        public void DeliverLate(LateEvent late) => Count++;
    }
}
