namespace CallStream.Insights;

/// <summary>
/// The answers to the dashboard's questions (<see cref="DashboardQueries"/>) that the report's figures are reduced
/// from (<see cref="InsightsReport.Reduce"/>), computed either by the queries on a source or by an
/// <see cref="InsightsAccumulator"/>, so that both give the same figures.
/// </summary>
internal sealed record DashboardAnswers
{
    /// <summary>Gets the headline figures, or <see langword="null"/> when there are no interactions.</summary>
    public DashboardOverview? Overview { get; init; }

    /// <summary>Gets the number of distinct agents.</summary>
    public int Agents { get; init; }

    /// <summary>Gets the number of distinct customers.</summary>
    public int Customers { get; init; }

    /// <summary>Gets every agent's time, the most first, then by agent id.</summary>
    public IReadOnlyList<AgentDuration> DurationPerAgent { get; init; } = [];

    /// <summary>Gets the top agents with long interactions.</summary>
    public IReadOnlyList<AgentLongInteractions> AgentsWithLongInteractions { get; init; } = [];

    /// <summary>Gets the bands that have resolved interactions, in band order.</summary>
    public IReadOnlyList<ResolutionBand> ResolutionBands { get; init; } = [];

    /// <summary>Gets the alerts per rule, the most first, then by rule.</summary>
    public IReadOnlyList<RuleAlerts> AlertsByRule { get; init; } = [];

    /// <summary>Gets the alerts per day and severity, by day.</summary>
    public IReadOnlyList<SeverityDay> AlertsPerDay { get; init; } = [];

    /// <summary>Gets the alerts per channel of their interaction.</summary>
    public IReadOnlyList<ChannelAlerts> AlertsByChannel { get; init; } = [];

    /// <summary>Gets the top customers by alerts.</summary>
    public IReadOnlyList<CustomerAlerts> CustomersWithMostAlerts { get; init; } = [];

    /// <summary>Gets the top agents by resolved volume, then quality.</summary>
    public IReadOnlyList<AgentQuality> TopAgents { get; init; } = [];

    /// <summary>Gets every agent's outcomes, by agent id.</summary>
    public IReadOnlyList<AgentOutcomes> OutcomesPerAgent { get; init; } = [];

    /// <summary>Gets the time per channel.</summary>
    public IReadOnlyList<ChannelDuration> DurationPerChannel { get; init; } = [];

    /// <summary>Gets the longest interaction, or <see langword="null"/> when there are none.</summary>
    public InteractionRecord? Longest { get; init; }

    /// <summary>Gets the figures per day, by day.</summary>
    public IReadOnlyList<DailyFigures> Daily { get; init; } = [];

    /// <summary>Gets the latest alerts of each severity (at most the options' <c>TopAlerts</c> each), critical first, the latest first within a severity.</summary>
    public IReadOnlyList<AlertRecord> LatestAlerts { get; init; } = [];
}
