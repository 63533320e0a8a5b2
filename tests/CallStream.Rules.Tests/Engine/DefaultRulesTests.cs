using System.Text.RegularExpressions;
using CallStream.Testing;

namespace CallStream.Rules.Tests.Engine;

public partial class DefaultRulesTests
{
    private static readonly string[] Names =
        ["LongCall", "FailedLongCall", "FailingCustomer", "RepeatedFailures", "AgentFailureRate", "LongVideoCall", "AgentLowSatisfaction", "ProblematicSpike"];

    [Fact]
    public void Text_HoldsEightRulesFiveWindowed()
    {
        string text = DefaultRules.Text;
        Assert.Equal(Names, RuleLine().Matches(text).Select(m => m.Groups[1].Value));
        Assert.Equal(5, WindowLine().Matches(text).Count);
        Assert.Contains("# ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RuleSet_EqualsTheModelOfTheTests()
    {
        // The C# model the engine tests use says exactly what the text says.
        Assert.Equal(Model.DefaultRuleSet(), DefaultRules.RuleSet);
        Assert.Equal(Names, DefaultRules.RuleSet.Select(r => r.Name));
        Assert.Equal(5, DefaultRules.RuleSet.Count(r => r.IsWindowed));
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
            Rule.Named("FailedLongCall")
                .Where(i => i.Outcome == Outcome.Failed && i.DurationSeconds > TimeSpan.FromMinutes(20).TotalSeconds)
                .Info()
                .WithMessage("Interaction {interaction_id} ({channel}) of customer {customer_id} with agent {agent_id} failed after {duration_seconds} s")
                .Build(),
            Rule.Named("FailingCustomer")
                .Where(i => i.Outcome == Outcome.Failed)
                .GroupBy(i => i.CustomerId)
                .TumblingWindow(TimeSpan.FromDays(1))
                .Having(w => w.Count() >= 3)
                .Warning()
                .WithMessage("Customer {key}: {count(*)} failed contacts today")
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
                .Where(i => i.Channel == Channel.Video && i.DurationSeconds > TimeSpan.FromMinutes(45).TotalSeconds
                    && i.DurationSeconds <= TimeSpan.FromMinutes(50).TotalSeconds)
                .Info()
                .WithMessage("Video call {interaction_id} of customer {customer_id} with agent {agent_id} lasted {duration_seconds} s")
                .Build(),
            Rule.Named("AgentLowSatisfaction")
                .GroupBy(i => i.AgentId)
                .TumblingWindow(TimeSpan.FromDays(1))
                .Having(w => w.Count(i => i.Satisfaction != null) >= 8 && w.Avg(i => i.Satisfaction) < 2.5)
                .Warning()
                .WithMessage("Agent {key}: average satisfaction {avg(satisfaction)} over {count(satisfaction is not null)} rated contacts today")
                .Build(),
            Rule.Named("ProblematicSpike")
                .GroupBy(i => i.Channel)
                .TumblingWindow(TimeSpan.FromHours(1))
                .Having(w => w.Count() >= 50 && w.Rate(i => i.Outcome == Outcome.Problematic) >= 0.35)
                .Warning()
                .WithMessage("Channel {key}: {rate(outcome = 'problematic')} of {count(*)} contacts problematic within the hour")
                .Build());
        Assert.Equal(RuleText.Print(fluent), RuleText.Print(DefaultRules.RuleSet));
        Assert.Equal(fluent, DefaultRules.RuleSet);
    }

    [Fact]
    public void DefaultRulesV1Fixture_IsTheSevenRulesOfBefore_ByteForByte()
    {
        // The fixture must never change: replays of it are compared across versions.
        string text = RuleFixtures.DefaultRulesV1;
        Assert.Equal(RuleFixtures.DefaultRulesV1Sha256, RuleFixtures.Sha256(text));
        var parsed = RuleText.Parse(text, RuleFixtures.DefaultRulesV1FileName);
        Assert.Empty(parsed.Diagnostics);
        Assert.Equal(Model.DefaultRuleSetV1(), parsed.RuleSet);
        Assert.Equal(
            ["LongCall", "FailedCall", "RepeatedFailures", "AgentFailureRate", "LongVideoCall", "LowSatisfactionStreak", "ProblematicSpike"],
            parsed.RuleSet!.Select(r => r.Name));
        Assert.NotEqual(DefaultRules.Text, text);
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
        Assert.Contains("  where channel = 'video' and duration_seconds > 45m and duration_seconds <= 50m\n", canonical, StringComparison.Ordinal);
        Assert.Contains("  having count(satisfaction is not null) >= 8 and avg(satisfaction) < 2.5\n", canonical, StringComparison.Ordinal);
        Assert.DoesNotContain("#", canonical, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedContact_Alone_RaisesNoAlert()
    {
        // One alert per failed contact buried every other alert; a failure alone is not worth one.
        var events = new[]
        {
            Events.At(0, id: "f1", customer: "c-1", outcome: Outcome.Failed, duration: 1200),
            Events.At(60, id: "f2", customer: "c-2", channel: Channel.Video, outcome: Outcome.Failed, duration: 900),
            Events.At(120, id: "f3", customer: "c-1", channel: Channel.Chat, outcome: Outcome.Failed, duration: 30),
        };
        Assert.Empty(Events.RunEngine(DefaultRules.RuleSet, events));
    }

    [Fact]
    public void DefaultModel_RaisesEachRuleOnATypicalDay()
    {
        var rules = DefaultRules.RuleSet;
        var events = new List<Interaction>
        {
            Events.At(0, id: "long", customer: "c-1", agent: "a-1", duration: 3001),
            Events.At(10, id: "video", customer: "c-2", agent: "a-2", channel: Channel.Video, duration: 2701),
            Events.At(20, id: "video-long", customer: "c-3", agent: "a-2", channel: Channel.Video, duration: 3001),
            Events.At(30, id: "failed-long", customer: "c-4", agent: "a-2", channel: Channel.Video, outcome: Outcome.Failed, duration: 1201),
            Events.At(40, id: "failed-short", customer: "c-5", agent: "a-2", outcome: Outcome.Failed, duration: 1200),
        };
        for (int i = 0; i < 5; i++)
            events.Add(Events.At(100 + (i * 600), id: "fail" + i, customer: "c-42", agent: "a-3", outcome: Outcome.Failed));
        int[] scores = [1, 2, 3, 2, 1, 2, 3, 2];
        for (int i = 0; i < scores.Length; i++)
            events.Add(Events.At(200 + (i * 60), id: "unhappy" + i, customer: "c-" + (10 + i), agent: "a-4", satisfaction: scores[i]));
        for (int i = 0; i < 50; i++)
            events.Add(Events.At(3600 + i, id: "chat" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), customer: "c-" + (20 + i), agent: "a-5",
                channel: Channel.Chat, outcome: i % 5 < 2 ? Outcome.Problematic : Outcome.Resolved));
        for (int i = 0; i < 10; i++)
            events.Add(Events.At(7200 + i, id: "day" + i, customer: "c-" + (80 + i), agent: "a-6", outcome: i < 6 ? Outcome.Failed : Outcome.Resolved));
        events.Sort((x, y) => x.StartTime != y.StartTime ? x.StartTime.CompareTo(y.StartTime) : string.CompareOrdinal(x.InteractionId, y.InteractionId));

        var alerts = Events.RunEngine(rules, events);
        var byRule = alerts.GroupBy(a => a.Rule).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(Names.Order(StringComparer.Ordinal), byRule.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(9, alerts.Count);

        // A video call over 50 minutes is a LongCall only: one long-contact alert per contact.
        Assert.Equal(["long", "video-long"], byRule["LongCall"].Select(a => a.InteractionId));
        Assert.All(byRule["LongCall"], a => Assert.Equal(Severity.Warning, a.Severity));
        Assert.Equal("Interaction video-long (video) of customer c-3 with agent a-2 lasted 3001 s", byRule["LongCall"][1].Message);
        Assert.Single(alerts, a => a.InteractionId == "video-long");

        var video = Assert.Single(byRule["LongVideoCall"]);
        Assert.Equal("video", video.InteractionId);
        Assert.Equal(Severity.Info, video.Severity);

        var failedLong = Assert.Single(byRule["FailedLongCall"]);
        Assert.Equal("failed-long", failedLong.InteractionId);
        Assert.Equal(Severity.Info, failedLong.Severity);
        Assert.Equal("Interaction failed-long (video) of customer c-4 with agent a-2 failed after 1201 s", failedLong.Message);

        var failing = Assert.Single(byRule["FailingCustomer"]);
        Assert.Equal("fail2", failing.InteractionId);
        Assert.Equal("Customer c-42: 3 failed contacts today", failing.Message);
        Assert.Equal(Severity.Warning, failing.Severity);
        Assert.Equal(Events.T0, failing.WindowStart);

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

        var unhappy = Assert.Single(byRule["AgentLowSatisfaction"]);
        Assert.Equal("unhappy7", unhappy.InteractionId);
        Assert.Equal("Agent a-4: average satisfaction 2 over 8 rated contacts today", unhappy.Message);

        var spike = Assert.Single(byRule["ProblematicSpike"]);
        Assert.Equal("chat", spike.Key);
        Assert.Equal("chat49", spike.InteractionId);
        Assert.Equal("Channel chat: 0.4 of 50 contacts problematic within the hour", spike.Message);
        Assert.Equal(Alert.ComputeId("ProblematicSpike", "chat", "chat49"), spike.AlertId);
    }

    [GeneratedRegex(@"^rule (\w+)", RegexOptions.Multiline)]
    private static partial Regex RuleLine();

    [GeneratedRegex(@"^\s+window ", RegexOptions.Multiline)]
    private static partial Regex WindowLine();
}
