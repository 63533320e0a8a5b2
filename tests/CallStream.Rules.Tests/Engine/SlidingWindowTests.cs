using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>Spec point 4: the sliding window <c>e.t - W &lt; t &lt;= e.t</c>.</summary>
public class SlidingWindowTests
{
    private static Rule CountRule(double minimum, TimeSpan window, Field? groupBy = null) =>
        new("Count", groupBy: groupBy, window: Sliding(window), having: Ge(CountAll, Num(minimum)));

    private static double CountOf(Alert alert) => alert.Values.Single(v => v.Expression == "count(*)").Value!.Value;

    [Fact]
    public void EventExactlyOneWindowEarlier_IsOut()
    {
        var alerts = Events.Evaluate(CountRule(1, TimeSpan.FromMinutes(1)), Events.At(0), Events.At(60));
        Assert.Equal([1.0, 1.0], alerts.Select(CountOf));
    }

    [Fact]
    public void EventJustInsideTheWindow_IsIn()
    {
        var alerts = Events.Evaluate(CountRule(1, TimeSpan.FromMinutes(1)), Events.At(0), Events.At(60 - 1e-7));
        Assert.Equal([1.0, 2.0], alerts.Select(CountOf));
    }

    [Fact]
    public void EventsAtTheSameInstant_AreIn()
    {
        var alerts = Events.Evaluate(CountRule(3, TimeSpan.FromMinutes(1)), Events.At(10, id: "a"), Events.At(10, id: "b"), Events.At(10, id: "c"));
        var alert = Assert.Single(alerts);
        Assert.Equal("c", alert.InteractionId);
        Assert.Equal(3, CountOf(alert));
    }

    [Fact]
    public void WindowBounds_AreEventTimeMinusWindowAndEventTime()
    {
        var alert = Assert.Single(Events.Evaluate(CountRule(1, TimeSpan.FromMinutes(90)), Events.At(7200)));
        Assert.Equal(Events.Time(1800), alert.WindowStart);
        Assert.Equal(Events.Time(7200), alert.WindowEnd);
        Assert.Equal(Events.Time(7200), alert.TriggeredAt);
    }

    [Fact]
    public void Having_IsCheckedOnEveryEvent()
    {
        var alerts = Events.Evaluate(CountRule(2, TimeSpan.FromMinutes(1)),
            Events.At(0, id: "a"), Events.At(30, id: "b"), Events.At(50, id: "c"), Events.At(100, id: "d"), Events.At(200, id: "e"));
        Assert.Equal(["b", "c", "d"], alerts.Select(a => a.InteractionId));
        Assert.Equal([2.0, 3.0, 2.0], alerts.Select(CountOf));
    }

    [Fact]
    public void Groups_HaveTheirOwnWindows()
    {
        var alerts = Events.Evaluate(CountRule(2, TimeSpan.FromHours(1), Field.CustomerId),
            Events.At(0, customer: "x"), Events.At(1, customer: "y"), Events.At(2, customer: "x"), Events.At(3, customer: "z"));
        var alert = Assert.Single(alerts);
        Assert.Equal("x", alert.Key);
    }

    [Fact]
    public void Aggregates_IgnoreNullsAndFollowTheWindow()
    {
        // 'is null' takes a field only, so the always-true last operand of each 'or' keeps the rule alerting when the
        // aggregates are null (a comparison with null is unknown).
        var having = And(Ge(CountAll, Num(1)), Or(Ge(Sum(Satisfaction), Num(0)), Ge(CountAll, Num(0))));
        var rule = new Rule("Stats", window: Sliding(TimeSpan.FromSeconds(100)),
            having: And(having, Or(Ge(Avg(Satisfaction), Num(0)), Or(Ge(Min(Satisfaction), Num(0)), Or(Ge(Max(Satisfaction), Num(0)), Ge(Distinct(Satisfaction), Num(0)))))));
        var alerts = Events.Evaluate(rule,
            Events.At(0, satisfaction: 1),
            Events.At(10, satisfaction: null),
            Events.At(20, satisfaction: 5),
            Events.At(30, satisfaction: 5),
            Events.At(105, satisfaction: null),  // 0 leaves
            Events.At(125, satisfaction: null),  // 20 leaves
            Events.At(135, satisfaction: null)); // 30 leaves: no values left
        string[] texts = ["count(*)", "sum(satisfaction)", "avg(satisfaction)", "min(satisfaction)", "max(satisfaction)", "distinct(satisfaction)"];
        Assert.All(alerts, a => Assert.Equal(texts, a.Values.Select(v => v.Expression)));
        double?[][] expected =
        [
            [1, 1, 1, 1, 1, 1],
            [2, 1, 1, 1, 1, 1],
            [3, 6, 3, 1, 5, 2],
            [4, 11, 11.0 / 3, 1, 5, 2],
            [4, 10, 5, 5, 5, 1],
            [3, 5, 5, 5, 5, 1],
            [3, null, null, null, null, 0],
        ];
        Assert.Equal(expected.Length, alerts.Count);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], alerts[i].Values.Select(v => v.Value));
    }

    [Fact]
    public void MinAndMax_FollowValuesLeavingTheWindow()
    {
        var minMax = new Rule("MinMax", window: Sliding(TimeSpan.FromSeconds(30)), having: Or(Ge(Min(Duration), Num(0)), Ge(Max(Duration), Num(0))));
        double[] durations = [5, 9, 1, 7, 3, 8, 2, 6];
        var events = durations.Select((d, i) => Events.At(i * 10, duration: d)).ToArray();
        var alerts = Events.Evaluate(Set(minMax), events);
        for (int i = 0; i < durations.Length; i++)
        {
            // The window (t - 30, t] holds this event and the two before it.
            var inWindow = durations.Skip(Math.Max(0, i - 2)).Take(Math.Min(i + 1, 3)).ToArray();
            Assert.Equal(inWindow.Min(), alerts[i].Values[0].Value);
            Assert.Equal(inWindow.Max(), alerts[i].Values[1].Value);
        }
    }

    [Fact]
    public void CountAndRateOfConditions_AreEvaluatedOnEntry()
    {
        var failed = Eq(OutcomeField, Str("failed"));
        var rule = new Rule("Rate", groupBy: Field.AgentId, window: Sliding(TimeSpan.FromMinutes(10)),
            having: And(Ge(CountAll, Num(3)), Ge(Rate(failed), Num(0.5))), message: "{rate(outcome = 'failed')} of {count(*)}");
        var alerts = Events.Evaluate(rule,
            Events.At(0, outcome: Outcome.Failed),
            Events.At(60, outcome: Outcome.Resolved),
            Events.At(120, outcome: Outcome.Failed),    // F R F: 2 of 3
            Events.At(610, outcome: Outcome.Resolved),  // 0 left: R F R, 1 of 3
            Events.At(670, outcome: Outcome.Failed));   // 60 left: F R F, 2 of 3
        Assert.Equal(2, alerts.Count);
        Assert.Equal([new AlertValue("count(*)", 3), new AlertValue("rate(outcome = 'failed')", 2.0 / 3)], alerts[0].Values);
        Assert.Equal(Events.Time(120), alerts[0].TriggeredAt);
        Assert.Equal(Events.Time(670), alerts[1].TriggeredAt);
        Assert.Equal("0.6667 of 3", alerts[1].Message);
    }

    [Fact]
    public void Values_AreKeyedByCanonicalTextInOrderOfFirstAppearance()
    {
        var having = Or(And(Gt(Avg(Satisfaction), Num(0)), Ge(CountAll, Num(1))), Lt(Add(CountAll, Max(Duration)), Num(0)));
        var rule = new Rule("Order", window: Sliding(TimeSpan.FromMinutes(1)), having: having);
        var alert = Assert.Single(Events.Evaluate(rule, Events.At(0, duration: 12, satisfaction: 4)));
        Assert.Equal(
            [new AlertValue("avg(satisfaction)", 4), new AlertValue("count(*)", 1), new AlertValue("max(duration_seconds)", 12)],
            alert.Values);
        Assert.Equal("Order: * with avg(satisfaction) = 4, count(*) = 1, max(duration_seconds) = 12", alert.Message);
    }

    [Fact]
    public void Values_AreKeyedByTheTextTheLanguagePrinterWrites()
    {
        // Written with other spellings (case, ==, <>, double quotes, spaces): the keys are RuleText.Print of each aggregate.
        var rule = Rule.Parse("""
            rule Keys
              window sliding 90m
              having COUNT( * ) >= 1 and Rate(outcome == "FAILED") >= 0 and count(duration_seconds > 5400 and attributes.note <> "it's") >= 0
                and sum(satisfaction) + avg( duration_seconds ) > -1 and distinct(attributes.region) >= 0
                and count(not (channel in ("Phone", 'video') or satisfaction is null)) >= 0 and max(duration_seconds) > 90m
            """);
        var alert = Assert.Single(Events.Evaluate(rule, Events.At(0, duration: 6000, satisfaction: 2, attributes: [new("note", "x")])));
        Assert.Equal(rule.Aggregates.Select(RuleText.Print), alert.Values.Select(v => v.Expression));
        Assert.Equal(
            [
                "count(*)",
                "rate(outcome = 'FAILED')",
                "count(duration_seconds > 5400 and attributes.note != 'it\\'s')",
                "sum(satisfaction)",
                "avg(duration_seconds)",
                "distinct(attributes.region)",
                "count(not (channel in ('Phone', 'video') or satisfaction is null))",
                "max(duration_seconds)",
            ],
            alert.Values.Select(v => v.Expression));
        Assert.Equal([1.0, 0, 1, 2, 6000, 0, 0, 6000], alert.Values.Select(v => v.Value));
    }

    [Fact]
    public void FieldOutsideAggregate_RefersToTheOfferedEvent()
    {
        var rule = new Rule("Spike", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromHours(1)),
            having: Gt(Duration, Mul(Num(2), Avg(Duration))));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "a", duration: 100),
            Events.At(1, id: "b", duration: 100),
            Events.At(2, id: "c", duration: 500)); // avg = 233.3, 500 > 466.7
        Assert.Equal(["c"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void DivisionByZeroInHaving_IsNullAndFalse()
    {
        // 'x > 1 or not x > 1' holds for every number x; only null (unknown) makes it false.
        var ratio = Div(Count(Eq(OutcomeField, Str("failed"))), Count(Eq(OutcomeField, Str("resolved"))));
        var rule = new Rule("Ratio", window: Sliding(TimeSpan.FromHours(1)),
            having: And(Ge(CountAll, Num(1)), Or(Gt(ratio, Num(1)), Not(Gt(ratio, Num(1))))));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "f1", outcome: Outcome.Failed), Events.At(1, id: "f2", outcome: Outcome.Failed), Events.At(2, id: "r1", outcome: Outcome.Resolved));
        // failed/resolved divides by zero for f1 and f2: null, so neither operand holds; r1 makes it 2/1.
        var alert = Assert.Single(alerts);
        Assert.Equal("r1", alert.InteractionId);
        Assert.Equal([3.0, 2.0, 1.0], alert.Values.Select(v => v.Value!.Value));
    }

    [Fact]
    public void LateEvent_SeesTheRetainedEventsUpToItsTime()
    {
        var rule = CountRule(1, TimeSpan.FromSeconds(60));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "a"), Events.At(30, id: "b"), Events.At(20, id: "late"), Events.At(70, id: "c"), Events.At(100, id: "d"), Events.At(10, id: "tooLate"));
        // late at 20: (-40, 20] holds a and itself; c at 70: (10, 70] holds late, b, c; d at 100: (40, 100] holds c, d;
        // tooLate at 10 is older than everything retained (point 7 let a and late go): its window holds itself.
        Assert.Equal(["a:1", "b:2", "late:2", "c:3", "d:2", "tooLate:1"], alerts.Select(a => a.InteractionId + ":" + CountOf(a)));
        var late = alerts[2];
        Assert.Equal(Events.Time(-40), late.WindowStart);
        Assert.Equal(Events.Time(20), late.WindowEnd);
    }

    [Fact]
    public void LateEvent_InsideTheCurrentWindowCountsForLaterEvents()
    {
        var rule = new Rule("Sum", window: Sliding(TimeSpan.FromSeconds(60)), having: Ge(Min(Duration), Num(0)));
        var alerts = Events.Evaluate(rule,
            Events.At(0, duration: 5), Events.At(30, duration: 9), Events.At(20, duration: 1), Events.At(40, duration: 7), Events.At(85, duration: 8));
        // At 40 the window (-20, 40] holds 5, 9, 1, 7; at 85 the window (25, 85] holds 9, 7, 8.
        Assert.Equal([5.0, 5.0, 1.0, 1.0, 7.0], alerts.Select(a => a.Values[0].Value!.Value));
    }
}
