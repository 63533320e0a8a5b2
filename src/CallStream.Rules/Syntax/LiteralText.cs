using System.Globalization;
using System.Text;

namespace CallStream.Rules;

/// <summary>The canonical text of literals: numbers, durations and strings, as the printer writes them.</summary>
internal static class LiteralText
{
    /// <summary>The largest duration magnitude in ticks the lexer accepts: 2^63 (only valid negated).</summary>
    public const decimal MaxDurationMagnitude = 9223372036854775808m;

    /// <summary>
    /// Formats a finite number as the shortest text that parses back to it, in invariant culture and without an
    /// exponent (the language has none): <c>42</c>, <c>0.5</c>, <c>-3</c>, <c>100000000000000000000</c>.
    /// </summary>
    public static string Number(double value)
    {
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOfAny(['E', 'e']);
        if (e < 0)
            return r;

        // Expand d.dddE±x into plain decimal notation.
        bool negative = r[0] == '-';
        string mantissa = r[(negative ? 1 : 0)..e];
        int exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int pointAt = (dot < 0 ? mantissa.Length : dot) + exponent;
        var sb = new StringBuilder(digits.Length + Math.Abs(exponent) + 3);
        if (negative)
            sb.Append('-');
        if (pointAt <= 0)
        {
            sb.Append("0.").Append('0', -pointAt).Append(digits);
        }
        else if (pointAt >= digits.Length)
        {
            sb.Append(digits).Append('0', pointAt - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt);
        }
        return sb.ToString();
    }

    /// <summary>
    /// Formats a duration with the largest unit that counts it exactly: <c>50m</c> for 3000 s, <c>90s</c>,
    /// <c>1d</c>, <c>0.25s</c>, <c>-5m</c>, <c>0s</c>.
    /// </summary>
    public static string Duration(TimeSpan value)
    {
        long ticks = value.Ticks;
        if (ticks == 0)
            return "0s";
        ulong magnitude = ticks < 0 ? (ulong)(-(ticks + 1)) + 1 : (ulong)ticks;
        string sign = ticks < 0 ? "-" : "";
        if (magnitude % TimeSpan.TicksPerDay == 0)
            return sign + (magnitude / TimeSpan.TicksPerDay).ToString(CultureInfo.InvariantCulture) + "d";
        if (magnitude % TimeSpan.TicksPerHour == 0)
            return sign + (magnitude / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h";
        if (magnitude % TimeSpan.TicksPerMinute == 0)
            return sign + (magnitude / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m";
        ulong seconds = magnitude / TimeSpan.TicksPerSecond;
        ulong fraction = magnitude % TimeSpan.TicksPerSecond;
        if (fraction == 0)
            return sign + seconds.ToString(CultureInfo.InvariantCulture) + "s";
        string fractionText = fraction.ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
        return sign + seconds.ToString(CultureInfo.InvariantCulture) + "." + fractionText + "s";
    }

    /// <summary>Quotes text in single quotes, escaping backslashes and single quotes.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'');
        foreach (char c in value)
        {
            if (c is '\\' or '\'')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('\'').ToString();
    }
}
