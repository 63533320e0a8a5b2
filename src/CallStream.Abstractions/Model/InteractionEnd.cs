namespace CallStream;

/// <summary>
/// When an interaction ends, in UTC ticks: its start time plus its duration rounded to the nearest tick, clamped to the
/// calendar. The one definition of the end-time event time (spec/rules.md, <c>EventTimeMode.End</c>) for the rule
/// engine, the repartition forwarder and the generator's end order, which must agree to the tick.
/// </summary>
internal static class InteractionEnd
{
    private static readonly long MaxTicks = DateTimeOffset.MaxValue.UtcTicks;

    /// <summary>Gets the end of an interaction in UTC ticks.</summary>
    public static long Ticks(Interaction interaction) => Ticks(interaction.StartTime.UtcTicks, interaction.DurationSeconds);

    /// <summary>Gets the end in UTC ticks of an interaction that starts at <paramref name="startTicks"/> and lasts <paramref name="durationSeconds"/>.</summary>
    public static long Ticks(long startTicks, double durationSeconds)
    {
        double span = Math.Round(durationSeconds * TimeSpan.TicksPerSecond);
        double room = MaxTicks - startTicks;
        return span >= room ? MaxTicks : startTicks + (long)span;
    }
}
