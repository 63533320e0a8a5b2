using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using CallStream.Rules;

namespace CallStream.Cli.Commands;

/// <summary>Parsers of option values that report a bad value as a parse error (exit code 2) naming the option.</summary>
internal static class OptionParsers
{
    /// <summary>Parses a whole number from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    /// <param name="result">The option's tokens.</param>
    /// <param name="option">The option's name, for the message.</param>
    /// <param name="minimum">The smallest value allowed.</param>
    /// <param name="maximum">The largest value allowed.</param>
    /// <returns>The value (0 after an error).</returns>
    public static long ParseWholeNumber(ArgumentResult result, string option, long minimum = 1, long maximum = long.MaxValue)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value >= minimum && value <= maximum)
            return value;
        result.AddError(maximum == long.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{option} must be a whole number from {minimum}, not '{token}'.")
            : string.Create(CultureInfo.InvariantCulture, $"{option} must be a whole number from {minimum} to {maximum}, not '{token}'."));
        return 0;
    }

    /// <summary>Parses a seed: any 64-bit whole number.</summary>
    /// <param name="result">The option's tokens.</param>
    /// <returns>The value (0 after an error).</returns>
    public static long ParseSeed(ArgumentResult result)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            return value;
        result.AddError($"--seed must be a whole number (64-bit), not '{token}'.");
        return 0;
    }

    /// <summary>Parses a duration such as <c>5s</c>, <c>2m</c> or a number of seconds (see <see cref="DurationText"/>).</summary>
    /// <param name="result">The option's tokens.</param>
    /// <param name="option">The option's name, for the message.</param>
    /// <param name="allowZero">Whether zero is allowed (negative values never are).</param>
    /// <returns>The duration (zero after an error).</returns>
    public static TimeSpan ParseDuration(ArgumentResult result, string option, bool allowZero)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (DurationText.TryParse(token, out var value) && (value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero)))
            return value;
        result.AddError($"{option} must be a duration such as 5s, 90s, 2m or 1h (or a number of seconds){(allowZero ? "" : " greater than 0")}, not '{token}'.");
        return TimeSpan.Zero;
    }

    /// <summary>Creates the <c>--event-time start|end</c> option shared by <c>replay</c>, <c>consume</c> and <c>demo</c>.</summary>
    /// <returns>The option; its value is <see langword="null"/> when not given (the default, start).</returns>
    public static Option<EventTimeMode?> EventTimeOption() => new("--event-time")
    {
        Description = "Which instant is an interaction's event time: start (its start_time) or end (start_time + duration_seconds, "
            + "for a feed written when each contact ends). Ordering, windows, suppression and triggeredAt use it. [default: start]",
        HelpName = "start|end",
        CustomParser = r => ParseStartOrEnd(r, "--event-time"),
    };

    /// <summary>Parses <c>start</c> or <c>end</c> (in any case) as an <see cref="EventTimeMode"/>.</summary>
    /// <param name="result">The option's tokens.</param>
    /// <param name="option">The option's name, for the message.</param>
    /// <returns>The value (<see langword="null"/> after an error).</returns>
    public static EventTimeMode? ParseStartOrEnd(ArgumentResult result, string option)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (string.Equals(token, "start", StringComparison.OrdinalIgnoreCase))
            return EventTimeMode.Start;
        if (string.Equals(token, "end", StringComparison.OrdinalIgnoreCase))
            return EventTimeMode.End;
        result.AddError($"{option} must be start or end, not '{token}'.");
        return null;
    }
}
