using CallStream.Insights;
using CallStream.Generation;
using CallStream.Rules;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Insights.Tests;

/// <summary>Data for the report tests: a generated log replayed through the default rules, and hostile values.</summary>
internal static class ReportSamples
{
    /// <summary>An agent id that runs script if a page inserts it as HTML.</summary>
    public const string HostileAgent = "<img src=x onerror=alert(1)>";

    /// <summary>A customer id that closes a script element and hides line separators.</summary>
    public const string HostileCustomer = "</script><script>alert(2)</script>\u2028\u2029&amp;";

    /// <summary>A rule name with markup and an ampersand.</summary>
    public const string HostileRule = "<b>bold</b>&<!--";

    private static readonly Lazy<(List<Interaction> Interactions, List<Alert> Alerts)> LazyGenerated = new(() => Generate(12_000));

    /// <summary>Gets 12,000 generated interactions (four working days) and the alerts of the default rules over them.</summary>
    public static (List<Interaction> Interactions, List<Alert> Alerts) Generated => LazyGenerated.Value;

    public static (List<Interaction> Interactions, List<Alert> Alerts) Generate(int rows)
    {
        var generator = new InteractionGenerator(new InteractionGeneratorOptions { Seed = 7, InteractionsPerDay = 3_000, AgentCount = 120, CustomerCount = 800 });
        var interactions = generator.Generate(rows).ToList();
        return (interactions, Replay(interactions));
    }

    public static List<Alert> Replay(IEnumerable<Interaction> interactions) => Replay(interactions, DefaultRules.RuleSet);

    public static List<Alert> Replay(IEnumerable<Interaction> interactions, RuleSet rules)
    {
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(rules, alerts.Add, new RuleEngineOptions { TimeProvider = new FakeTimeProvider() });
        foreach (var interaction in interactions)
            engine.Offer(interaction);
        engine.Complete();
        return alerts;
    }

    /// <summary>Gets the generated data with hostile agent, customer and rule names that lead every chart and the alert table.</summary>
    public static (List<Interaction> Interactions, List<Alert> Alerts) Hostile()
    {
        var (interactions, alerts) = Generated;
        var start = interactions[^1].StartTime;
        var hostile = new List<Interaction>();
        for (int n = 0; n < 40; n++)
        {
            hostile.Add(new Interaction(
                $"hostile-{n:00}", HostileCustomer, HostileAgent, Channel.Voice, start.AddMinutes(n), 3500 + n, n % 3 == 0 ? Outcome.Resolved : Outcome.Failed, 1));
        }
        var hostileAlerts = hostile.Select(i => new Alert(HostileRule, Severity.Critical, HostileCustomer, i.InteractionId, i.StartTime.AddDays(1), "Message " + HostileAgent)).ToList();
        return ([.. interactions, .. hostile], [.. alerts, .. hostileAlerts]);
    }

    public static async Task<InsightsReportFigures> FiguresAsync(IEnumerable<Interaction> interactions, IEnumerable<Alert> alerts, InsightsReportOptions? options = null) =>
        await InsightsReport.ComputeAsync(
            InMemoryInsightsSource.From(interactions, alerts),
            options ?? new InsightsReportOptions { TimeProvider = new FakeTimeProvider(new DateTimeOffset(2025, 2, 1, 12, 0, 0, TimeSpan.Zero)), Source = "generated.csv" },
            TestContext.Current.CancellationToken);

    public static string Html(InsightsReportFigures figures)
    {
        using var stream = new MemoryStream();
        InsightsReport.WriteHtml(figures, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static System.Text.Json.JsonDocument Json(InsightsReportFigures figures)
    {
        using var stream = new MemoryStream();
        InsightsReport.WriteJson(figures, stream);
        return System.Text.Json.JsonDocument.Parse(stream.ToArray());
    }
}
