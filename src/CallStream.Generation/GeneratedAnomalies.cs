namespace CallStream.Generation;

/// <summary>
/// What an <see cref="InteractionGenerator"/> planted in a log: the interactions that the default alert rules are meant
/// to find. Everything outside it is generated so that those rules stay quiet (see <see cref="InteractionGenerator"/>).
/// </summary>
internal sealed class GeneratedAnomalies
{
    internal GeneratedAnomalies(
        IReadOnlyList<PlantedFailureBurst> failureBursts,
        IReadOnlyList<string> failingAgentIds,
        IReadOnlyList<PlantedAgentFailureDay> failingAgentDays,
        IReadOnlyList<PlantedLongInteraction> longCalls,
        IReadOnlyList<PlantedLongInteraction> longVideoCalls,
        IReadOnlyList<PlantedChannelIncident> channelIncidents)
    {
        FailureBursts = failureBursts;
        FailingAgentIds = failingAgentIds;
        FailingAgentDays = failingAgentDays;
        LongCalls = longCalls;
        LongVideoCalls = longVideoCalls;
        ChannelIncidents = channelIncidents;
    }

    /// <summary>Gets the customers' bursts of 5 to 7 failed contacts within 50 minutes, in time order.</summary>
    public IReadOnlyList<PlantedFailureBurst> FailureBursts { get; }

    /// <summary>Gets the ids of the agents who fail about two thirds of their contacts every day.</summary>
    public IReadOnlyList<string> FailingAgentIds { get; }

    /// <summary>Gets each working day of each failing agent, in time order.</summary>
    public IReadOnlyList<PlantedAgentFailureDay> FailingAgentDays { get; }

    /// <summary>Gets the voice calls longer than 3,000 s, in time order.</summary>
    public IReadOnlyList<PlantedLongInteraction> LongCalls { get; }

    /// <summary>
    /// Gets the video calls longer than <see cref="InteractionGenerator.MaxNaturalDurationSeconds"/>, in time order; those
    /// over 3,000 s are very long calls too.
    /// </summary>
    public IReadOnlyList<PlantedLongInteraction> LongVideoCalls { get; }

    /// <summary>Gets the hours in which a channel was in trouble, in time order (then by channel).</summary>
    public IReadOnlyList<PlantedChannelIncident> ChannelIncidents { get; }

    /// <summary>Gets the number of planted anomalies: bursts, failing agent-days, long calls, long video calls and channel incidents.</summary>
    public int Count => FailureBursts.Count + FailingAgentDays.Count + LongCalls.Count + LongVideoCalls.Count + ChannelIncidents.Count;
}

/// <summary>
/// An hour in which one channel (email, chat or voice) was in trouble: about half of its contacts that would have been
/// resolved came out problematic, so that over a third of the hour's contacts on the channel are problematic.
/// </summary>
internal sealed class PlantedChannelIncident
{
    internal PlantedChannelIncident(Channel channel, DateTimeOffset start, DateTimeOffset end)
    {
        Channel = channel;
        Start = start;
        End = end;
    }

    /// <summary>Gets the channel.</summary>
    public Channel Channel { get; }

    /// <summary>Gets the start of the hour: a whole UTC hour within the working day.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Gets the end of the hour (excluded): one hour after <see cref="Start"/>.</summary>
    public DateTimeOffset End { get; }
}

/// <summary>A customer's burst of failed contacts within one hour.</summary>
internal sealed class PlantedFailureBurst
{
    internal PlantedFailureBurst(string customerId, IReadOnlyList<string> interactionIds, DateTimeOffset firstStartTime, DateTimeOffset lastStartTime)
    {
        CustomerId = customerId;
        InteractionIds = interactionIds;
        FirstStartTime = firstStartTime;
        LastStartTime = lastStartTime;
    }

    /// <summary>Gets the customer's id.</summary>
    public string CustomerId { get; }

    /// <summary>Gets the failed interactions of the burst (5 to 7), in time order; the fifth completes the pattern.</summary>
    public IReadOnlyList<string> InteractionIds { get; }

    /// <summary>Gets the start time of the burst's first interaction.</summary>
    public DateTimeOffset FirstStartTime { get; }

    /// <summary>Gets the start time of the burst's last interaction (less than 50 minutes after the first).</summary>
    public DateTimeOffset LastStartTime { get; }
}

/// <summary>One working day of an agent who fails most contacts.</summary>
internal sealed class PlantedAgentFailureDay
{
    internal PlantedAgentFailureDay(string agentId, DateOnly date, IReadOnlyList<string> interactionIds, int failedCount)
    {
        AgentId = agentId;
        Date = date;
        InteractionIds = interactionIds;
        FailedCount = failedCount;
    }

    /// <summary>Gets the agent's id.</summary>
    public string AgentId { get; }

    /// <summary>Gets the day (UTC).</summary>
    public DateOnly Date { get; }

    /// <summary>
    /// Gets every interaction of the agent that day (12 to 18), in time order. Every third one succeeds, the others
    /// fail, so from the tenth on (7 failed of 10) the day's failure rate stays above 50 %.
    /// </summary>
    public IReadOnlyList<string> InteractionIds { get; }

    /// <summary>Gets how many of the day's interactions failed.</summary>
    public int FailedCount { get; }
}

/// <summary>A planted long interaction.</summary>
internal sealed class PlantedLongInteraction
{
    internal PlantedLongInteraction(string interactionId, string agentId, string customerId, Channel channel, DateTimeOffset startTime, double durationSeconds)
    {
        InteractionId = interactionId;
        AgentId = agentId;
        CustomerId = customerId;
        Channel = channel;
        StartTime = startTime;
        DurationSeconds = durationSeconds;
    }

    /// <summary>Gets the interaction's id.</summary>
    public string InteractionId { get; }

    /// <summary>Gets the agent's id.</summary>
    public string AgentId { get; }

    /// <summary>Gets the customer's id.</summary>
    public string CustomerId { get; }

    /// <summary>Gets the medium: <see cref="Channel.Voice"/> for long calls, <see cref="Channel.Video"/> for long video calls.</summary>
    public Channel Channel { get; }

    /// <summary>Gets the start time.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>Gets the duration in seconds.</summary>
    public double DurationSeconds { get; }
}
