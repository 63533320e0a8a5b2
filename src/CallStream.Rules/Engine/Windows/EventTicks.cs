namespace CallStream.Rules.Engine;

/// <summary>Arithmetic on event time in UTC ticks, saturating instead of overflowing at the ends of the calendar.</summary>
internal static class EventTicks
{
    /// <summary>1970-01-01T00:00:00Z in ticks: tumbling windows are counted from here (spec point 5).</summary>
    public const long UnixEpoch = 621_355_968_000_000_000;

    public static long Add(long ticks, long span) => ticks > long.MaxValue - span ? long.MaxValue : ticks + span;

    public static long Subtract(long ticks, long span) => ticks < long.MinValue + span ? long.MinValue : ticks - span;

    /// <summary>Gets k such that the instant falls in <c>[k*W, (k+1)*W)</c> since the Unix epoch.</summary>
    public static long WindowIndex(long ticks, long window)
    {
        long relative = ticks - UnixEpoch;
        long k = relative / window;
        if (relative % window < 0)
            k--;
        return k;
    }

    /// <summary>Gets the start of tumbling window k in ticks.</summary>
    public static long WindowStart(long k, long window) => UnixEpoch + (k * window);

    /// <summary>Converts ticks to a UTC instant, clamped to the representable range.</summary>
    public static DateTimeOffset ToInstant(long ticks) =>
        new(Math.Clamp(ticks, DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
}
