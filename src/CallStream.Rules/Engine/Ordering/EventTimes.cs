namespace CallStream.Rules.Engine;

/// <summary>The event time of an interaction in UTC ticks, under an <see cref="EventTimeMode"/>.</summary>
internal static class EventTimes
{
    private static readonly long MaxTicks = DateTimeOffset.MaxValue.UtcTicks;

    /// <summary>Gets the event time of an interaction: its start time, or with <paramref name="end"/> its start time plus its duration.</summary>
    /// <param name="interaction">The interaction.</param>
    /// <param name="end">Whether the event time is the end time (<see cref="EventTimeMode.End"/>).</param>
    /// <returns>UTC ticks; an end past the calendar's last instant is clamped to it.</returns>
    public static long Of(Interaction interaction, bool end)
    {
        long start = interaction.StartTime.UtcTicks;
        return end ? EndTicks(start, interaction.DurationSeconds) : start;
    }

    /// <summary>Gets the end time in UTC ticks: the duration rounded to the nearest tick, the sum clamped to the calendar.</summary>
    public static long EndTicks(long startTicks, double durationSeconds)
    {
        double span = Math.Round(durationSeconds * TimeSpan.TicksPerSecond);
        double room = MaxTicks - startTicks;
        return span >= room ? MaxTicks : startTicks + (long)span;
    }
}
