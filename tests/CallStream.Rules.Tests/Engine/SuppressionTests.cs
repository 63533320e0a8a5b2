using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>Spec point 6: a candidate is dropped when the same rule and key alerted at t0 and <c>e.t &lt; t0 + S</c>.</summary>
public class SuppressionTests
{
    [Fact]
    public void Candidate_WithinThePeriod_IsDropped_AndAtItsEndEmitted()
    {
        var rule = new Rule("Failed", where: Eq(OutcomeField, Str("failed")), groupBy: Field.CustomerId, suppress: TimeSpan.FromMinutes(10));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "a", outcome: Outcome.Failed),
            Events.At(300, id: "b", outcome: Outcome.Failed),
            Events.At(599.9999999, id: "c", outcome: Outcome.Failed),
            Events.At(600, id: "d", outcome: Outcome.Failed),
            Events.At(900, id: "e", outcome: Outcome.Failed));
        Assert.Equal(["a", "d"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DroppedCandidate_DoesNotExtendThePeriod()
    {
        var rule = new Rule("Any", groupBy: Field.CustomerId, suppress: TimeSpan.FromMinutes(10));
        var alerts = Events.Evaluate(rule, Events.At(0, id: "a"), Events.At(500, id: "b"), Events.At(650, id: "c"));
        Assert.Equal(["a", "c"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void Keys_AreSuppressedIndependently()
    {
        var rule = new Rule("Any", groupBy: Field.CustomerId, suppress: TimeSpan.FromHours(1));
        var alerts = Events.Evaluate(rule,
            Events.At(0, customer: "x"), Events.At(1, customer: "y"), Events.At(2, customer: "x"), Events.At(3, customer: "z"));
        Assert.Equal(["x", "y", "z"], alerts.Select(a => a.Key));
    }

    [Fact]
    public void Rules_AreSuppressedIndependently()
    {
        var one = new Rule("One", groupBy: Field.CustomerId, suppress: TimeSpan.FromHours(1));
        var two = new Rule("Two", groupBy: Field.CustomerId, suppress: TimeSpan.FromHours(1));
        var alerts = Events.Evaluate(Set(one, two), [Events.At(0), Events.At(1)]);
        Assert.Equal(["One", "Two"], alerts.Select(a => a.Rule));
    }

    [Fact]
    public void SlidingWindow_CandidatesInsideThePeriodAreDropped()
    {
        var rule = new Rule("RepeatedFailures", where: Eq(OutcomeField, Str("failed")), groupBy: Field.CustomerId,
            window: Sliding(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(3)), severity: Severity.Critical, suppress: TimeSpan.FromHours(1),
            message: "Customer {key}: {count(*)} failed contacts within an hour");
        var events = Enumerable.Range(0, 8).Select(i => Events.At(i * 600, id: "f" + i, customer: "c-42", outcome: Outcome.Failed)).ToArray();
        var alerts = Events.Evaluate(rule, events);
        // Candidates at 1200, 1800, ..., 4200 (every event from the third on); alerts at 1200 and 4800 would be next.
        Assert.Equal(["f2"], alerts.Select(a => a.InteractionId));
        var alert = alerts[0];
        Assert.Equal("Customer c-42: 3 failed contacts within an hour", alert.Message);
        Assert.Equal(Severity.Critical, alert.Severity);
        Assert.Equal(Alert.ComputeId("RepeatedFailures", "c-42", "f2"), alert.AlertId);
        var more = Events.Evaluate(Set(rule), events.Append(Events.At(4800, id: "f8", customer: "c-42", outcome: Outcome.Failed)));
        Assert.Equal(["f2", "f8"], more.Select(a => a.InteractionId));
    }

    [Fact]
    public void TumblingWindow_SuppressedCandidateIsNotAnEmittedAlert()
    {
        // Each hour alerts once, unless suppressed; a suppressed candidate leaves the window free to alert later.
        var rule = new Rule("Hourly", window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(1)), suppress: TimeSpan.FromMinutes(90));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "w0"),
            Events.At(3600, id: "w1a"),   // window 1 candidate, suppressed until 5400
            Events.At(5000, id: "w1b"),   // still suppressed
            Events.At(5400, id: "w1c"),   // period over: window 1's alert
            Events.At(5500, id: "w1d"),   // window 1 already alerted
            Events.At(7200, id: "w2a"),   // window 2 candidate, suppressed until 5400 + 5400 = 10800
            Events.At(10800, id: "w3a")); // window 3
        Assert.Equal(["w0", "w1c", "w3a"], alerts.Select(a => a.InteractionId));
        Assert.Equal([0.0, 3600, 10800], alerts.Select(a => (a.WindowStart!.Value - Events.T0).TotalSeconds));
    }

    [Fact]
    public void SuppressionAcrossTumblingWindows_SpansWindowBoundaries()
    {
        var rule = new Rule("AgentBusy", groupBy: Field.AgentId, window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2)), suppress: TimeSpan.FromHours(3));
        var alerts = Events.Evaluate(rule,
            Events.At(0), Events.At(60, id: "first"),
            Events.At(3600), Events.At(3660),
            Events.At(7200), Events.At(7260),
            Events.At(10800), Events.At(10860, id: "fourth-hour"));
        Assert.Equal(["first", "fourth-hour"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void Statistics_CountSuppressedCandidates()
    {
        var rule = new Rule("Any", suppress: TimeSpan.FromHours(1), groupBy: Field.CustomerId);
        var evaluator = new RuleEvaluator(Set(rule));
        var alerts = new List<Alert>();
        for (int i = 0; i < 5; i++)
            evaluator.Evaluate(Events.At(i), alerts);
        var stats = Assert.Single(evaluator.GetStatistics());
        Assert.Equal(5, stats.Candidates);
        Assert.Equal(1, stats.Alerts);
        Assert.Equal(4, stats.Suppressed);
        Assert.Equal(1, stats.SuppressedKeys);
    }
}
