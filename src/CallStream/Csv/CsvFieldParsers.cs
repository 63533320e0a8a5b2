using System.Globalization;
using System.Runtime.CompilerServices;

namespace CallStream.Csv;

/// <summary>
/// The per-field parsers of the row mapper: trimming, seconds and satisfaction scores, fast for the usual forms and
/// as the .NET parsers read anything else. Static, so the mapper's calls stay direct and inlinable.
/// </summary>
internal static class CsvFieldParsers
{
    // The powers of ten up to 1e15 are exact doubles, and so is any integer of at most 15 digits (below 2^53):
    // dividing one by the other is one correctly rounded operation, which gives what double.Parse gives.
    private const int MaxFastDigits = 15;
    private static readonly double[] PowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>Parses an invariant-culture number of seconds, as <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out double)"/> with <see cref="NumberStyles.Float"/> does.</summary>
    internal static bool TryParseSeconds(ReadOnlySpan<char> text, out double value)
    {
        // The usual forms (digits, a '.' and digits) directly; anything else (signs, exponents, long numbers) as
        // double.TryParse reads it.
        ulong mantissa = 0;
        int digits = 0, decimals = -1;
        foreach (char c in text)
        {
            uint digit = (uint)(c - '0');
            if (digit <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                digits++;
                if (decimals >= 0)
                    decimals++;
            }
            else if (c != '.' || decimals >= 0 || digits == 0)
            {
                digits = int.MaxValue;
                break;
            }
            else
            {
                decimals = 0;
            }
        }
        if (digits <= MaxFastDigits && decimals != 0)
        {
            value = decimals < 0 ? mantissa : mantissa / PowersOfTen[decimals];
            return true;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Parses a satisfaction score, an integer from 1 to 5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryParseScore(ReadOnlySpan<char> text, out int score)
    {
        if (text.Length == 1 && (uint)(text[0] - '1') <= 4)
        {
            score = text[0] - '0';
            return true;
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out score) && score is >= 1 and <= 5;
    }

    /// <summary>Trims white space from both ends, as <see cref="MemoryExtensions.Trim(ReadOnlySpan{char})"/> does, at once when the ends are visible ASCII.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ReadOnlySpan<char> Trimmed(ReadOnlySpan<char> text) =>
        text.IsEmpty || (char.IsAsciiLetterOrDigit(text[0]) && char.IsAsciiLetterOrDigit(text[^1])) ? text : text.Trim();
}
