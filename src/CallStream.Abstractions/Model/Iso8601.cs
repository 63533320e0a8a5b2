using System.Globalization;
using System.Runtime.CompilerServices;
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
        int year = Number(text, 0, 4), month = Number(text, 5, 2), day = Number(text, 8, 2);
        if ((year | month | day) < 0 || text[4] != '-' || text[7] != '-')
            return false;
        char sep = text[10];
        if (sep != 'T' && sep != 't' && sep != ' ')
            return false;
        int hour = Number(text, 11, 2), minute = Number(text, 14, 2);
        if ((hour | minute) < 0 || text[13] != ':')
            return false;
        int pos = 16;
        int second = 0;
        long fractionTicks = 0;
        if (pos < text.Length && text[pos] == ':')
        {
            second = Number(text, pos + 1, 2);
            if (second < 0)
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

        long offsetTicks = 0;
        if (pos < text.Length)
        {
            char z = text[pos];
            if (z is 'Z' or 'z')
            {
                pos++;
            }
            else if (z is '+' or '-')
            {
                int oh = Number(text, pos + 1, 2);
                if (oh < 0)
                    return false;
                pos += 3;
                int om = 0;
                if (pos < text.Length)
                {
                    if (text[pos] == ':')
                        pos++;
                    om = Number(text, pos, 2);
                    if (om < 0)
                        return false;
                    pos += 2;
                }
                if (oh > 14 || om > 59)
                    return false;
                offsetTicks = (oh * TimeSpan.TicksPerHour) + (om * TimeSpan.TicksPerMinute);
                if (z == '-')
                    offsetTicks = -offsetTicks;
            }
            else
            {
                return false;
            }
        }
        if (pos != text.Length)
            return false;

        if (year < 1 || month is < 1 or > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
            return false;
        bool leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
        if (day > DaysInMonth[month - 1] + (leap && month == 2 ? 1 : 0))
            return false;
        // Days from 0001-01-01 (proleptic Gregorian), as DateTime counts them.
        int y = year - 1;
        long days = (y * 365L) + (y / 4) - (y / 100) + (y / 400) + DaysBeforeMonth[month - 1] + (leap && month > 2 ? 1 : 0) + day - 1;
        long ticks = (days * TimeSpan.TicksPerDay) + (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute)
            + (second * TimeSpan.TicksPerSecond) + fractionTicks - offsetTicks;
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

    private static ReadOnlySpan<byte> DaysInMonth => [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

    private static ReadOnlySpan<short> DaysBeforeMonth => [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

    /// <summary>Reads <paramref name="count"/> ASCII digits at <paramref name="start"/>; -1 when they are not all there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Number(ReadOnlySpan<char> text, int start, int count)
    {
        if (start + count > text.Length)
            return -1;
        int value = 0;
        for (int i = start; i < start + count; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
                return -1;
            value = (value * 10) + (int)digit;
        }
        return value;
    }
}
