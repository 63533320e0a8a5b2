using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>Spec point 5: tumbling windows <c>[k*W, (k+1)*W)</c> since the Unix epoch, one alert per rule, key and window.</summary>
public class TumblingWindowTests
{
    private static Rule CountRule(double minimum, TimeSpan window, Field? groupBy = null, TimeSpan? suppress = null) =>
        new("Count", groupBy: groupBy, window: Tumbling(window), having: Ge(CountAll, Num(minimum)), suppress: suppress);

    [Fact]
    public void EventAtTheWindowBoundary_StartsANewWindow()
    {
        var alerts = Events.Evaluate(CountRule(1, TimeSpan.FromHours(1)), Events.At(3599.9999999, id: "last"), Events.At(3600, id: "first"));
        Assert.Equal(["last", "first"], alerts.Select(a => a.InteractionId));
        Assert.Equal(Events.Time(0), alerts[0].WindowStart);
        Assert.Equal(Events.Time(3600), alerts[0].WindowEnd);
        Assert.Equal(Events.Time(3600), alerts[1].WindowStart);
        Assert.Equal(Events.Time(7200), alerts[1].WindowEnd);
        Assert.All(alerts, a => Assert.Equal(1, a.Values[0].Value));
    }

    [Fact]
    public void AtMostOneAlertPerKeyAndWindow()
    {
        var alerts = Events.Evaluate(CountRule(2, TimeSpan.FromHours(1), Field.CustomerId),
            Events.At(0, id: "x1", customer: "x"),
            Events.At(10, id: "x2", customer: "x"),
            Events.At(20, id: "x3", customer: "x"),
            Events.At(30, id: "y1", customer: "y"),
            Events.At(40, id: "y2", customer: "y"),
            Events.At(3600, id: "x4", customer: "x"),
            Events.At(3700, id: "x5", customer: "x"),
            Events.At(3800, id: "x6", customer: "x"));
        Assert.Equal(["x2", "y2", "x5"], alerts.Select(a => a.InteractionId));
        Assert.Equal([2.0, 2.0, 2.0], alerts.Select(a => a.Values[0].Value!.Value));
    }

    [Fact]
    public void Windows_AreAlignedToTheUnixEpoch()
    {
        // 2024-03-01T00:00:00Z is 1709251200 s after the epoch: 1709251200 = 4069645 * 420 + 300.
        var alerts = Events.Evaluate(CountRule(1, TimeSpan.FromMinutes(7)), Events.At(0), Events.At(119), Events.At(120));
        Assert.Equal(Events.Time(-300), alerts[0].WindowStart);
        Assert.Equal(Events.Time(120), alerts[0].WindowEnd);
        Assert.Equal(2, alerts.Count); // 119 is in the same window as 0, which already alerted
        Assert.Equal(Events.Time(120), alerts[1].WindowStart);
    }

    [Fact]
    public void WindowsBefore1970_FloorTowardsMinusInfinity()
    {
        var rule = CountRule(1, TimeSpan.FromDays(1));
        var before = new Interaction("old", "c", "a", Channel.Email, new DateTimeOffset(1969, 12, 31, 12, 0, 0, TimeSpan.Zero), 1, Outcome.Resolved);
        var alert = Assert.Single(Events.Evaluate(rule, before));
        Assert.Equal(new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero), alert.WindowStart);
        Assert.Equal(DateTimeOffset.UnixEpoch, alert.WindowEnd);
    }

    [Fact]
    public void AggregatesRestartWithEachWindow()
    {
        var failed = Eq(OutcomeField, Str("failed"));
        var rule = new Rule("AgentFailureRate", groupBy: Field.AgentId, window: Tumbling(TimeSpan.FromDays(1)),
            having: And(Ge(CountAll, Num(4)), Gt(Rate(failed), Num(0.5))), message: "Agent {key}: {rate(outcome = 'failed')} of {count(*)}");
        var day = TimeSpan.FromDays(1).TotalSeconds;
        var alerts = Events.Evaluate(rule,
            Events.At(0, outcome: Outcome.Failed),
            Events.At(1, outcome: Outcome.Failed),
            Events.At(2, outcome: Outcome.Failed),
            Events.At(day, id: "d1", outcome: Outcome.Failed),   // new day: count 1
            Events.At(day + 1, outcome: Outcome.Resolved),
            Events.At(day + 2, outcome: Outcome.Failed),
            Events.At(day + 3, id: "fourth", outcome: Outcome.Failed)); // 3 of 4 failed
        var alert = Assert.Single(alerts);
        Assert.Equal("fourth", alert.InteractionId);
        Assert.Equal([new AlertValue("count(*)", 4), new AlertValue("rate(outcome = 'failed')", 0.75)], alert.Values);
        Assert.Equal("Agent a1: 0.75 of 4", alert.Message);
        Assert.Equal(Alert.ComputeId("AgentFailureRate", "a1", "fourth"), alert.AlertId);
        Assert.Equal(Events.Time(day), alert.WindowStart);
        Assert.Equal(Events.Time(2 * day), alert.WindowEnd);
    }

    [Fact]
    public void SkippedWindows_LeaveNoState()
    {
        var alerts = Events.Evaluate(CountRule(2, TimeSpan.FromHours(1)), Events.At(0), Events.At(5 * 3600), Events.At(5 * 3600 + 1, id: "second"));
        Assert.Equal(["second"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void NullsAndDistinct_InTumblingWindows()
    {
        var rule = new Rule("Stats", window: Tumbling(TimeSpan.FromHours(1)),
            having: Or(Ge(Distinct(CustomerId), Num(2)), Or(Ge(Avg(Satisfaction), Num(0)), Or(Ge(Min(Satisfaction), Num(1)), Ge(Distinct(CustomerId), Num(1))))),
            message: "{distinct(customer_id)} {avg(satisfaction)} {min(satisfaction)}");
        var alerts = Events.Evaluate(rule, Events.At(0, customer: "a", satisfaction: null));
        Assert.Equal("1 null null", Assert.Single(alerts).Message);
        Assert.Equal([1.0, null, null], alerts[0].Values.Select(v => v.Value));
    }

    [Fact]
    public void LateEvent_JoinsThePreviousWindow()
    {
        var rule = CountRule(3, TimeSpan.FromHours(1));
        var alerts = Events.Evaluate(rule,
            Events.At(3500, id: "a"), Events.At(3550, id: "b"), Events.At(3600, id: "next"), Events.At(3590, id: "late"), Events.At(3595, id: "later"));
        var alert = Assert.Single(alerts);
        Assert.Equal("late", alert.InteractionId);
        Assert.Equal(Events.Time(0), alert.WindowStart);
        Assert.Equal(3, alert.Values[0].Value);
    }

    [Fact]
    public void LateEvent_InAPreviousWindowThatHadNoEvents_StartsIt()
    {
        var rule = CountRule(2, TimeSpan.FromHours(1));
        var alerts = Events.Evaluate(rule,
            Events.At(0), Events.At(7200, id: "w2"), Events.At(3700, id: "w1a"), Events.At(3800, id: "w1b"));
        Assert.Equal(["w1b"], alerts.Select(a => a.InteractionId));
        Assert.Equal(Events.Time(3600), alerts[0].WindowStart);
    }

    [Fact]
    public void LateEvent_JoinsThePreviousWindow_WithSumAndMax()
    {
        var rule = new Rule("Busy", window: Tumbling(TimeSpan.FromHours(1)), having: And(Ge(Sum(Duration), Num(300)), Ge(Max(Duration), Num(100))));
        var alerts = Events.Evaluate(rule,
            Events.At(3500, duration: 100), Events.At(3600, duration: 50), Events.At(3590, id: "late", duration: 200), Events.At(3650, id: "current", duration: 240));
        var alert = Assert.Single(alerts);
        Assert.Equal("late", alert.InteractionId);
        Assert.Equal(Events.Time(0), alert.WindowStart);
        Assert.Equal([300.0, 200.0], alert.Values.Select(v => v.Value!.Value));
    }
}
