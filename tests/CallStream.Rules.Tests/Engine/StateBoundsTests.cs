using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>Spec point 7: state is bounded by event time — old window entries, whole groups and suppression entries go.</summary>
public class StateBoundsTests
{
    [Fact]
    public void SlidingGroups_WithoutEventsInTheWindow_AreDropped()
    {
        var rule = new Rule("PerCustomer", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromMinutes(10)), having: Ge(CountAll, Num(100)));
        var evaluator = new RuleEvaluator(Set(rule));
        var alerts = new List<Alert>();
        // One event per second, each from a new customer, for 20 000 seconds.
        for (int i = 0; i < 20_000; i++)
            evaluator.Evaluate(Events.At(i, id: "i" + i, customer: "c" + i), alerts);
        // Only the customers of the last 10 minutes still have events in a window.
        Assert.Equal(600, evaluator.GroupCount);
        Assert.Empty(alerts);
    }

    [Fact]
    public void TumblingGroups_AreDroppedOnceTheirNewestEventIsAWindowBehind()
    {
        var rule = new Rule("PerAgent", groupBy: Field.AgentId, window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(1000)));
        var evaluator = new RuleEvaluator(Set(rule));
        for (int i = 0; i < 10_000; i++)
            evaluator.WarmUp(Events.At(i * 3, agent: "a" + i));
        Assert.Equal(1200, evaluator.GroupCount);
    }

    [Fact]
    public void SuppressionEntries_ExpireWithTheirPeriod()
    {
        var rule = new Rule("Any", groupBy: Field.CustomerId, suppress: TimeSpan.FromMinutes(5));
        var evaluator = new RuleEvaluator(Set(rule));
        var alerts = new List<Alert>();
        for (int i = 0; i < 10_000; i++)
            evaluator.Evaluate(Events.At(i, customer: "c" + i), alerts);
        Assert.Equal(10_000, alerts.Count);
        Assert.Equal(300, Assert.Single(evaluator.GetStatistics()).SuppressedKeys);
    }

    [Fact]
    public void DayLongSlidingWindow_KeepsOneGroupWithOnlyTheLastDay()
    {
        var rule = new Rule("Daily", window: Sliding(TimeSpan.FromDays(1)), having: Ge(CountAll, Num(0)));
        var evaluator = new RuleEvaluator(Set(rule));
        var alerts = new List<Alert>();
        for (int i = 0; i < 3 * 1440; i++)
        {
            alerts.Clear();
            evaluator.Evaluate(Events.At(i * 60.0), alerts);
        }
        // One event a minute: the last day holds 1440 of them.
        Assert.Equal(1440, Assert.Single(alerts).Values[0].Value);
        Assert.Equal(1, evaluator.GroupCount);
    }

    [Fact]
    public void DroppedGroup_StartsAfreshWhenItsKeyReturns()
    {
        var rule = new Rule("Twice", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromMinutes(1)), having: Ge(CountAll, Num(2)));
        var evaluator = new RuleEvaluator(Set(rule));
        var alerts = new List<Alert>();
        evaluator.Evaluate(Events.At(0, customer: "x"), alerts);
        evaluator.Evaluate(Events.At(120, customer: "y"), alerts);
        Assert.Equal(1, evaluator.GroupCount);
        evaluator.Evaluate(Events.At(130, customer: "x"), alerts);
        evaluator.Evaluate(Events.At(140, customer: "x", id: "x3"), alerts);
        Assert.Equal(["x3"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void BurstInOneGroup_DoesNotPinMemoryAfterItLeaves()
    {
        var rule = new Rule("Burst", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromMinutes(1)), having: Ge(Max(Duration), Num(1e9)));
        var evaluator = new RuleEvaluator(Set(rule));
        var alerts = new List<Alert>();
        for (int i = 0; i < 5000; i++)
            evaluator.Evaluate(Events.At(i * 0.01, duration: i), alerts);
        for (int i = 0; i < 100; i++)
            evaluator.Evaluate(Events.At(1000 + i, duration: 1), alerts);
        Assert.Empty(alerts);
        Assert.Equal(1, evaluator.GroupCount);
    }

    [Fact]
    public void ReusedSlidingGroup_CarriesNothingOfItsPreviousKey()
    {
        var having = Ge(CountAll, Num(1));
        var rule = new Rule("Reuse", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromMinutes(1)),
            having: And(having, Or(Ge(Min(Satisfaction), Num(0)), Or(Ge(Max(Duration), Num(0)), Or(Ge(Distinct(AgentId), Num(0)), Ge(Sum(Duration), Num(0)))))));
        var alerts = Events.Evaluate(rule,
            Events.At(0, customer: "x", agent: "a1", duration: 100, satisfaction: 1),
            Events.At(1, customer: "x", agent: "a2", duration: 200, satisfaction: 2),
            Events.At(120, customer: "y", agent: "a3", duration: 5, satisfaction: null),   // x dropped: y reuses its state
            Events.At(121, customer: "z", agent: "a3", duration: 7, satisfaction: 4));
        Assert.Equal(["x", "x", "y", "z"], alerts.Select(a => a.Key));
        Assert.Equal([1.0, null, 5, 1, 5], alerts[2].Values.Select(v => v.Value));
        Assert.Equal([1.0, 4, 7, 1, 7], alerts[3].Values.Select(v => v.Value));
    }

    [Fact]
    public void ReusedTumblingGroup_StartsWithoutAlertOrCounts()
    {
        var rule = new Rule("Reuse", groupBy: Field.CustomerId, window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2)));
        var alerts = Events.Evaluate(rule,
            Events.At(0, customer: "x"), Events.At(1, customer: "x", id: "x2"),
            Events.At(7200, customer: "y"),                                        // x dropped after this event
            Events.At(7201, customer: "z"), Events.At(7202, customer: "z", id: "z2"), // z reuses x's state
            Events.At(7203, customer: "z", id: "z3"));
        Assert.Equal(["x2", "z2"], alerts.Select(a => a.InteractionId));
        Assert.Equal(2, alerts[1].Values[0].Value);
    }
}
