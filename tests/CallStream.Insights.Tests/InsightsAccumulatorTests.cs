using System.Runtime.CompilerServices;
using CallStream.Insights;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Insights.Tests;

/// <summary>
/// The streaming accumulator against the dashboard's queries: the same records must give the same figures, byte for
/// byte in JSON, whichever way they are computed.
/// </summary>
public class InsightsAccumulatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 2, 1, 12, 0, 0, TimeSpan.Zero);

    private static InsightsReportOptions Options(Action<InsightsReportOptions>? configure = null)
    {
        var options = new InsightsReportOptions { TimeProvider = new FakeTimeProvider(Now), Source = "generated.csv" };
        configure?.Invoke(options);
        return options;
    }

    private static string Json(InsightsReportFigures figures)
    {
        using var stream = new MemoryStream();
        InsightsReport.WriteJson(figures, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static async Task<string> QueriedJsonAsync(IEnumerable<Interaction> interactions, IEnumerable<Alert> alerts, InsightsReportOptions options) =>
        Json(await InsightsReport.ComputeAsync(InMemoryInsightsSource.From(interactions, alerts), options, TestContext.Current.CancellationToken));

    /// <summary>Adds the interactions, then each alert with its interaction when there is one.</summary>
    private static InsightsAccumulator Accumulate(IReadOnlyList<Interaction> interactions, IEnumerable<Alert> alerts, InsightsReportOptions options)
    {
        var accumulator = new InsightsAccumulator(options);
        var byId = new Dictionary<string, Interaction>(StringComparer.Ordinal);
        foreach (var interaction in interactions)
        {
            accumulator.Add(interaction);
            byId[interaction.InteractionId] = interaction;
        }
        foreach (var alert in alerts)
            accumulator.Add(alert, byId.GetValueOrDefault(alert.InteractionId));
        return accumulator;
    }

    [Fact]
    public async Task ToFigures_GeneratedLogThroughDefaultRules_EqualsQueriesOverInMemorySource()
    {
        var (interactions, alerts) = ReportSamples.Generate(20_000);
        Assert.Equal(interactions.Count, interactions.Select(i => i.InteractionId).Distinct().Count());
        var options = Options();

        var accumulated = Accumulate(interactions, alerts, options).ToFigures();

        // Every chart has something to compare: planted anomalies raise alerts joined to customers and channels.
        Assert.True(accumulated.TotalAlerts > 100, $"{accumulated.TotalAlerts} alerts");
        Assert.NotEmpty(accumulated.CustomersWithMostAlerts);
        Assert.NotEmpty(accumulated.AgentsWithLongInteractions);
        Assert.True(accumulated.AlertsByChannel.Voice + accumulated.AlertsByChannel.Video + accumulated.AlertsByChannel.Chat + accumulated.AlertsByChannel.Email > 0);
        Assert.Equal(options.TopAlerts, accumulated.TopAlerts.Count);
        Assert.Equal(await QueriedJsonAsync(interactions, alerts, options), Json(accumulated));
    }

    [Fact]
    public async Task ToFigures_OtherTopsAndThreshold_EqualsQueries()
    {
        var (interactions, alerts) = ReportSamples.Generated;
        var options = Options(o =>
        {
            o.Top = 3;
            o.TopAlerts = 7;
            o.LongInteractionSeconds = 1200;
            o.Title = "Other";
        });

        Assert.Equal(await QueriedJsonAsync(interactions, alerts, options), Json(Accumulate(interactions, alerts, options).ToFigures()));
    }

    [Fact]
    public async Task ToFigures_HostileNamesAndAlertsOnAnotherDay_EqualsQueries()
    {
        var (interactions, alerts) = ReportSamples.Hostile();
        var options = Options();

        Assert.Equal(await QueriedJsonAsync(interactions, alerts, options), Json(Accumulate(interactions, alerts, options).ToFigures()));
    }

    [Fact]
    public async Task ToFigures_Nothing_EqualsQueriesOverEmptySource()
    {
        var options = Options();
        var figures = new InsightsAccumulator(options).ToFigures();

        Assert.Equal(0, figures.TotalInteractions);
        Assert.Null(figures.Longest);
        Assert.Equal(await QueriedJsonAsync([], [], options), Json(figures));
    }

    [Fact]
    public async Task Add_AlertWithoutItsInteraction_CountsExceptInJoinedFigures_AsQueries()
    {
        var start = new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
        Interaction[] interactions =
        [
            new("i-1", "c-1", "a-1", Channel.Voice, start, 600, Outcome.Failed, 2),
            new("i-2", "c-2", "a-2", Channel.Chat, start.AddMinutes(1), 60, Outcome.Resolved, null),
        ];
        Alert[] alerts =
        [
            new("rule", Severity.Warning, "c-1", "i-1", start, "known"),
            new("rule", Severity.Critical, "c-9", "i-unknown", start.AddMinutes(2), "unknown"),
        ];
        var options = Options();

        var figures = Accumulate(interactions, alerts, options).ToFigures();

        Assert.Equal(2, figures.TotalAlerts);
        Assert.Equal(1, figures.AlertsByChannel.Voice);
        Assert.Equal(0, figures.AlertsByChannel.Chat);
        Assert.Equal([new CustomerAlerts("c-1", 1)], figures.CustomersWithMostAlerts);
        Assert.Equal(await QueriedJsonAsync(interactions, alerts, options), Json(figures));
    }

    [Fact]
    public void TotalCustomers_CountsCustomersOfInteractions_NotOfAlertsAlone()
    {
        var start = new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
        var added = new Interaction("i-1", "c-1", "a-1", Channel.Voice, start, 600, Outcome.Failed, 2);
        var notAdded = new Interaction("i-2", "c-2", "a-1", Channel.Chat, start, 60, Outcome.Failed, 2);
        var accumulator = new InsightsAccumulator(Options());
        accumulator.Add(new Alert("rule", Severity.Info, "c-2", "i-2", start, "first"), notAdded);
        accumulator.Add(added);

        var figures = accumulator.ToFigures();

        Assert.Equal(1, figures.TotalCustomers);
        Assert.Equal(1, figures.TotalAlerts);
    }

    [Fact]
    public void Add_SameInteractionTwice_CountsTwice()
    {
        var interaction = new Interaction("i-1", "c-1", "a-1", Channel.Voice, new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero), 600, Outcome.Resolved, 4);
        var accumulator = new InsightsAccumulator(Options());

        accumulator.Add(interaction);
        accumulator.Add(interaction);

        Assert.Equal(2, accumulator.Interactions);
        var figures = accumulator.ToFigures();
        Assert.Equal(2, figures.TotalInteractions);
        Assert.Equal(1, figures.TotalAgents);
        Assert.Equal(1, figures.TotalCustomers);
    }

    [Fact]
    public void Add_KeepsNoInteraction()
    {
        var accumulator = new InsightsAccumulator(Options());
        var added = AddGenerated(accumulator, 2_000);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.Equal(2_000, accumulator.Interactions);
        Assert.All(added, weak => Assert.False(weak.IsAlive));
        Assert.Equal(2_000, accumulator.ToFigures().TotalInteractions);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> AddGenerated(InsightsAccumulator accumulator, int rows)
    {
        var (interactions, alerts) = ReportSamples.Generated;
        var added = new List<WeakReference>();
        foreach (var source in interactions.Take(rows))
        {
            // A copy the test does not hold, with strings of its own: only what the accumulator keeps can keep it alive.
            var copy = new Interaction(
                new string(source.InteractionId), new string(source.CustomerId), new string(source.AgentId), source.Channel,
                source.StartTime, source.DurationSeconds, source.Outcome, source.Satisfaction);
            accumulator.Add(copy);
            foreach (var alert in alerts.Where(a => a.InteractionId == source.InteractionId))
                accumulator.Add(alert, copy);
            added.Add(new WeakReference(copy));
        }
        return added;
    }

    [Fact]
    public void Add_AlertWithAnotherInteraction_Throws()
    {
        var start = new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
        var interaction = new Interaction("i-1", "c-1", "a-1", Channel.Voice, start, 600, Outcome.Failed, 2);
        var accumulator = new InsightsAccumulator();

        var e = Assert.Throws<ArgumentException>(() => accumulator.Add(new Alert("rule", Severity.Info, "c-1", "i-2", start, "m"), interaction));

        Assert.Equal("interaction", e.ParamName);
        Assert.Equal(0, accumulator.Alerts);
    }

    [Fact]
    public void ArgumentChecks()
    {
        var accumulator = new InsightsAccumulator();

        Assert.Throws<ArgumentNullException>(() => accumulator.Add((Interaction)null!));
        Assert.Throws<ArgumentNullException>(() => accumulator.Add((Alert)null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InsightsAccumulator(new InsightsReportOptions { Top = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InsightsAccumulator(new InsightsReportOptions { LongInteractionSeconds = double.NaN }));
    }

    [Fact]
    public void Options_AreCopied()
    {
        var options = Options();
        var accumulator = new InsightsAccumulator(options);

        options.Title = "changed";
        options.Top = 1;

        var figures = accumulator.ToFigures();
        Assert.Equal("CallStream insights", figures.Title);
    }
}
