namespace CallStream.Csv;

/// <summary>The CSV column names of the data contract (spec/data.md), in their conventional order.</summary>
public static class CsvColumns
{
    /// <summary>The <c>interaction_id</c> column.</summary>
    public const string InteractionId = "interaction_id";

    /// <summary>The <c>customer_id</c> column.</summary>
    public const string CustomerId = "customer_id";

    /// <summary>The <c>agent_id</c> column.</summary>
    public const string AgentId = "agent_id";

    /// <summary>The <c>channel</c> column.</summary>
    public const string Channel = "channel";

    /// <summary>The <c>start_time</c> column (the event time).</summary>
    public const string StartTime = "start_time";

    /// <summary>The <c>duration_seconds</c> column.</summary>
    public const string DurationSeconds = "duration_seconds";

    /// <summary>The <c>outcome</c> column.</summary>
    public const string Outcome = "outcome";

    /// <summary>The optional <c>satisfaction</c> column.</summary>
    public const string Satisfaction = "satisfaction";

    /// <summary>Gets the required columns, in conventional order.</summary>
    public static IReadOnlyList<string> Required { get; } =
        [InteractionId, CustomerId, AgentId, Channel, StartTime, DurationSeconds, Outcome];

    /// <summary>Gets every contract column (required and optional), in conventional order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [InteractionId, CustomerId, AgentId, Channel, StartTime, DurationSeconds, Outcome, Satisfaction];
}
