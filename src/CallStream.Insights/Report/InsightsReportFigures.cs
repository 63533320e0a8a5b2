namespace CallStream.Insights;

/// <summary>
/// The figures of the insights report: the answers to the dashboard's questions (<see cref="DashboardQueries"/>),
/// reduced to what a page shows (top lists rather than every agent), and one computed note per chart. Written as
/// JSON by <see cref="InsightsReport.WriteJson"/> (camel-case names) and drawn by <see cref="InsightsReport.WriteHtml"/>.
/// </summary>
public sealed record InsightsReportFigures
{
    /// <summary>Gets the page's title.</summary>
    public string Title { get; init; } = "";

    /// <summary>Gets where the data came from (a file name or a MongoDB host), or <see langword="null"/>.</summary>
    public string? Source { get; init; }

    /// <summary>Gets when the figures were computed.</summary>
    public DateTimeOffset GeneratedAt { get; init; }

    /// <summary>Gets how many interactions there are.</summary>
    public int TotalInteractions { get; init; }

    /// <summary>Gets how many distinct agents handled them.</summary>
    public int TotalAgents { get; init; }

    /// <summary>Gets how many distinct customers made them.</summary>
    public int TotalCustomers { get; init; }

    /// <summary>Gets how many alerts there are.</summary>
    public int TotalAlerts { get; init; }

    /// <summary>Gets the interactions by outcome: failed vs problematic (and resolved).</summary>
    public OutcomeCounts Outcomes { get; init; } = new();

    /// <summary>Gets the share of interactions that failed, from 0 to 1.</summary>
    public double FailureRate { get; init; }

    /// <summary>Gets the average handle time (average duration), in seconds.</summary>
    public double AverageHandleSeconds { get; init; }

    /// <summary>Gets the average satisfaction (CSAT, 1 to 5) over rated interactions, or <see langword="null"/> when none is rated.</summary>
    public double? AverageSatisfaction { get; init; }

    /// <summary>Gets the total duration of all interactions, in seconds.</summary>
    public double TotalSeconds { get; init; }

    /// <summary>Gets the total and average duration per channel.</summary>
    public ChannelTotals Channels { get; init; } = new();

    /// <summary>Gets the longest interaction and its agent, or <see langword="null"/> when there are no interactions.</summary>
    public LongestInteraction? Longest { get; init; }

    /// <summary>Gets the agents who spent the most time on interactions (at most <see cref="InsightsReportOptions.Top"/>), the most first.</summary>
    public IReadOnlyList<AgentDuration> DurationPerAgent { get; init; } = [];

    /// <summary>Gets the threshold of <see cref="AgentsWithLongInteractions"/>, in seconds.</summary>
    public double LongInteractionSeconds { get; init; }

    /// <summary>Gets the agents with the most interactions longer than <see cref="LongInteractionSeconds"/>, the most first.</summary>
    public IReadOnlyList<AgentLongInteractions> AgentsWithLongInteractions { get; init; } = [];

    /// <summary>Gets the resolved interactions by duration band, every band (empty ones with 0), in band order.</summary>
    public IReadOnlyList<ResolutionBand> ResolutionBands { get; init; } = [];

    /// <summary>Gets the alerts per rule, the most first.</summary>
    public IReadOnlyList<RuleAlerts> AlertsByRule { get; init; } = [];

    /// <summary>Gets the alerts by the channel of their triggering interaction.</summary>
    public ChannelCounts AlertsByChannel { get; init; } = new();

    /// <summary>Gets the alerts per UTC day by severity: alerts over time.</summary>
    public IReadOnlyList<AlertsOnDay> AlertsPerDay { get; init; } = [];

    /// <summary>Gets the customers whose interactions triggered the most alerts, the most first.</summary>
    public IReadOnlyList<CustomerAlerts> CustomersWithMostAlerts { get; init; } = [];

    /// <summary>Gets the top agents by resolved volume, then quality.</summary>
    public IReadOnlyList<AgentQuality> TopAgents { get; init; } = [];

    /// <summary>Gets success against failure for the agents with the most failed or problematic interactions, the most first.</summary>
    public IReadOnlyList<AgentOutcomes> OutcomesPerAgent { get; init; } = [];

    /// <summary>Gets volume, average handle time, satisfaction and failure rate per UTC day, by day.</summary>
    public IReadOnlyList<DailyFigures> Daily { get; init; } = [];

    /// <summary>Gets the top alerts: critical first, then warning, then info, the latest first within a severity.</summary>
    public IReadOnlyList<TopAlert> TopAlerts { get; init; } = [];

    /// <summary>Gets one computed sentence per chart: what it shows and what stands out.</summary>
    public IReadOnlyList<ReportNote> Notes { get; init; } = [];
}

/// <summary>Interactions counted by outcome.</summary>
public sealed record OutcomeCounts
{
    /// <summary>Gets how many were resolved.</summary>
    public int Resolved { get; init; }

    /// <summary>Gets how many failed.</summary>
    public int Failed { get; init; }

    /// <summary>Gets how many were problematic.</summary>
    public int Problematic { get; init; }
}

/// <summary>The interactions of one channel: how many, and how long in total and on average.</summary>
public sealed record ChannelFigures
{
    /// <summary>Gets how many interactions the channel carried.</summary>
    public int Count { get; init; }

    /// <summary>Gets the sum of their durations, in seconds.</summary>
    public double TotalSeconds { get; init; }

    /// <summary>Gets their average duration, in seconds (0 when there are none).</summary>
    public double AvgSeconds { get; init; }
}

/// <summary>The figures of every channel, each present (with zeros when the channel has no interaction).</summary>
public sealed record ChannelTotals
{
    /// <summary>Gets the email figures.</summary>
    public ChannelFigures Email { get; init; } = new();

    /// <summary>Gets the chat figures.</summary>
    public ChannelFigures Chat { get; init; } = new();

    /// <summary>Gets the voice figures.</summary>
    public ChannelFigures Voice { get; init; } = new();

    /// <summary>Gets the video figures.</summary>
    public ChannelFigures Video { get; init; } = new();

    /// <summary>Gets the figures of a channel.</summary>
    /// <param name="channel">The channel.</param>
    /// <returns>Its figures.</returns>
    public ChannelFigures this[Channel channel] => channel switch
    {
        Channel.Email => Email,
        Channel.Chat => Chat,
        Channel.Voice => Voice,
        Channel.Video => Video,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel."),
    };
}

/// <summary>A count per channel, each present (0 when none).</summary>
public sealed record ChannelCounts
{
    /// <summary>Gets the count for email.</summary>
    public int Email { get; init; }

    /// <summary>Gets the count for chat.</summary>
    public int Chat { get; init; }

    /// <summary>Gets the count for voice.</summary>
    public int Voice { get; init; }

    /// <summary>Gets the count for video.</summary>
    public int Video { get; init; }
}

/// <summary>The longest interaction, and so its agent.</summary>
public sealed record LongestInteraction
{
    /// <summary>Gets the interaction id.</summary>
    public string InteractionId { get; init; } = "";

    /// <summary>Gets the agent who handled it.</summary>
    public string AgentId { get; init; } = "";

    /// <summary>Gets the customer.</summary>
    public string CustomerId { get; init; } = "";

    /// <summary>Gets the channel's wire name: <c>email</c>, <c>chat</c>, <c>voice</c> or <c>video</c>.</summary>
    public string Channel { get; init; } = "";

    /// <summary>Gets when it started, in UTC.</summary>
    public DateTime StartTime { get; init; }

    /// <summary>Gets how long it lasted, in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Gets the outcome's wire name: <c>resolved</c>, <c>failed</c> or <c>problematic</c>.</summary>
    public string Outcome { get; init; } = "";
}

/// <summary>How many alerts of each severity were triggered on one UTC day.</summary>
public sealed record AlertsOnDay
{
    /// <summary>Gets the day, as <c>yyyy-MM-dd</c>.</summary>
    public string Day { get; init; } = "";

    /// <summary>Gets how many info alerts.</summary>
    public int Info { get; init; }

    /// <summary>Gets how many warning alerts.</summary>
    public int Warning { get; init; }

    /// <summary>Gets how many critical alerts.</summary>
    public int Critical { get; init; }
}

/// <summary>One row of the table of top alerts.</summary>
public sealed record TopAlert
{
    /// <summary>Gets the alert id.</summary>
    public string AlertId { get; init; } = "";

    /// <summary>Gets the rule's name.</summary>
    public string Rule { get; init; } = "";

    /// <summary>Gets the severity's wire name: <c>info</c>, <c>warning</c> or <c>critical</c>.</summary>
    public string Severity { get; init; } = "";

    /// <summary>Gets the group key value.</summary>
    public string Key { get; init; } = "";

    /// <summary>Gets the triggering interaction's id.</summary>
    public string InteractionId { get; init; } = "";

    /// <summary>Gets the trigger (event) time, in UTC.</summary>
    public DateTime TriggeredAt { get; init; }

    /// <summary>Gets the alert's message.</summary>
    public string Message { get; init; } = "";
}

/// <summary>One chart's computed sentence: what it shows and what stands out.</summary>
public sealed record ReportNote
{
    /// <summary>Gets the chart's id in the page, for example <c>outcomes</c>.</summary>
    public string Chart { get; init; } = "";

    /// <summary>Gets the chart's heading.</summary>
    public string Heading { get; init; } = "";

    /// <summary>Gets the sentence.</summary>
    public string Text { get; init; } = "";
}
