namespace CallStream.Rules.Engine;

/// <summary>The event time of an interaction in UTC ticks, under an <see cref="EventTimeMode"/>.</summary>
internal static class EventTimes
{
    /// <summary>Gets the event time of an interaction: its start time, or with <paramref name="end"/> its start time plus its duration.</summary>
    /// <param name="interaction">The interaction.</param>
    /// <param name="end">Whether the event time is the end time (<see cref="EventTimeMode.End"/>).</param>
    /// <returns>UTC ticks; an end past the calendar's last instant is clamped to it.</returns>
    public static long Of(Interaction interaction, bool end) =>
        end ? EndOf(interaction) : interaction.StartTime.UtcTicks; // small, so that the per-event callers inline it

    private static long EndOf(Interaction interaction) => InteractionEnd.Ticks(interaction.StartTime.UtcTicks, interaction.DurationSeconds);
}
