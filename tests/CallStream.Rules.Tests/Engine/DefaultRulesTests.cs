using System.Text.RegularExpressions;

namespace CallStream.Rules.Tests.Engine;

public partial class DefaultRulesTests
{
    [Fact]
    public void Text_HoldsSevenRulesFourWindowed()
    {
        string text = DefaultRules.Text;
        Assert.Equal(
            ["LongCall", "FailedCall", "RepeatedFailures", "AgentFailureRate", "LongVideoCall", "LowSatisfactionStreak", "ProblematicSpike"],
            RuleLine().Matches(text).Select(m => m.Groups[1].Value));
        Assert.Equal(4, WindowLine().Matches(text).Count);
        Assert.Contains("# ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RuleSet_EqualsTheModelOfTheTests()
    {
        // The C# model the engine tests use says exactly what the text says.
        Assert.Equal(Model.DefaultRuleSet(), DefaultRules.RuleSet);
        Assert.Equal(
            ["LongCall", "FailedCall", "RepeatedFailures", "AgentFailureRate", "LongVideoCall", "LowSatisfactionStreak", "ProblematicSpike"],
            DefaultRules.RuleSet.Select(r => r.Name));
        Assert.Equal(4, DefaultRules.RuleSet.Count(r => r.IsWindowed));
    }

    [Fact]
    public void RuleSet_EqualsTheSameRulesBuiltWithTheFluentBuilder()
    {
        var fluent = RuleSet.Create(
            Rule.Named("LongCall")
                .Where(i => i.DurationSeconds > 3000)
                .Warning()
                .WithMessage("Interaction {interaction_id} ({channel}) of customer {customer_id} with agent {agent_id} lasted {duration_seconds} s")
                .Build(),
            Rule.Named("FailedCall")
                .Where(i => i.Outcome == Outcome.Failed)
                .Info()
                .WithMessage("Interaction {interaction_id} ({channel}) of customer {customer_id} with agent {agent_id} failed")
                .Build(),
            Rule.Named("RepeatedFailures")
                .Where(i => i.Outcome == Outcome.Failed)
                .GroupBy(i => i.CustomerId)
                .SlidingWindow(TimeSpan.FromHours(1))
                .Having(w => w.Count() >= 5)
                .Critical()
                .Suppress(TimeSpan.FromHours(1))
                .WithMessage("Customer {key}: {count(*)} failed contacts within an hour")
                .Build(),
            Rule.Named("AgentFailureRate")
                .GroupBy(i => i.AgentId)
                .TumblingWindow(TimeSpan.FromDays(1))
                .Having(w => w.Count() >= 10 && w.Rate(i => i.Outcome == Outcome.Failed) > 0.5)
                .Warning()
                .WithMessage("Agent {key}: {count(*)} contacts today, failure rate {rate(outcome = 'failed')}")
                .Build(),
            Rule.Named("LongVideoCall")
                .Where(i => i.Channel == Channel.Video && i.DurationSeconds > TimeSpan.FromMinutes(45).TotalSeconds)
                .Info()
                .WithMessage("Video call {interaction_id} of customer {customer_id} with agent {agent_id} lasted {duration_seconds} s")
                .Build(),
            Rule.Named("LowSatisfactionStreak")
                .GroupBy(i => i.AgentId)
                .SlidingWindow(TimeSpan.FromHours(2))
                .Having(w => w.Count(i => i.Satisfaction != null) >= 3 && w.Avg(i => i.Satisfaction) < 2)
                .Warning()
                .Suppress(TimeSpan.FromHours(2))
                .WithMessage("Agent {key}: average satisfaction {avg(satisfaction)} over {count(satisfaction is not null)} rated contacts in two hours")
                .Build(),
            Rule.Named("ProblematicSpike")
                .GroupBy(i => i.Channel)
                .TumblingWindow(TimeSpan.FromHours(1))
                .Having(w => w.Count() >= 20 && w.Rate(i => i.Outcome == Outcome.Problematic) >= 0.3)
                .Warning()
                .WithMessage("Channel {key}: {rate(outcome = 'problematic')} of {count(*)} contacts problematic within the hour")
                .Build());
        Assert.Equal(RuleText.Print(fluent), RuleText.Print(DefaultRules.RuleSet));
        Assert.Equal(fluent, DefaultRules.RuleSet);
    }

    [Fact]
    public void RuleSet_IsParsedOnceAndShared()
    {
        var seen = new RuleSet[8];
        Parallel.For(0, seen.Length, i => seen[i] = DefaultRules.RuleSet);
        Assert.All(seen, rules => Assert.Same(DefaultRules.RuleSet, rules));
    }

    [Fact]
    public void RuleSet_PrintedAsCanonicalText_ParsesBackEqual()
    {
        string canonical = RuleText.Print(DefaultRules.RuleSet);
        var reparsed = RuleSet.Parse(canonical);
        Assert.Equal(DefaultRules.RuleSet, reparsed);
        Assert.Equal(canonical, RuleText.Print(reparsed));
        Assert.Contains("  where channel = 'video' and duration_seconds > 45m\n", canonical, StringComparison.Ordinal);
        Assert.Contains("  having count(satisfaction is not null) >= 3 and avg(satisfaction) < 2\n", canonical, StringComparison.Ordinal);
        Assert.DoesNotContain("#", canonical, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultModel_RaisesEachRuleOnATypicalDay()
    {
        var rules = DefaultRules.RuleSet;
        var events = new List<Interaction>
        {
            Events.At(0, id: "long", customer: "c-1", agent: "a-1", duration: 3001),
            Events.At(10, id: "video", customer: "c-2", agent: "a-2", channel: Channel.Video, duration: 2701),
        };
        for (int i = 0; i < 5; i++)
            events.Add(Events.At(100 + (i * 600), id: "fail" + i, customer: "c-42", agent: "a-3", outcome: Outcome.Failed));
        for (int i = 0; i < 3; i++)
            events.Add(Events.At(200 + (i * 60), id: "unhappy" + i, customer: "c-" + (10 + i), agent: "a-4", satisfaction: 1));
        for (int i = 0; i < 20; i++)
            events.Add(Events.At(3600 + i, id: "chat" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), customer: "c-" + (20 + i), agent: "a-5",
                channel: Channel.Chat, outcome: i % 3 == 0 ? Outcome.Problematic : Outcome.Resolved));
        for (int i = 0; i < 10; i++)
            events.Add(Events.At(7200 + i, id: "day" + i, customer: "c-" + (50 + i), agent: "a-6", outcome: i < 6 ? Outcome.Failed : Outcome.Resolved));
        events.Sort((x, y) => x.StartTime != y.StartTime ? x.StartTime.CompareTo(y.StartTime) : string.CompareOrdinal(x.InteractionId, y.InteractionId));

        var alerts = Events.RunEngine(rules, events);
        var byRule = alerts.GroupBy(a => a.Rule).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(7, byRule.Count);

        var longCall = Assert.Single(byRule["LongCall"]);
        Assert.Equal("Interaction long (voice) of customer c-1 with agent a-1 lasted 3001 s", longCall.Message);
        Assert.Equal(Severity.Warning, longCall.Severity);

        Assert.Equal(11, byRule["FailedCall"].Count);
        Assert.All(byRule["FailedCall"], a => Assert.Equal(Severity.Info, a.Severity));

        var repeated = Assert.Single(byRule["RepeatedFailures"]);
        Assert.Equal("fail4", repeated.InteractionId);
        Assert.Equal("Customer c-42: 5 failed contacts within an hour", repeated.Message);
        Assert.Equal(Severity.Critical, repeated.Severity);
        Assert.Equal(Events.Time(2500), repeated.TriggeredAt);
        Assert.Equal(Events.Time(2500 - 3600), repeated.WindowStart);

        var agent = Assert.Single(byRule["AgentFailureRate"]);
        Assert.Equal("a-6", agent.Key);
        Assert.Equal("day9", agent.InteractionId);
        Assert.Equal("Agent a-6: 10 contacts today, failure rate 0.6", agent.Message);
        Assert.Equal([new AlertValue("count(*)", 10), new AlertValue("rate(outcome = 'failed')", 0.6)], agent.Values);
        Assert.Equal(Events.T0, agent.WindowStart);
        Assert.Equal(Events.T0.AddDays(1), agent.WindowEnd);

        var video = Assert.Single(byRule["LongVideoCall"]);
        Assert.Equal("video", video.InteractionId);

        var unhappy = Assert.Single(byRule["LowSatisfactionStreak"]);
        Assert.Equal("Agent a-4: average satisfaction 1 over 3 rated contacts in two hours", unhappy.Message);

        var spike = Assert.Single(byRule["ProblematicSpike"]);
        Assert.Equal("chat", spike.Key);
        Assert.Equal("chat19", spike.InteractionId);
        Assert.Equal("Channel chat: 0.35 of 20 contacts problematic within the hour", spike.Message);
        Assert.Equal(Alert.ComputeId("ProblematicSpike", "chat", "chat19"), spike.AlertId);
    }

    [GeneratedRegex(@"^rule (\w+)", RegexOptions.Multiline)]
    private static partial Regex RuleLine();

    [GeneratedRegex(@"^\s+window ", RegexOptions.Multiline)]
    private static partial Regex WindowLine();
}
