using static CallStream.Insights.ReportFormat;

namespace CallStream.Insights;

/// <summary>The report's charts (id and heading, in page order) and the one computed sentence under each.</summary>
internal static class ReportNotes
{
    public const string Outcomes = "outcomes";
    public const string ChannelVolume = "channelVolume";
    public const string Channels = "channels";
    public const string Volume = "volume";
    public const string Quality = "quality";
    public const string Bands = "bands";
    public const string AgentTime = "agentTime";
    public const string LongCalls = "longCalls";
    public const string TopAgents = "topAgents";
    public const string AgentOutcomes = "agentOutcomes";
    public const string AlertsOverTime = "alertsOverTime";
    public const string AlertsByRule = "alertsByRule";
    public const string AlertsByChannel = "alertsByChannel";
    public const string CustomerAlerts = "customerAlerts";

    /// <summary>Composes the notes of every chart, in page order.</summary>
    /// <param name="f">The figures (without notes).</param>
    /// <param name="allAgentDurations">Every agent's time, the most first (the figures keep only the top ones).</param>
    public static ReportNote[] Compose(InsightsReportFigures f, IReadOnlyList<AgentDuration> allAgentDurations) =>
    [
        Note(Outcomes, "Failed vs problematic", OutcomesText(f)),
        Note(ChannelVolume, "Volume and average duration per channel", ChannelVolumeText(f)),
        Note(Channels, "Time per channel", ChannelsText(f)),
        Note(Bands, "Resolution time", BandsText(f)),
        Note(Volume, "Volume and failure rate per day", VolumeText(f)),
        Note(Quality, "Average handle time and CSAT per day", QualityText(f)),
        Note(AgentTime, "Time per agent", AgentTimeText(f, allAgentDurations)),
        Note(LongCalls, $"Agents with the most calls over {Number(f.LongInteractionSeconds, "0.#")} s", LongCallsText(f)),
        Note(TopAgents, "Top agents: resolved volume and CSAT", TopAgentsText(f)),
        Note(AgentOutcomes, "Success vs failure per agent", AgentOutcomesText(f)),
        Note(AlertsOverTime, "Alerts over time by severity", AlertsOverTimeText(f)),
        Note(AlertsByRule, "Alerts by rule", AlertsByRuleText(f)),
        Note(AlertsByChannel, "Alerts by channel", AlertsByChannelText(f)),
        Note(CustomerAlerts, "Customers with the most alerts", CustomerAlertsText(f)),
    ];

    private static ReportNote Note(string chart, string heading, string text) => new() { Chart = chart, Heading = heading, Text = text };

    private static IEnumerable<(Channel Channel, ChannelFigures Figures)> EachChannel(ChannelTotals c) =>
        [(Channel.Email, c.Email), (Channel.Chat, c.Chat), (Channel.Voice, c.Voice), (Channel.Video, c.Video)];

    private static string OutcomesText(InsightsReportFigures f)
    {
        var o = f.Outcomes;
        int n = f.TotalInteractions;
        if (n == 0)
            return "No interactions.";
        string comparison = o.Failed == o.Problematic
            ? "as many failed as were problematic"
            : o.Failed > o.Problematic
                ? $"failed outnumber problematic {Ratio(o.Failed, o.Problematic)}"
                : $"problematic outnumber failed {Ratio(o.Problematic, o.Failed)}";
        return $"{Percent(Share(o.Resolved, n))} of {Count(n)} interactions were resolved; {Count(o.Failed)} failed ({Percent(Share(o.Failed, n))}) "
            + $"and {Count(o.Problematic)} were problematic ({Percent(Share(o.Problematic, n))}): {comparison}.";
    }

    private static string Ratio(int more, int fewer) => fewer == 0 ? "(none the other way)" : Number((double)more / fewer, "0.0#") + " to 1";

    private static string ChannelVolumeText(InsightsReportFigures f)
    {
        var used = EachChannel(f.Channels).Where(c => c.Figures.Count > 0).ToList();
        if (used.Count == 0)
            return "No interactions.";
        var most = used.OrderByDescending(c => c.Figures.Count).First();
        var longestAverage = used.OrderByDescending(c => c.Figures.AvgSeconds).First();
        var shortestAverage = used.OrderBy(c => c.Figures.AvgSeconds).First();
        string text = $"{Cap(WireNames.Name(most.Channel))} carries the most interactions: {Count(most.Figures.Count)} of {Count(f.TotalInteractions)} "
            + $"({Percent(Share(most.Figures.Count, f.TotalInteractions))}).";
        if (used.Count > 1)
        {
            text += $" {Cap(WireNames.Name(longestAverage.Channel))} contacts last longest on average ({Duration(longestAverage.Figures.AvgSeconds)}), "
                + $"{WireNames.Name(shortestAverage.Channel)} the shortest ({Duration(shortestAverage.Figures.AvgSeconds)}).";
        }
        return text;
    }

    private static string ChannelsText(InsightsReportFigures f)
    {
        var used = EachChannel(f.Channels).Where(c => c.Figures.Count > 0).ToList();
        if (used.Count == 0)
            return "No interactions.";
        var most = used.OrderByDescending(c => c.Figures.TotalSeconds).First();
        return $"{Cap(WireNames.Name(most.Channel))} takes the most handling time: {Duration(most.Figures.TotalSeconds)}, "
            + $"{Percent(f.TotalSeconds == 0 ? 0 : most.Figures.TotalSeconds / f.TotalSeconds)} of the total.";
    }

    private static string VolumeText(InsightsReportFigures f)
    {
        if (f.Daily.Count == 0)
            return "No interactions.";
        var busiest = f.Daily.OrderByDescending(d => d.Interactions).ThenBy(d => d.Day).First();
        var worst = f.Daily.OrderByDescending(d => d.FailureRate).ThenBy(d => d.Day).First();
        string span = f.Daily.Count == 1
            ? $"All {Count(f.TotalInteractions)} interactions started on {Day(busiest.Day)}"
            : $"{Count(f.TotalInteractions)} interactions over {f.Daily.Count} days, from {Day(f.Daily[0].Day)} to {Day(f.Daily[^1].Day)}; "
              + $"the busiest day was {Day(busiest.Day)} ({Count(busiest.Interactions)})";
        return $"{span}. The failure rate peaked at {Percent(worst.FailureRate)} on {Day(worst.Day)} ({Count(worst.Failed)} of {Count(worst.Interactions)}), "
            + $"against {Percent(f.FailureRate)} overall.";
    }

    private static string QualityText(InsightsReportFigures f)
    {
        if (f.Daily.Count == 0)
            return "No interactions.";
        var slowest = f.Daily.OrderByDescending(d => d.AverageHandleSeconds).ThenBy(d => d.Day).First();
        var fastest = f.Daily.OrderBy(d => d.AverageHandleSeconds).ThenBy(d => d.Day).First();
        string text = $"Average handle time is {Duration(f.AverageHandleSeconds)} overall, from {Duration(fastest.AverageHandleSeconds)} on {Day(fastest.Day)} "
            + $"to {Duration(slowest.AverageHandleSeconds)} on {Day(slowest.Day)}.";
        var rated = f.Daily.Where(d => d.AverageSatisfaction is not null).ToList();
        if (rated.Count == 0)
            return text + " No interaction was rated.";
        var lowest = rated.OrderBy(d => d.AverageSatisfaction).ThenBy(d => d.Day).First();
        return text + $" CSAT averages {Satisfaction(f.AverageSatisfaction)}; its lowest day was {Day(lowest.Day)} ({Satisfaction(lowest.AverageSatisfaction)}).";
    }

    private static string BandsText(InsightsReportFigures f)
    {
        int resolved = f.ResolutionBands.Sum(b => b.Interactions);
        if (resolved == 0)
            return "No resolved interactions.";
        var most = f.ResolutionBands.OrderByDescending(b => b.Interactions).ThenBy(b => b.FromMinutes).First();
        int hourOrMore = f.ResolutionBands.Where(b => b.ToMinutes is null).Sum(b => b.Interactions);
        return $"Most resolved interactions take {most.Label} ({Percent(Share(most.Interactions, resolved))} of {Count(resolved)}); "
            + $"{Percent(Share(hourOrMore, resolved))} took an hour or more.";
    }

    private static string AgentTimeText(InsightsReportFigures f, IReadOnlyList<AgentDuration> all)
    {
        if (all.Count == 0)
            return "No interactions.";
        var top = all[0];
        var sorted = all.Select(a => a.TotalSeconds).Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        string text = $"Agent {top.AgentId} spent the most time on interactions: {Duration(top.TotalSeconds)} over {Count(top.Interactions)} of them";
        return median > 0 && all.Count > 1
            ? text + $", {Number(top.TotalSeconds / median, "0.0")}× the median agent ({Duration(median)}); {Count(all.Count)} agents in all."
            : text + ".";
    }

    private static string LongCallsText(InsightsReportFigures f)
    {
        string threshold = Seconds(f.LongInteractionSeconds);
        if (f.AgentsWithLongInteractions.Count == 0)
            return $"No interaction lasted longer than {threshold}.";
        var top = f.AgentsWithLongInteractions[0];
        int tied = f.AgentsWithLongInteractions.Count(a => a.Interactions == top.Interactions);
        string text = $"Agent {top.AgentId} has the most calls over {threshold}: {Count(top.Interactions)}, the longest {Seconds(top.LongestSeconds)}";
        return tied > 1 ? text + $" (tied with {tied - 1} more agent{(tied > 2 ? "s" : "")} shown)." : text + ".";
    }

    private static string TopAgentsText(InsightsReportFigures f)
    {
        if (f.TopAgents.Count == 0)
            return "No interactions.";
        var top = f.TopAgents[0];
        string text = $"Agent {top.AgentId} resolved the most: {Count(top.Resolved)} of {Count(top.Interactions)} ({Percent(top.ResolutionRate)}), CSAT {Satisfaction(top.AverageSatisfaction)}.";
        var best = f.TopAgents.Where(a => a.AverageSatisfaction is not null).OrderByDescending(a => a.AverageSatisfaction).ThenBy(a => a.AgentId, StringComparer.Ordinal).FirstOrDefault();
        return best is not null && best.AgentId != top.AgentId
            ? text + $" Of these {f.TopAgents.Count}, {best.AgentId} has the best CSAT ({Satisfaction(best.AverageSatisfaction)})."
            : text;
    }

    private static string AgentOutcomesText(InsightsReportFigures f)
    {
        if (f.OutcomesPerAgent.Count == 0)
            return f.TotalInteractions == 0 ? "No interactions." : "No agent has a failed or problematic interaction.";
        var top = f.OutcomesPerAgent[0];
        int bad = top.Failed + top.Problematic;
        int total = bad + top.Resolved;
        double overall = Share(f.Outcomes.Failed + f.Outcomes.Problematic, f.TotalInteractions);
        return $"Agent {top.AgentId} has the most failed or problematic interactions: {Count(bad)} of {Count(total)} ({Percent(Share(bad, total))}), "
            + $"against {Percent(overall)} for all agents.";
    }

    private static string AlertsOverTimeText(InsightsReportFigures f)
    {
        if (f.AlertsPerDay.Count == 0)
            return "No alerts.";
        var busiest = f.AlertsPerDay.OrderByDescending(d => d.Info + d.Warning + d.Critical).ThenBy(d => d.Day, StringComparer.Ordinal).First();
        int critical = f.AlertsPerDay.Sum(d => d.Critical);
        return $"{Count(f.TotalAlerts)} alerts on {f.AlertsPerDay.Count} day{(f.AlertsPerDay.Count == 1 ? "" : "s")}, {Count(critical)} of them critical; "
            + $"the busiest day was {busiest.Day} with {Count(busiest.Info + busiest.Warning + busiest.Critical)} ({Count(busiest.Critical)} critical).";
    }

    private static string AlertsByRuleText(InsightsReportFigures f)
    {
        if (f.AlertsByRule.Count == 0)
            return "No alerts.";
        var top = f.AlertsByRule[0];
        return $"Rule {top.Rule} raised the most alerts: {Count(top.Alerts)}, {Percent(Share(top.Alerts, f.TotalAlerts))} of {Count(f.TotalAlerts)}"
            + (f.AlertsByRule.Count > 1 ? $"; {f.AlertsByRule.Count} rules fired." : "; no other rule fired.");
    }

    private static string AlertsByChannelText(InsightsReportFigures f)
    {
        var a = f.AlertsByChannel;
        var counts = new (Channel Channel, int Alerts)[] { (Channel.Email, a.Email), (Channel.Chat, a.Chat), (Channel.Voice, a.Voice), (Channel.Video, a.Video) };
        int total = counts.Sum(c => c.Alerts);
        if (total == 0)
            return "No alerts on stored interactions.";
        var most = counts.OrderByDescending(c => c.Alerts).First();
        var perThousand = counts
            .Where(c => f.Channels[c.Channel].Count > 0)
            .Select(c => (c.Channel, Rate: 1000.0 * c.Alerts / f.Channels[c.Channel].Count))
            .OrderByDescending(c => c.Rate)
            .First();
        return $"{Cap(WireNames.Name(most.Channel))} interactions triggered the most alerts ({Count(most.Alerts)}, {Percent(Share(most.Alerts, total))}); "
            + $"for its volume, {WireNames.Name(perThousand.Channel)} triggers the most: {Number(perThousand.Rate, "0.#")} alerts per 1,000 interactions.";
    }

    private static string CustomerAlertsText(InsightsReportFigures f)
    {
        if (f.CustomersWithMostAlerts.Count == 0)
            return "No alerts on stored interactions.";
        var top = f.CustomersWithMostAlerts[0];
        int shown = f.CustomersWithMostAlerts.Sum(c => c.Alerts);
        return $"Customer {top.CustomerId} triggered the most alerts: {Count(top.Alerts)}; the {f.CustomersWithMostAlerts.Count} customers shown account for "
            + $"{Percent(Share(shown, f.TotalAlerts))} of all {Count(f.TotalAlerts)} alerts.";
    }

    private static string Cap(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];
}
