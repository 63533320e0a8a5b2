using System.Globalization;

namespace CallStream.Rules.Engine;

/// <summary>
/// Formats numbers for messages and keys in invariant culture: whole numbers without decimals (<c>5</c>), others
/// in the shortest text that round-trips (<c>312.5</c>), null as <c>null</c>. Aggregate values in messages are
/// first rounded to at most <see cref="AggregateDecimals"/> decimals (<c>0.6667</c>); <see cref="Alert.Values"/>
/// keep the exact values.
/// </summary>
internal static class NumberText
{
    /// <summary>The decimals aggregate values keep in messages.</summary>
    public const int AggregateDecimals = 4;

    // Beyond 2^53 not every whole number is a double; "R" is exact there.
    private const double WholeLimit = 9007199254740992d;

    /// <summary>Formats a value exactly.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value))
            return FieldText.NullText;
        if (value == Math.Floor(value) && Math.Abs(value) < WholeLimit)
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Formats an aggregate value, rounded to <see cref="AggregateDecimals"/> decimals (midpoints away from zero).</summary>
    public static string FormatAggregate(double value) =>
        double.IsFinite(value) ? Format(Math.Round(value, AggregateDecimals, MidpointRounding.AwayFromZero)) : Format(value);
}
