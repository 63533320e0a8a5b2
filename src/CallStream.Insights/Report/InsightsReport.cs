using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallStream.Insights;

/// <summary>
/// The insights report: the dashboard's questions (<see cref="DashboardQueries"/>) answered on an
/// <see cref="IInsightsSource"/> (in process over a file, or on MongoDB), written as one self-contained HTML page with
/// charts (<see cref="WriteHtml"/>) or as JSON figures (<see cref="WriteJson"/>).
/// </summary>
public static class InsightsReport
{
    internal static readonly Severity[] SeveritiesMostSevereFirst = [Severity.Critical, Severity.Warning, Severity.Info];

    /// <summary>Runs the dashboard's queries on a source and reduces their answers to the report's figures.</summary>
    /// <param name="source">Where the queries run.</param>
    /// <param name="options">What to compute; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The figures, with one computed note per chart.</returns>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <remarks>The queries run concurrently; a source's failure (for example an unreachable server) surfaces as its own exception.</remarks>
    public static async Task<InsightsReportFigures> ComputeAsync(
        IInsightsSource source, InsightsReportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new InsightsReportOptions();
        options.Validate();
        var interactions = source.Interactions;
        var alerts = source.Alerts;

        Task<IReadOnlyList<T>> Run<T>(IQueryable<T> query) => Task.Run(() => source.ToListAsync(query, cancellationToken), cancellationToken);

        var overview = Run(DashboardQueries.Overview(interactions));
        var agents = Run(DashboardQueries.AgentCount(interactions));
        var customers = Run(DashboardQueries.CustomerCount(interactions));
        var perAgent = Run(DashboardQueries.DurationPerAgent(interactions));
        var longCalls = Run(DashboardQueries.AgentsWithLongInteractions(interactions, options.LongInteractionSeconds, options.Top));
        var bands = Run(DashboardQueries.ResolutionTimeBands(interactions));
        var byRule = Run(DashboardQueries.AlertsByRule(alerts));
        var perDay = Run(DashboardQueries.AlertsPerDayBySeverity(alerts));
        var byChannel = Run(DashboardQueries.AlertsByChannel(alerts, interactions));
        var byCustomer = Run(DashboardQueries.CustomersWithMostAlerts(alerts, interactions, options.Top));
        var topAgents = Run(DashboardQueries.TopAgents(interactions, options.Top));
        var outcomesPerAgent = Run(DashboardQueries.OutcomesPerAgent(interactions));
        var channels = Run(DashboardQueries.DurationPerChannel(interactions));
        var longest = Run(DashboardQueries.Longest(interactions));
        var daily = Run(DashboardQueries.DailyTrend(interactions));
        var latest = SeveritiesMostSevereFirst.Select(s => Run(DashboardQueries.LatestAlerts(alerts, s, options.TopAlerts))).ToArray();
        await Task.WhenAll(
            overview, agents, customers, perAgent, longCalls, bands, byRule, perDay, byChannel, byCustomer,
            topAgents, outcomesPerAgent, channels, longest, daily, Task.WhenAll(latest)).ConfigureAwait(false);

        return Reduce(
            new DashboardAnswers
            {
                Overview = overview.Result.SingleOrDefault(),
                Agents = agents.Result.SingleOrDefault(),
                Customers = customers.Result.SingleOrDefault(),
                DurationPerAgent = perAgent.Result,
                AgentsWithLongInteractions = longCalls.Result,
                ResolutionBands = bands.Result,
                AlertsByRule = byRule.Result,
                AlertsPerDay = perDay.Result,
                AlertsByChannel = byChannel.Result,
                CustomersWithMostAlerts = byCustomer.Result,
                TopAgents = topAgents.Result,
                OutcomesPerAgent = outcomesPerAgent.Result,
                DurationPerChannel = channels.Result,
                Longest = longest.Result.SingleOrDefault(),
                Daily = daily.Result,
                LatestAlerts = [.. latest.SelectMany(t => t.Result)],
            },
            options);
    }

    /// <summary>
    /// Reduces the dashboard's answers to the report's figures (top lists, every band and channel, one note per chart):
    /// shared by <see cref="ComputeAsync"/> and <see cref="InsightsAccumulator.ToFigures"/>, so the two cannot drift.
    /// </summary>
    /// <param name="answers">The answers.</param>
    /// <param name="options">The options, validated.</param>
    /// <returns>The figures, stamped by the options' clock.</returns>
    internal static InsightsReportFigures Reduce(DashboardAnswers answers, InsightsReportOptions options)
    {
        var totals = answers.Overview ?? new DashboardOverview(0, 0, 0, 0, 0, 0, null, 0);
        var allAgentDurations = answers.DurationPerAgent;
        var allAgentOutcomes = answers.OutcomesPerAgent;
        var figures = new InsightsReportFigures
        {
            Title = options.Title,
            Source = options.Source,
            GeneratedAt = options.TimeProvider.GetUtcNow(),
            TotalInteractions = totals.Interactions,
            TotalAgents = answers.Agents,
            TotalCustomers = answers.Customers,
            TotalAlerts = answers.AlertsByRule.Sum(r => r.Alerts),
            Outcomes = new OutcomeCounts { Resolved = totals.Resolved, Failed = totals.Failed, Problematic = totals.Problematic },
            FailureRate = totals.FailureRate,
            AverageHandleSeconds = totals.AverageHandleSeconds,
            AverageSatisfaction = totals.AverageSatisfaction,
            TotalSeconds = totals.TotalSeconds,
            Channels = ToChannelTotals(answers.DurationPerChannel),
            Longest = answers.Longest is { } l
                ? new LongestInteraction
                {
                    InteractionId = l.Id,
                    AgentId = l.AgentId,
                    CustomerId = l.CustomerId,
                    Channel = WireNames.Name(l.Channel),
                    StartTime = l.StartTime,
                    DurationSeconds = l.DurationSeconds,
                    Outcome = WireNames.Name(l.Outcome),
                }
                : null,
            DurationPerAgent = [.. allAgentDurations.Take(options.Top)],
            LongInteractionSeconds = options.LongInteractionSeconds,
            AgentsWithLongInteractions = answers.AgentsWithLongInteractions,
            ResolutionBands = AllBands(answers.ResolutionBands),
            AlertsByRule = answers.AlertsByRule,
            AlertsByChannel = ToChannelCounts(answers.AlertsByChannel),
            AlertsPerDay = ToAlertDays(answers.AlertsPerDay),
            CustomersWithMostAlerts = answers.CustomersWithMostAlerts,
            TopAgents = answers.TopAgents,
            OutcomesPerAgent = [.. allAgentOutcomes
                .Where(a => a.Failed + a.Problematic > 0)
                .OrderByDescending(a => a.Failed + a.Problematic)
                .ThenBy(a => a.AgentId, StringComparer.Ordinal)
                .Take(options.Top)],
            Daily = answers.Daily,
            TopAlerts = [.. answers.LatestAlerts.Take(options.TopAlerts).Select(ToTopAlert)],
        };
        return figures with { Notes = ReportNotes.Compose(figures, allAgentDurations) };
    }

    /// <summary>Writes the figures as JSON (camel-case names, indented, UTF-8 without a byte order mark).</summary>
    /// <param name="figures">The figures.</param>
    /// <param name="stream">Where to write; left open.</param>
    public static void WriteJson(InsightsReportFigures figures, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, figures, ReportJson.Indented.InsightsReportFigures);
    }

    /// <summary>
    /// Writes the report as one self-contained HTML page (UTF-8): a headline strip, a chart per dashboard question with
    /// its note, alerts over time by severity and a table of the top alerts. The charting library (Chart.js) and the
    /// figures are embedded, so the page needs no network; every value from the data is escaped.
    /// </summary>
    /// <param name="figures">The figures.</param>
    /// <param name="stream">Where to write; left open.</param>
    public static void WriteHtml(InsightsReportFigures figures, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(stream);
        ReportPage.Write(figures, stream);
    }

    private static ChannelTotals ToChannelTotals(IReadOnlyList<ChannelDuration> rows)
    {
        ChannelFigures Of(Channel channel) => rows.FirstOrDefault(r => r.Channel == channel) is { } r
            ? new ChannelFigures { Count = r.Interactions, TotalSeconds = r.TotalSeconds, AvgSeconds = r.AverageSeconds }
            : new ChannelFigures();
        return new ChannelTotals { Email = Of(Channel.Email), Chat = Of(Channel.Chat), Voice = Of(Channel.Voice), Video = Of(Channel.Video) };
    }

    private static ChannelCounts ToChannelCounts(IReadOnlyList<ChannelAlerts> rows)
    {
        int Of(Channel channel) => rows.Where(r => r.Channel == channel).Sum(r => r.Alerts);
        return new ChannelCounts { Email = Of(Channel.Email), Chat = Of(Channel.Chat), Voice = Of(Channel.Voice), Video = Of(Channel.Video) };
    }

    private static ResolutionBand[] AllBands(IReadOnlyList<ResolutionBand> rows) =>
        [.. new[] { 0, 5, 15, 30, 60 }.Select(from => new ResolutionBand(from, rows.Where(b => b.FromMinutes == from).Sum(b => b.Interactions)))];

    private static AlertsOnDay[] ToAlertDays(IReadOnlyList<SeverityDay> rows) =>
        [.. rows
            .GroupBy(r => r.Day)
            .OrderBy(g => g.Key)
            .Select(g => new AlertsOnDay
            {
                Day = ReportFormat.Day(g.Key),
                Info = g.Where(r => r.Severity == Severity.Info).Sum(r => r.Alerts),
                Warning = g.Where(r => r.Severity == Severity.Warning).Sum(r => r.Alerts),
                Critical = g.Where(r => r.Severity == Severity.Critical).Sum(r => r.Alerts),
            })];

    private static TopAlert ToTopAlert(AlertRecord a) => new()
    {
        AlertId = a.Id,
        Rule = a.Rule,
        Severity = WireNames.Name(a.Severity),
        Key = a.Key,
        InteractionId = a.InteractionId,
        TriggeredAt = a.TriggeredAt,
        Message = a.Message,
    };
}

/// <summary>The JSON forms of the figures: indented for the <c>--json</c> file, compact for the page's data block.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(InsightsReportFigures))]
internal sealed partial class ReportJson : JsonSerializerContext
{
    /// <summary>Gets the indented form, with text escaped only where JSON requires it (the page escapes more, see <see cref="ReportPage"/>).</summary>
    public static ReportJson Indented { get; } = new(CreateOptions(indented: true));

    /// <summary>Gets the compact form, for the page.</summary>
    public static ReportJson Compact { get; } = new(CreateOptions(indented: false));

    private static JsonSerializerOptions CreateOptions(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
