namespace CallStream.Insights;

/// <summary>
/// An interaction as the dashboard's queries see it: the flat, stored form of an <see cref="Interaction"/> (one
/// document of the MongoDB <c>interactions</c> collection, or one row in process), without its attributes.
/// </summary>
/// <remarks>
/// <see cref="StartTime"/> is truncated to the millisecond, as MongoDB stores instants, so that a query gives the
/// same answer in process and on MongoDB.
/// </remarks>
public sealed record InteractionRecord
{
    /// <summary>Gets the interaction id (the MongoDB <c>_id</c>).</summary>
    public string Id { get; init; } = "";

    /// <summary>Gets the customer's id.</summary>
    public string CustomerId { get; init; } = "";

    /// <summary>Gets the agent's id.</summary>
    public string AgentId { get; init; } = "";

    /// <summary>Gets the medium of the contact.</summary>
    public Channel Channel { get; init; }

    /// <summary>Gets when the contact started, in UTC (<see cref="DateTimeKind.Utc"/>), to the millisecond.</summary>
    public DateTime StartTime { get; init; }

    /// <summary>Gets how long the contact lasted, in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Gets how the contact ended.</summary>
    public Outcome Outcome { get; init; }

    /// <summary>Gets the satisfaction score (1 to 5), or <see langword="null"/> when the customer gave none.</summary>
    public int? Satisfaction { get; init; }

    /// <summary>Creates the record of an interaction.</summary>
    /// <param name="interaction">The interaction.</param>
    /// <returns>Its record, with the start time truncated to the millisecond.</returns>
    public static InteractionRecord From(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        return new InteractionRecord
        {
            Id = interaction.InteractionId,
            CustomerId = interaction.CustomerId,
            AgentId = interaction.AgentId,
            Channel = interaction.Channel,
            StartTime = ToStoredInstant(interaction.StartTime),
            DurationSeconds = interaction.DurationSeconds,
            Outcome = interaction.Outcome,
            Satisfaction = interaction.Satisfaction,
        };
    }

    /// <summary>Converts an instant to the form MongoDB stores: UTC, truncated (floored) to the millisecond.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The UTC <see cref="DateTime"/> at the start of the instant's millisecond.</returns>
    public static DateTime ToStoredInstant(DateTimeOffset instant)
    {
        long ticks = instant.UtcTicks;
        return new DateTime(ticks - ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
