using CallStream.Generation;
using CallStream.Rules;
using CallStream.Testing;

namespace CallStream.Tests.Generation;

/// <summary>
/// The default rules on the demo's log (<c>callstream generate</c> and <c>callstream demo</c>: seed 42, 200,000 rows):
/// every rule fires, none buries the others, and the alerts come to a few per 1,000 contacts.
/// </summary>
public class DemoLogAlertsTests
{
    private const int DemoRows = 200_000;

    private static readonly Lazy<(InteractionGenerator Generator, List<Interaction> Rows)> DemoLog = new(() =>
    {
        var generator = new InteractionGenerator();
        return (generator, generator.Generate(DemoRows).ToList());
    });

    private static List<Alert> Replay(RuleSet rules)
    {
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(rules, alerts.Add);
        foreach (var interaction in DemoLog.Value.Rows)
            engine.Offer(interaction);
        engine.Complete();
        return alerts;
    }

    [Fact]
    public void DefaultRules_OnTheDemoLog_EachFire_AFewAlertsPerThousandContacts()
    {
        var (generator, rows) = DemoLog.Value;
        var anomalies = generator.GetAnomalies(DemoRows);
        var alerts = Replay(DefaultRules.RuleSet);
        var byRule = alerts.GroupBy(a => a.Rule).ToDictionary(g => g.Key, g => g.Count());

        Assert.All(DefaultRules.RuleSet, rule => Assert.True(byRule.GetValueOrDefault(rule.Name) > 0, $"{rule.Name} raised no alert"));
        double perThousand = 1000.0 * alerts.Count / DemoRows;
        Assert.InRange(perThousand, 1, 6);
        Assert.All(byRule, r => Assert.True(r.Value * 3 < alerts.Count, $"{r.Key} raised {r.Value} of {alerts.Count} alerts"));

        // The planted anomalies, each found once.
        Assert.Equal(anomalies.FailureBursts.Count, byRule["RepeatedFailures"]);
        Assert.Equal(anomalies.FailureBursts.Count, alerts.Count(a => a.Severity == Severity.Critical));
        Assert.Equal(anomalies.FailingAgentDays.Count, byRule["AgentFailureRate"]);
        Assert.Equal(anomalies.ChannelIncidents.Count, byRule["ProblematicSpike"]);
        Assert.Equal(rows.Count(r => r.DurationSeconds > 3000), byRule["LongCall"]);
        Assert.Equal(rows.Count(r => r.Channel == Channel.Video && r.DurationSeconds is > 2700 and <= 3000), byRule["LongVideoCall"]);
        Assert.Equal(rows.Count(r => r.Outcome == Outcome.Failed && r.DurationSeconds > 1200), byRule["FailedLongCall"]);
    }

    [Fact]
    public void DefaultRulesV1_OnTheDemoLog_FailedCallBuriesTheRest()
    {
        // What the redesign fixed: one alert per failed contact, nearly every alert of the demo.
        var v1 = RuleSet.Parse(RuleFixtures.DefaultRulesV1, RuleFixtures.DefaultRulesV1FileName);
        var alerts = Replay(v1);
        int failedCall = alerts.Count(a => a.Rule == "FailedCall");
        Assert.Equal(DemoLog.Value.Rows.Count(r => r.Outcome == Outcome.Failed), failedCall);
        Assert.True(failedCall * 10 > alerts.Count * 9, $"FailedCall {failedCall} of {alerts.Count}");
    }
}
