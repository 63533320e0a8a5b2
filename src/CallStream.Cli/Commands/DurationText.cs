using System.Globalization;

namespace CallStream.Cli.Commands;

/// <summary>Parses the durations of command-line options: a number followed by <c>s</c>, <c>m</c>, <c>h</c> or <c>d</c>, or a plain number of seconds.</summary>
internal static class DurationText
{
    private static readonly (TimeSpan Unit, string Suffix)[] Units =
    [
        (TimeSpan.FromDays(1), "d"),
        (TimeSpan.FromHours(1), "h"),
        (TimeSpan.FromMinutes(1), "m"),
        (TimeSpan.FromSeconds(1), "s"),
    ];

    /// <summary>Parses a duration such as <c>5s</c>, <c>1.5h</c> or <c>30</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The duration.</param>
    /// <returns><see langword="true"/> when the text is a duration.</returns>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        text = text.Trim();
        double unit = char.ToLowerInvariant(text[^1]) switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => 0,
        };
        string number = unit == 0 ? text : text[..^1];
        if (unit == 0)
            unit = 1;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount) || !double.IsFinite(amount))
            return false;
        double seconds = amount * unit;
        if (seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            return false;
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>Formats a duration as the options take it: <c>5s</c>, <c>10m</c>, <c>2h</c>, <c>1d</c>, or <c>1.5s</c>.</summary>
    /// <param name="value">The duration, not negative.</param>
    /// <returns>The text in the largest unit that shows the duration as a whole number (seconds otherwise).</returns>
    public static string Format(TimeSpan value)
    {
        var invariant = CultureInfo.InvariantCulture;
        if (value > TimeSpan.Zero)
        {
            foreach (var (unit, suffix) in Units)
            {
                if (value.Ticks % unit.Ticks == 0)
                    return (value.Ticks / unit.Ticks).ToString(invariant) + suffix;
            }
        }
        return value.TotalSeconds.ToString("0.###", invariant) + "s";
    }
}
