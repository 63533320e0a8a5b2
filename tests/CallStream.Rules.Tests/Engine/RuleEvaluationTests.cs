using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>Spec points 1 to 3: where, group keys, per-event rules, and the fields of an alert.</summary>
public class RuleEvaluationTests
{
    [Fact]
    public void Point1_WhereFalse_IgnoresTheEventEntirely()
    {
        var rule = new Rule("TwoFailures", where: Eq(OutcomeField, Str("failed")), groupBy: Field.CustomerId,
            window: Sliding(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2)));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "f1", outcome: Outcome.Failed),
            Events.At(10, id: "r1", outcome: Outcome.Resolved),
            Events.At(20, id: "f2", outcome: Outcome.Failed));
        var alert = Assert.Single(alerts);
        Assert.Equal("f2", alert.InteractionId);
        Assert.Equal([new AlertValue("count(*)", 2)], alert.Values);
    }

    [Fact]
    public void Point1_WhereUnknown_CountsAsFalse()
    {
        var rule = new Rule("Unhappy", where: Not(Ge(Satisfaction, Num(3))));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "unrated", satisfaction: null),
            Events.At(1, id: "low", satisfaction: 2),
            Events.At(2, id: "high", satisfaction: 5));
        Assert.Equal(["low"], alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public void Point1_EventsIgnoredByWhere_CreateNoGroups()
    {
        var rule = new Rule("Failures", where: Eq(OutcomeField, Str("failed")), groupBy: Field.CustomerId,
            window: Sliding(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2)));
        var evaluator = new RuleEvaluator(Set(rule));
        var alerts = new List<Alert>();
        for (int i = 0; i < 10; i++)
            evaluator.Evaluate(Events.At(i, customer: "c" + i), alerts);
        Assert.Equal(0, evaluator.GroupCount);
        var stats = Assert.Single(evaluator.GetStatistics());
        Assert.Equal(0, stats.EventsTaken);
    }

    [Fact]
    public void Point2_NullGroupValue_IsTheTextNull()
    {
        var rule = new Rule("ByRegion", groupBy: Field.Attribute("region"), window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2)));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "x1"),
            Events.At(1, id: "n1", attributes: [new("region", "north")]),
            Events.At(2, id: "x2"));
        var alert = Assert.Single(alerts);
        Assert.Equal("null", alert.Key);
        Assert.Equal("x2", alert.InteractionId);
    }

    [Fact]
    public void Point2_NullSatisfactionGroup_IsTheTextNull()
    {
        var rule = new Rule("BySatisfaction", groupBy: Field.Satisfaction);
        var alerts = Events.Evaluate(rule, Events.At(0, satisfaction: null), Events.At(1, satisfaction: 4));
        Assert.Equal(["null", "4"], alerts.Select(a => a.Key));
    }

    [Fact]
    public void Point2_GroupByChannel_UsesTheWireName()
    {
        var rule = new Rule("ByChannel", groupBy: Field.Channel);
        var alerts = Events.Evaluate(rule, Events.At(0, channel: Channel.Video), Events.At(1, channel: Channel.Email));
        Assert.Equal(["video", "email"], alerts.Select(a => a.Key));
    }

    [Fact]
    public void Point2_Ungrouped_KeyIsInteractionIdPerEventAndStarWindowed()
    {
        var perEvent = new Rule("PerEvent");
        var windowed = new Rule("Windowed", window: Sliding(TimeSpan.FromMinutes(1)), having: Ge(CountAll, Num(1)));
        var alerts = Events.Evaluate(Set(perEvent, windowed), [Events.At(0, id: "i-1", customer: "c1"), Events.At(1, id: "i-2", customer: "c2")]);
        Assert.Equal(["PerEvent:i-1", "Windowed:*", "PerEvent:i-2", "Windowed:*"], alerts.Select(a => a.Rule + ":" + a.Key));
        // Ungrouped windowed: one group for all events.
        Assert.Equal([1.0, 2.0], alerts.Where(a => a.Rule == "Windowed").Select(a => a.Values[0].Value!.Value));
    }

    [Fact]
    public void Point3_PerEventRule_AlertHasExactFields()
    {
        var rule = new Rule("LongCall", where: Gt(Duration, Dur(TimeSpan.FromMinutes(50))), groupBy: Field.AgentId, severity: Severity.Critical,
            message: "Call {interaction_id} by agent {agent_id} lasted {duration_seconds} s");
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "short", duration: 3000),
            Events.At(90, id: "long", agent: "a-9", duration: 3000.5));
        var alert = Assert.Single(alerts);
        Assert.Equal(Alert.ComputeId("LongCall", "a-9", "long"), alert.AlertId);
        Assert.Equal("LongCall", alert.Rule);
        Assert.Equal(Severity.Critical, alert.Severity);
        Assert.Equal("a-9", alert.Key);
        Assert.Equal("long", alert.InteractionId);
        Assert.Equal(Events.Time(90), alert.TriggeredAt);
        Assert.Null(alert.WindowStart);
        Assert.Null(alert.WindowEnd);
        Assert.Empty(alert.Values);
        Assert.Equal("Call long by agent a-9 lasted 3000.5 s", alert.Message);
    }

    [Fact]
    public void Point3_EveryMatchingEventIsACandidate()
    {
        var rule = new Rule("Failed", where: Eq(OutcomeField, Str("failed")));
        var alerts = Events.Evaluate(rule,
            Events.At(0, id: "a", outcome: Outcome.Failed),
            Events.At(0, id: "b", outcome: Outcome.Failed),
            Events.At(1, id: "c", outcome: Outcome.Problematic));
        Assert.Equal(["a", "b"], alerts.Select(a => a.Key));
        Assert.Equal("Failed: interaction a (customer c1, agent a1)", alerts[0].Message);
    }

    [Fact]
    public void Alerts_OfOneEvent_ComeInRuleSetOrder()
    {
        var rules = Set(new Rule("Zeta"), new Rule("Alpha"), new Rule("Mid", where: Bool(false)), new Rule("Beta"));
        var alerts = Events.Evaluate(rules, [Events.At(0, id: "x"), Events.At(1, id: "y")]);
        Assert.Equal(["Zeta/x", "Alpha/x", "Beta/x", "Zeta/y", "Alpha/y", "Beta/y"], alerts.Select(a => a.Rule + "/" + a.InteractionId));
    }

    [Fact]
    public void WarmUp_UpdatesStateWithoutAlerts()
    {
        var rule = new Rule("Burst", groupBy: Field.CustomerId, window: Tumbling(TimeSpan.FromHours(1)), having: Ge(CountAll, Num(2)), suppress: TimeSpan.FromHours(3));
        var evaluator = new RuleEvaluator(Set(rule));
        var alerts = new List<Alert>();
        evaluator.WarmUp(Events.At(0));
        evaluator.WarmUp(Events.At(1));      // would alert: window 0 is now alerted, and the key suppressed until 3h
        evaluator.Evaluate(Events.At(2), alerts);   // same window: already alerted
        evaluator.Evaluate(Events.At(3600), alerts);
        evaluator.Evaluate(Events.At(3601), alerts); // window 1 candidate, but suppressed
        Assert.Empty(alerts);
        var stats = Assert.Single(evaluator.GetStatistics());
        Assert.Equal(0, stats.Alerts);
        Assert.Equal(1, stats.Suppressed);
        Assert.Equal(2, stats.Candidates);
        Assert.Equal(5, evaluator.EventsEvaluated);
    }

    [Fact]
    public void Evaluator_RejectsNullArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new RuleEvaluator((RuleSet)null!));
        var evaluator = new RuleEvaluator(Set(new Rule("R")));
        Assert.Throws<ArgumentNullException>(() => evaluator.Evaluate(null!, []));
        Assert.Throws<ArgumentNullException>(() => evaluator.Evaluate(Events.At(0), null!));
        Assert.Throws<ArgumentNullException>(() => evaluator.WarmUp(null!));
    }

    [Fact]
    public void Rule_WithTypeError_IsRejectedBeforeItReachesTheEvaluator()
    {
        // The Rule constructor type-checks the model, so an evaluator only ever compiles valid rules.
        var ex = Assert.Throws<RuleValidationException>(() => new Rule("Bad", where: Gt(CustomerId, Num(1))));
        Assert.Equal("Bad", ex.RuleName);
        Assert.Equal(["where: cannot compare text with number in 'customer_id > 1'."], ex.Problems);
        Assert.Equal("Rule 'Bad' is not valid: where: cannot compare text with number in 'customer_id > 1'.", ex.Message);
    }

    [Fact]
    public void Evaluator_RejectsMoreConditionsThanTheEngineCanTrack()
    {
        static Rule WithConditions(int count)
        {
            Expr having = Ge(CountAll, Num(1));
            for (int i = 0; i < count; i++)
                having = And(having, Ge(Count(Gt(Duration, Num(i))), Num(0)));
            return new Rule("Many", window: Sliding(TimeSpan.FromHours(1)), having: having);
        }

        var evaluator = new RuleEvaluator(Set(WithConditions(64)));
        var alerts = new List<Alert>();
        evaluator.Evaluate(Events.At(0, duration: 10), alerts);
        Assert.Equal(65, Assert.Single(alerts).Values.Count);

        var ex = Assert.Throws<RuleValidationException>(() => new RuleEvaluator(Set(WithConditions(65))));
        Assert.Equal("Many", ex.RuleName);
        Assert.Equal(["having: a rule may use at most 64 different conditions in count() and rate()."], ex.Problems);
    }

    [Fact]
    public void Evaluator_ReportsFrontierAndRules()
    {
        var rules = Set(new Rule("R"));
        var evaluator = new RuleEvaluator(rules);
        Assert.Null(evaluator.Frontier);
        evaluator.WarmUp(Events.At(5));
        evaluator.WarmUp(Events.At(3));
        Assert.Equal(Events.Time(5), evaluator.Frontier);
        Assert.Same(rules, evaluator.Rules);
    }
}
