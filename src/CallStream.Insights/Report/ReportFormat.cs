using System.Globalization;

namespace CallStream.Insights;

/// <summary>How the report writes numbers, durations and days (invariant culture, the same in the notes and the page).</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Day(DateTime day) => day.ToString("yyyy-MM-dd", Invariant);

    public static string Count(long value) => value.ToString("#,0", Invariant);

    public static string Percent(double share) => share is > 0 and < 0.0005 ? "under 0.1%" : (share * 100).ToString("0.0", Invariant) + "%";

    public static string Number(double value, string format = "0.0") => value.ToString(format, Invariant);

    public static string Seconds(double seconds) => seconds.ToString("#,0.#", Invariant) + " s";

    /// <summary>A duration in the unit that reads best: seconds under two minutes, minutes under two hours, hours above.</summary>
    public static string Duration(double seconds) => seconds switch
    {
        < 120 => seconds.ToString("0", Invariant) + " s",
        < 7200 => (seconds / 60).ToString("0.0", Invariant) + " min",
        _ => (seconds / 3600).ToString("#,0.0", Invariant) + " h",
    };

    public static string Satisfaction(double? value) => value is double v ? v.ToString("0.00", Invariant) + " / 5" : "no ratings";

    public static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", Invariant) + " UTC";

    public static string Instant(DateTimeOffset instant) => Instant(instant.UtcDateTime);

    public static double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}
