namespace CallStream;

/// <summary>
/// One customer-service contact (a call, video call, chat or email): immutable and validated on construction.
/// </summary>
/// <remarks>The field contract is in <c>spec/data.md</c>. <see cref="StartTime"/> is the event time by default; a pipeline may take the end time (start plus <see cref="DurationSeconds"/>) instead.</remarks>
public sealed class Interaction : IEquatable<Interaction>
{
    /// <summary>Creates a validated interaction.</summary>
    /// <param name="interactionId">The unique interaction id.</param>
    /// <param name="customerId">The customer's id.</param>
    /// <param name="agentId">The agent's id.</param>
    /// <param name="channel">The medium.</param>
    /// <param name="startTime">When the contact started; normalised to UTC. The event time by default.</param>
    /// <param name="durationSeconds">How long it lasted, in seconds; finite and not negative.</param>
    /// <param name="outcome">How it ended.</param>
    /// <param name="satisfaction">The customer's satisfaction score from 1 to 5, or <see langword="null"/>.</param>
    /// <param name="attributes">Extra columns kept verbatim, or <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">A value breaks the data contract; the message names the field.</exception>
    public Interaction(
        string interactionId,
        string customerId,
        string agentId,
        Channel channel,
        DateTimeOffset startTime,
        double durationSeconds,
        Outcome outcome,
        int? satisfaction = null,
        IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        InteractionId = RequireText(interactionId, nameof(interactionId));
        CustomerId = RequireText(customerId, nameof(customerId));
        AgentId = RequireText(agentId, nameof(agentId));
        if (!Enum.IsDefined(channel))
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "channel must be one of " + WireNames.AllowedChannels + ".");
        if (!Enum.IsDefined(outcome))
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "outcome must be one of " + WireNames.AllowedOutcomes + ".");
        if (!double.IsFinite(durationSeconds) || durationSeconds < 0)
            throw new ArgumentOutOfRangeException(nameof(durationSeconds), durationSeconds, "durationSeconds must be a finite number of seconds, 0 or more.");
        if (satisfaction is < 1 or > 5)
            throw new ArgumentOutOfRangeException(nameof(satisfaction), satisfaction, "satisfaction must be an integer from 1 to 5, or absent.");
        Channel = channel;
        Outcome = outcome;
        StartTime = startTime.ToUniversalTime();
        DurationSeconds = durationSeconds;
        Satisfaction = satisfaction;
        Attributes = attributes is null ? AttributeMap.Empty : AttributeMap.Create(attributes);
    }

    /// <summary>Gets the unique interaction id (the MongoDB <c>_id</c>).</summary>
    public string InteractionId { get; }

    /// <summary>Gets the customer's id (the Kafka message key).</summary>
    public string CustomerId { get; }

    /// <summary>Gets the agent's id.</summary>
    public string AgentId { get; }

    /// <summary>Gets the medium of the contact.</summary>
    public Channel Channel { get; }

    /// <summary>Gets when the contact started, in UTC: the event time, unless the pipeline takes the end time.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>Gets how long the contact lasted, in seconds.</summary>
    public double DurationSeconds { get; }

    /// <summary>Gets how the contact ended.</summary>
    public Outcome Outcome { get; }

    /// <summary>Gets the satisfaction score (1 to 5), or <see langword="null"/> when the customer gave none.</summary>
    public int? Satisfaction { get; }

    /// <summary>Gets the extra columns of the source, by header, in their original order.</summary>
    public AttributeMap Attributes { get; }

    /// <inheritdoc/>
    public bool Equals(Interaction? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (InteractionId == other.InteractionId
                && CustomerId == other.CustomerId
                && AgentId == other.AgentId
                && Channel == other.Channel
                && StartTime.UtcTicks == other.StartTime.UtcTicks
                && DurationSeconds.Equals(other.DurationSeconds)
                && Outcome == other.Outcome
                && Satisfaction == other.Satisfaction
                && Attributes.Equals(other.Attributes)));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Interaction);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(InteractionId, CustomerId, AgentId, Channel, StartTime.UtcTicks, DurationSeconds, Outcome);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{InteractionId} {WireNames.Name(Channel)} customer={CustomerId} agent={AgentId} start={Iso8601.Format(StartTime)} duration={DurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}s {WireNames.Name(Outcome)}";

    private static string RequireText(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException(name + " must not be empty.", name);
        return value;
    }
}
