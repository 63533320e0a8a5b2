namespace CallStream.Insights;

/// <summary>
/// The dashboard's questions, each written once as a LINQ query over <see cref="IQueryable{T}"/> so that the same
/// definition runs on MongoDB (the driver's LINQ provider renders it as an aggregation pipeline) and in process
/// (<see cref="InMemoryInsightsSource"/>). Run them through an <see cref="IInsightsSource"/>.
/// </summary>
/// <remarks>
/// Rows keyed by text are ordered completely (ties broken by the key, compared ordinally). Rows keyed by a
/// channel or severity are ordered by count only: MongoDB stores those as text while .NET orders them as enums, so
/// an order by key would differ; ties come in any order.
/// </remarks>
public static class DashboardQueries
{
    /// <summary>The threshold of <see cref="AgentsWithLongInteractions"/> by default: 3000 seconds.</summary>
    public const double LongInteractionSeconds = 3000;

    /// <summary>How many rows the top-N queries return by default.</summary>
    public const int DefaultTop = 10;

    /// <summary>Counts the distinct agents.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row with the number of agents; no row when there are no interactions.</returns>
    public static IQueryable<int> AgentCount(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions.GroupBy(r => r.AgentId).GroupBy(g => 1).Select(g => g.Count());
    }

    /// <summary>Counts the distinct customers.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row with the number of customers; no row when there are no interactions.</returns>
    public static IQueryable<int> CustomerCount(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions.GroupBy(r => r.CustomerId).GroupBy(g => 1).Select(g => g.Count());
    }

    /// <summary>Computes the headline figures: counts by outcome (failed vs problematic vs resolved), durations, satisfaction and failure rate.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row; no row when there are no interactions.</returns>
    public static IQueryable<DashboardOverview> Overview(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions
            .GroupBy(r => 1)
            .Select(g => new DashboardOverview(
                g.Count(),
                g.Count(r => r.Outcome == Outcome.Resolved),
                g.Count(r => r.Outcome == Outcome.Failed),
                g.Count(r => r.Outcome == Outcome.Problematic),
                g.Sum(r => r.DurationSeconds),
                g.Average(r => r.DurationSeconds),
                g.Average(r => r.Satisfaction),
                (double)g.Count(r => r.Outcome == Outcome.Failed) / g.Count()));
    }

    /// <summary>Sums the time each agent spent on interactions.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row per agent, the most time first, then by agent id.</returns>
    public static IQueryable<AgentDuration> DurationPerAgent(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions
            .GroupBy(r => r.AgentId)
            .Select(g => new AgentDuration(g.Key, g.Count(), g.Sum(r => r.DurationSeconds), g.Average(r => r.DurationSeconds)))
            .OrderByDescending(a => a.TotalSeconds)
            .ThenBy(a => a.AgentId);
    }

    /// <summary>Finds the agents with the most interactions (of any channel) lasting longer than a threshold.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <param name="thresholdSeconds">The threshold in seconds; an interaction counts when its duration is strictly greater. The default is 3000.</param>
    /// <param name="top">How many agents to return at most. The default is 10.</param>
    /// <returns>One row per agent that has such interactions, the most first, then by agent id.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is negative or not finite, or <paramref name="top"/> is below 1.</exception>
    public static IQueryable<AgentLongInteractions> AgentsWithLongInteractions(
        IQueryable<InteractionRecord> interactions, double thresholdSeconds = LongInteractionSeconds, int top = DefaultTop)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (!double.IsFinite(thresholdSeconds) || thresholdSeconds < 0)
            throw new ArgumentOutOfRangeException(nameof(thresholdSeconds), thresholdSeconds, "The threshold must be a finite number of seconds, 0 or more.");
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        return interactions
            .Where(r => r.DurationSeconds > thresholdSeconds)
            .GroupBy(r => r.AgentId)
            .Select(g => new AgentLongInteractions(g.Key, g.Count(), g.Max(r => r.DurationSeconds)))
            .OrderByDescending(a => a.Interactions)
            .ThenBy(a => a.AgentId)
            .Take(top);
    }

    /// <summary>
    /// Counts resolved interactions by how long they took: under 5 minutes, 5 to 15, 15 to 30, 30 to 60, and 60 or
    /// more (each band includes its lower bound).
    /// </summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row per band that has interactions, in band order.</returns>
    public static IQueryable<ResolutionBand> ResolutionTimeBands(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions
            .Where(r => r.Outcome == Outcome.Resolved)
            .GroupBy(r => r.DurationSeconds < 5 * 60 ? 0
                : r.DurationSeconds < 15 * 60 ? 5
                : r.DurationSeconds < 30 * 60 ? 15
                : r.DurationSeconds < 60 * 60 ? 30
                : 60)
            .Select(g => new ResolutionBand(g.Key, g.Count()))
            .OrderBy(b => b.FromMinutes);
    }

    /// <summary>Gets the upper bound of a resolution-time band of <see cref="ResolutionTimeBands"/>.</summary>
    /// <param name="fromMinutes">The band's lower bound in minutes: 0, 5, 15, 30 or 60.</param>
    /// <returns>The upper bound in minutes (excluded), or <see langword="null"/> for the open band from 60 minutes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The value is not the lower bound of a band.</exception>
    public static int? ResolutionBandUpperBound(int fromMinutes) => fromMinutes switch
    {
        0 => 5,
        5 => 15,
        15 => 30,
        30 => 60,
        60 => null,
        _ => throw new ArgumentOutOfRangeException(nameof(fromMinutes), fromMinutes, "A resolution band starts at 0, 5, 15, 30 or 60 minutes."),
    };

    /// <summary>Counts the alerts of each rule.</summary>
    /// <param name="alerts">The alerts.</param>
    /// <returns>One row per rule, the most alerts first, then by rule name.</returns>
    public static IQueryable<RuleAlerts> AlertsByRule(IQueryable<AlertRecord> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        return alerts
            .GroupBy(a => a.Rule)
            .Select(g => new RuleAlerts(g.Key, g.Count()))
            .OrderByDescending(r => r.Alerts)
            .ThenBy(r => r.Rule);
    }

    /// <summary>Counts alerts per UTC day (of their trigger time) and severity: alerts over time by severity.</summary>
    /// <param name="alerts">The alerts.</param>
    /// <returns>One row per day and severity that has alerts, by day (severities of a day in any order).</returns>
    public static IQueryable<SeverityDay> AlertsPerDayBySeverity(IQueryable<AlertRecord> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        return alerts
            .GroupBy(a => new { Day = a.TriggeredAt.Date, a.Severity })
            .Select(g => new SeverityDay(g.Key.Day, g.Key.Severity, g.Count()))
            .OrderBy(s => s.Day);
    }

    /// <summary>The latest alerts of one severity: the newest trigger time first, then by alert id.</summary>
    /// <param name="alerts">The alerts.</param>
    /// <param name="severity">The severity; run once per severity (critical first) for a table of the top alerts.</param>
    /// <param name="top">How many alerts to return at most. The default is 10.</param>
    /// <returns>At most <paramref name="top"/> alerts of the severity, the latest first.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is below 1.</exception>
    public static IQueryable<AlertRecord> LatestAlerts(IQueryable<AlertRecord> alerts, Severity severity, int top = DefaultTop)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        return alerts
            .Where(a => a.Severity == severity)
            .OrderByDescending(a => a.TriggeredAt)
            .ThenBy(a => a.Id)
            .Take(top);
    }

    /// <summary>
    /// Counts alerts by the channel of their triggering interaction (joined on the interaction id; on MongoDB a
    /// <c>$lookup</c> on <c>interactions._id</c>). Alerts whose interaction is not stored are not counted.
    /// </summary>
    /// <param name="alerts">The alerts.</param>
    /// <param name="interactions">The interactions, of the same store as <paramref name="alerts"/>.</param>
    /// <returns>One row per channel that has alerts, the most first.</returns>
    public static IQueryable<ChannelAlerts> AlertsByChannel(IQueryable<AlertRecord> alerts, IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(interactions);
        return alerts
            .Join(interactions, a => a.InteractionId, i => i.Id, (a, i) => i.Channel)
            .GroupBy(c => c)
            .Select(g => new ChannelAlerts(g.Key, g.Count()))
            .OrderByDescending(c => c.Alerts);
    }

    /// <summary>
    /// Finds the customers whose interactions triggered the most alerts (joined on the interaction id, as
    /// <see cref="AlertsByChannel"/>).
    /// </summary>
    /// <param name="alerts">The alerts.</param>
    /// <param name="interactions">The interactions, of the same store as <paramref name="alerts"/>.</param>
    /// <param name="top">How many customers to return at most. The default is 10.</param>
    /// <returns>One row per customer, the most alerts first, then by customer id.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is below 1.</exception>
    public static IQueryable<CustomerAlerts> CustomersWithMostAlerts(
        IQueryable<AlertRecord> alerts, IQueryable<InteractionRecord> interactions, int top = DefaultTop)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        return alerts
            .Join(interactions, a => a.InteractionId, i => i.Id, (a, i) => i.CustomerId)
            .GroupBy(c => c)
            .Select(g => new CustomerAlerts(g.Key, g.Count()))
            .OrderByDescending(c => c.Alerts)
            .ThenBy(c => c.CustomerId)
            .Take(top);
    }

    /// <summary>Ranks agents by resolved volume, then quality (average satisfaction), then agent id.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <param name="top">How many agents to return at most. The default is 10.</param>
    /// <returns>The best agents first; agents without a rated interaction rank below rated ones with the same volume.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is below 1.</exception>
    public static IQueryable<AgentQuality> TopAgents(IQueryable<InteractionRecord> interactions, int top = DefaultTop)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        return interactions
            .GroupBy(r => r.AgentId)
            .Select(g => new AgentQuality(
                g.Key,
                g.Count(),
                g.Count(r => r.Outcome == Outcome.Resolved),
                (double)g.Count(r => r.Outcome == Outcome.Resolved) / g.Count(),
                g.Average(r => r.Satisfaction)))
            .OrderByDescending(a => a.Resolved)
            .ThenByDescending(a => a.AverageSatisfaction)
            .ThenBy(a => a.AgentId)
            .Take(top);
    }

    /// <summary>Counts each agent's interactions by outcome: success (resolved) against failure (failed, problematic).</summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row per agent, by agent id.</returns>
    public static IQueryable<AgentOutcomes> OutcomesPerAgent(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions
            .GroupBy(r => r.AgentId)
            .Select(g => new AgentOutcomes(
                g.Key,
                g.Count(r => r.Outcome == Outcome.Resolved),
                g.Count(r => r.Outcome == Outcome.Failed),
                g.Count(r => r.Outcome == Outcome.Problematic)))
            .OrderBy(a => a.AgentId);
    }

    /// <summary>Sums and averages the durations per channel.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row per channel that has interactions, the most total time first.</returns>
    public static IQueryable<ChannelDuration> DurationPerChannel(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions
            .GroupBy(r => r.Channel)
            .Select(g => new ChannelDuration(g.Key, g.Count(), g.Sum(r => r.DurationSeconds), g.Average(r => r.DurationSeconds)))
            .OrderByDescending(c => c.TotalSeconds);
    }

    /// <summary>Finds the longest interaction (and so its agent); of equally long ones, the smallest interaction id.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row; no row when there are no interactions.</returns>
    public static IQueryable<InteractionRecord> Longest(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions
            .OrderByDescending(r => r.DurationSeconds)
            .ThenBy(r => r.Id)
            .Take(1);
    }

    /// <summary>Computes, per UTC day of the start time, the volume, average handle time, average satisfaction and failure rate.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <returns>One row per day that has interactions, by day.</returns>
    public static IQueryable<DailyFigures> DailyTrend(IQueryable<InteractionRecord> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return interactions
            .GroupBy(r => r.StartTime.Date)
            .Select(g => new DailyFigures(
                g.Key,
                g.Count(),
                g.Average(r => r.DurationSeconds),
                g.Average(r => r.Satisfaction),
                g.Count(r => r.Outcome == Outcome.Failed),
                (double)g.Count(r => r.Outcome == Outcome.Failed) / g.Count()))
            .OrderBy(d => d.Day);
    }
}
