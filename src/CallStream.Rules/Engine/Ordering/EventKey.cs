namespace CallStream.Rules.Engine;

/// <summary>
/// The event-time order of interactions: by event time (<see cref="EventTimes"/>), ties by interaction id (ordinal), and copies of one id at
/// one instant by their content, so that which copy comes first never depends on the order they arrived in.
/// </summary>
internal readonly record struct EventKey(long Ticks, Interaction Event) : IComparable<EventKey>
{
    /// <summary>Gets the key of an interaction, its event time computed once here.</summary>
    /// <param name="interaction">The interaction.</param>
    /// <param name="end">Whether the event time is the end time (<see cref="EventTimeMode.End"/>) rather than the start time.</param>
    public static EventKey Of(Interaction interaction, bool end) => new(EventTimes.Of(interaction, end), interaction);

    /// <summary>Gets the interaction id.</summary>
    public string Id => Event.InteractionId;

    // The orderer compares keys about three times per event and their times nearly always differ: this part is kept
    // small enough for the JIT to inline, the tie-break apart.
    public int CompareTo(EventKey other) =>
        Ticks != other.Ticks ? (Ticks < other.Ticks ? -1 : 1) : CompareTie(other);

    private int CompareTie(EventKey other)
    {
        if (ReferenceEquals(Event, other.Event))
            return 0;
        int byId = string.CompareOrdinal(Event.InteractionId, other.Event.InteractionId);
        return byId != 0 ? byId : CompareContent(Event, other.Event);
    }

    /// <summary>Orders two interactions with the same id and event time by their other fields; 0 when they are equal (<see cref="Interaction.Equals(Interaction)"/>).</summary>
    internal static int CompareContent(Interaction x, Interaction y)
    {
        int c = string.CompareOrdinal(x.CustomerId, y.CustomerId);
        if (c == 0)
            c = string.CompareOrdinal(x.AgentId, y.AgentId);
        if (c == 0)
            c = x.Channel.CompareTo(y.Channel);
        if (c == 0)
            c = x.Outcome.CompareTo(y.Outcome);
        if (c == 0)
            c = x.DurationSeconds.CompareTo(y.DurationSeconds);
        if (c == 0)
            c = Nullable.Compare(x.Satisfaction, y.Satisfaction);
        return c != 0 ? c : CompareAttributes(x.Attributes, y.Attributes);
    }

    /// <summary>Orders attribute maps as <see cref="AttributeMap.Equals(AttributeMap)"/> sees them: as sets of name and value, in any column order.</summary>
    private static int CompareAttributes(AttributeMap x, AttributeMap y)
    {
        if (ReferenceEquals(x, y))
            return 0;
        int c = x.Count.CompareTo(y.Count);
        if (c != 0)
            return c;
        var xs = x.OrderBy(a => a.Key, StringComparer.Ordinal).ToArray();
        var ys = y.OrderBy(a => a.Key, StringComparer.Ordinal).ToArray();
        for (int i = 0; i < xs.Length && c == 0; i++)
        {
            c = string.CompareOrdinal(xs[i].Key, ys[i].Key);
            if (c == 0)
                c = string.CompareOrdinal(xs[i].Value, ys[i].Value);
        }
        return c;
    }

    public static bool operator <(EventKey left, EventKey right) => left.CompareTo(right) < 0;

    public static bool operator >(EventKey left, EventKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(EventKey left, EventKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EventKey left, EventKey right) => left.CompareTo(right) >= 0;
}
