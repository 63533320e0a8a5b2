namespace CallStream.Rules.Engine;

/// <summary>The event-time order of interactions: by start time, ties by interaction id (ordinal).</summary>
internal readonly record struct EventKey(long Ticks, string Id) : IComparable<EventKey>
{
    public static EventKey Of(Interaction interaction) => new(interaction.StartTime.UtcTicks, interaction.InteractionId);

    public int CompareTo(EventKey other)
    {
        int byTime = Ticks.CompareTo(other.Ticks);
        return byTime != 0 ? byTime : string.CompareOrdinal(Id, other.Id);
    }

    public static bool operator <(EventKey left, EventKey right) => left.CompareTo(right) < 0;

    public static bool operator >(EventKey left, EventKey right) => left.CompareTo(right) > 0;

    public static bool operator <=(EventKey left, EventKey right) => left.CompareTo(right) <= 0;

    public static bool operator >=(EventKey left, EventKey right) => left.CompareTo(right) >= 0;
}
