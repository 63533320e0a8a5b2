using System.Globalization;
using System.Text;

namespace CallStream;

/// <summary>
/// Parses and formats the ISO-8601 instants of the data contract: <c>YYYY-MM-DDThh:mm[:ss[.fffffff]]</c> with
/// <c>Z</c>, an offset (<c>+02:00</c>, <c>+0200</c>, <c>+02</c>) or none (UTC); a space may stand for the <c>T</c>.
/// Values are normalised to UTC. The parser is strict (no culture-dependent guessing) and allocation-free.
/// </summary>
public static class Iso8601
{
    /// <summary>Parses an instant.</summary>
    /// <param name="text">The text, for example <c>2024-03-01T09:15:00+01:00</c>.</param>
    /// <param name="value">The instant, with offset zero.</param>
    /// <returns><see langword="true"/> when the text is a valid ISO-8601 instant.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        value = default;
        text = text.Trim();
        // YYYY-MM-DD?hh:mm is the shortest form: 16 characters.
        if (text.Length < 16 || text.Length > 40)
            return false;
        if (!Digits(text, 0, 4, out int year) || text[4] != '-' || !Digits(text, 5, 2, out int month) || text[7] != '-'
            || !Digits(text, 8, 2, out int day))
            return false;
        char sep = text[10];
        if (sep != 'T' && sep != 't' && sep != ' ')
            return false;
        if (!Digits(text, 11, 2, out int hour) || text[13] != ':' || !Digits(text, 14, 2, out int minute))
            return false;
        int pos = 16;
        int second = 0;
        long fractionTicks = 0;
        if (pos < text.Length && text[pos] == ':')
        {
            if (!Digits(text, pos + 1, 2, out second))
                return false;
            pos += 3;
            if (pos < text.Length && (text[pos] == '.' || text[pos] == ','))
            {
                pos++;
                int start = pos;
                long scale = TimeSpan.TicksPerSecond;
                while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                {
                    if (pos - start < 7)
                    {
                        scale /= 10;
                        fractionTicks += (text[pos] - '0') * scale;
                    }
                    pos++;
                }
                if (pos == start)
                    return false;
            }
        }

        TimeSpan offset = TimeSpan.Zero;
        if (pos < text.Length)
        {
            char z = text[pos];
            if (z is 'Z' or 'z')
            {
                pos++;
            }
            else if (z is '+' or '-')
            {
                int sign = z == '+' ? 1 : -1;
                if (!Digits(text, pos + 1, 2, out int oh))
                    return false;
                pos += 3;
                int om = 0;
                if (pos < text.Length)
                {
                    if (text[pos] == ':')
                        pos++;
                    if (!Digits(text, pos, 2, out om))
                        return false;
                    pos += 2;
                }
                if (oh > 14 || om > 59)
                    return false;
                offset = new TimeSpan(sign * oh, sign * om, 0);
            }
            else
            {
                return false;
            }
        }
        if (pos != text.Length)
            return false;

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year == 0 ? 1 : year, month) || year < 1
            || hour > 23 || minute > 59 || second > 59)
            return false;
        long ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks - offset.Ticks;
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            return false;
        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    /// <summary>Parses an instant from UTF-8 text.</summary>
    /// <param name="utf8">The UTF-8 bytes.</param>
    /// <param name="value">The instant, with offset zero.</param>
    /// <returns><see langword="true"/> when the text is a valid ISO-8601 instant.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out DateTimeOffset value)
    {
        if (utf8.Length > 64)
        {
            value = default;
            return false;
        }
        Span<char> chars = stackalloc char[64];
        if (!Encoding.UTF8.TryGetChars(utf8, chars, out int written))
        {
            value = default;
            return false;
        }
        return TryParse(chars[..written], out value);
    }

    /// <summary>Formats an instant as UTC ISO-8601 with a <c>Z</c>, without a fraction when it is zero (<c>2024-03-01T08:15:00Z</c>).</summary>
    /// <param name="value">The instant.</param>
    /// <returns>The text.</returns>
    public static string Format(DateTimeOffset value)
    {
        DateTime utc = value.UtcDateTime;
        return utc.Ticks % TimeSpan.TicksPerSecond == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
    }

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        if (start + count > text.Length)
            return false;
        for (int i = start; i < start + count; i++)
        {
            char c = text[i];
            if (!char.IsAsciiDigit(c))
                return false;
            value = (value * 10) + (c - '0');
        }
        return true;
    }
}
