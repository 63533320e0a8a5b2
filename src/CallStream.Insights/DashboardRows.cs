namespace CallStream.Insights;

/// <summary>The headline figures over all interactions, and the answer to "failed vs problematic".</summary>
/// <param name="Interactions">How many interactions there are.</param>
/// <param name="Resolved">How many were resolved.</param>
/// <param name="Failed">How many failed.</param>
/// <param name="Problematic">How many were problematic.</param>
/// <param name="TotalSeconds">The sum of their durations, in seconds.</param>
/// <param name="AverageHandleSeconds">The average duration (average handle time), in seconds.</param>
/// <param name="AverageSatisfaction">The average satisfaction score over the interactions that have one, or <see langword="null"/> when none has.</param>
/// <param name="FailureRate">The share of interactions that failed, from 0 to 1.</param>
public sealed record DashboardOverview(
    int Interactions,
    int Resolved,
    int Failed,
    int Problematic,
    double TotalSeconds,
    double AverageHandleSeconds,
    double? AverageSatisfaction,
    double FailureRate);

/// <summary>The time one agent spent on interactions.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Interactions">How many interactions the agent handled.</param>
/// <param name="TotalSeconds">The sum of their durations, in seconds.</param>
/// <param name="AverageSeconds">Their average duration, in seconds.</param>
public sealed record AgentDuration(string AgentId, int Interactions, double TotalSeconds, double AverageSeconds);

/// <summary>How many long interactions one agent handled.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Interactions">How many of the agent's interactions lasted longer than the threshold.</param>
/// <param name="LongestSeconds">The longest of them, in seconds.</param>
public sealed record AgentLongInteractions(string AgentId, int Interactions, double LongestSeconds);

/// <summary>How many resolved interactions took a time within one duration band.</summary>
/// <param name="FromMinutes">The band's lower bound in minutes (included): 0, 5, 15, 30 or 60.</param>
/// <param name="Interactions">How many resolved interactions fall in the band.</param>
public sealed record ResolutionBand(int FromMinutes, int Interactions)
{
    /// <summary>Gets the band's upper bound in minutes (excluded), or <see langword="null"/> for the last, open band.</summary>
    public int? ToMinutes => DashboardQueries.ResolutionBandUpperBound(FromMinutes);

    /// <summary>Gets the band's label, for example <c>5–15 min</c> or <c>≥ 60 min</c>.</summary>
    public string Label => ToMinutes is int to
        ? (FromMinutes == 0 ? $"< {to} min" : $"{FromMinutes}–{to} min")
        : $"≥ {FromMinutes} min";
}

/// <summary>How many alerts one rule raised.</summary>
/// <param name="Rule">The rule's name.</param>
/// <param name="Alerts">How many alerts it raised.</param>
public sealed record RuleAlerts(string Rule, int Alerts);

/// <summary>How many alerts of one severity were triggered on one day.</summary>
/// <param name="Day">The UTC day (midnight, <see cref="DateTimeKind.Utc"/>) of the triggering interactions' start time.</param>
/// <param name="Severity">The severity.</param>
/// <param name="Alerts">How many alerts.</param>
public sealed record SeverityDay(DateTime Day, Severity Severity, int Alerts);

/// <summary>How many alerts were triggered by interactions of one channel.</summary>
/// <param name="Channel">The channel of the triggering interactions.</param>
/// <param name="Alerts">How many alerts.</param>
public sealed record ChannelAlerts(Channel Channel, int Alerts);

/// <summary>How many alerts were triggered by one customer's interactions.</summary>
/// <param name="CustomerId">The customer of the triggering interactions.</param>
/// <param name="Alerts">How many alerts.</param>
public sealed record CustomerAlerts(string CustomerId, int Alerts);

/// <summary>One agent's resolved volume and quality.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Interactions">How many interactions the agent handled.</param>
/// <param name="Resolved">How many of them were resolved.</param>
/// <param name="ResolutionRate">The share resolved, from 0 to 1.</param>
/// <param name="AverageSatisfaction">The average satisfaction over the agent's rated interactions, or <see langword="null"/> when none is rated.</param>
public sealed record AgentQuality(string AgentId, int Interactions, int Resolved, double ResolutionRate, double? AverageSatisfaction);

/// <summary>One agent's interactions by outcome: success against failure.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Resolved">How many were resolved.</param>
/// <param name="Failed">How many failed.</param>
/// <param name="Problematic">How many were problematic.</param>
public sealed record AgentOutcomes(string AgentId, int Resolved, int Failed, int Problematic);

/// <summary>The time spent on one channel.</summary>
/// <param name="Channel">The channel.</param>
/// <param name="Interactions">How many interactions it carried.</param>
/// <param name="TotalSeconds">The sum of their durations, in seconds.</param>
/// <param name="AverageSeconds">Their average duration, in seconds.</param>
public sealed record ChannelDuration(Channel Channel, int Interactions, double TotalSeconds, double AverageSeconds);

/// <summary>The figures of one day: volume, average handle time, satisfaction and failure rate.</summary>
/// <param name="Day">The UTC day (midnight, <see cref="DateTimeKind.Utc"/>) of the interactions' start time.</param>
/// <param name="Interactions">How many interactions started that day.</param>
/// <param name="AverageHandleSeconds">Their average duration, in seconds.</param>
/// <param name="AverageSatisfaction">Their average satisfaction over the rated ones, or <see langword="null"/> when none is rated.</param>
/// <param name="Failed">How many failed.</param>
/// <param name="FailureRate">The share that failed, from 0 to 1.</param>
public sealed record DailyFigures(DateTime Day, int Interactions, double AverageHandleSeconds, double? AverageSatisfaction, int Failed, double FailureRate);
