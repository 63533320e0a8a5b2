using System.Globalization;
using System.Text;

namespace CallStream.Rules;

/// <summary>
/// Makes text taken from rules safe to show in one line of an error: <see cref="Shorten(string, int)"/> cuts a
/// long value where it is quoted, and <see cref="Escape"/> writes line breaks, terminal escape codes and
/// characters that reorder a line as escapes, the way the CSV reader shows a rejected value.
/// </summary>
internal static class DiagnosticText
{
    /// <summary>The most characters of a value (a literal, an expression, a name) quoted in an error.</summary>
    public const int MaxShownValue = 80;

    /// <summary>The most characters of a whole message or hint; a longer one is cut (it can only come from quoted values).</summary>
    public const int MaxShownMessage = 1000;

    /// <summary>Shortens text to at most <paramref name="max"/> characters, ending with <c>...</c> when cut.</summary>
    public static string Shorten(string text, int max = MaxShownValue) =>
        text.Length <= max ? text : Shorten(text.AsSpan(), max);

    /// <summary>Shortens text to at most <paramref name="max"/> characters, ending with <c>...</c> when cut.</summary>
    public static string Shorten(ReadOnlySpan<char> text, int max = MaxShownValue)
    {
        if (text.Length <= max)
            return text.ToString();
        int cut = max - 3;
        // Never cut a surrogate pair in half.
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
            cut--;
        return string.Concat(text[..cut], "...");
    }

    /// <summary>
    /// Writes <c>\n</c>, <c>\r</c>, <c>\t</c> and <c>\uXXXX</c> in place of control characters (C0, DEL, C1 —
    /// ESC among them), the line and paragraph separators U+2028 and U+2029, the bidirectional marks, embeddings,
    /// overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), and unpaired surrogates: what
    /// could break a line, forge another one or reorder it on a terminal.
    /// </summary>
    /// <returns>The text itself when nothing needs escaping.</returns>
    public static string Escape(string text)
    {
        int first = FirstToEscape(text);
        if (first < 0)
            return text;
        var escaped = new StringBuilder(text.Length + 16);
        escaped.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]);
                continue;
            }
            if (!MustEscape(c))
            {
                escaped.Append(c);
                continue;
            }
            switch (c)
            {
                case '\n': escaped.Append("\\n"); break;
                case '\r': escaped.Append("\\r"); break;
                case '\t': escaped.Append("\\t"); break;
                default: escaped.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
            }
        }
        return escaped.ToString();
    }

    /// <summary>Shortens a message or hint to <see cref="MaxShownMessage"/> characters, then escapes it.</summary>
    public static string ForMessage(string text) => Escape(Shorten(text, MaxShownMessage));

    private static int FirstToEscape(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (MustEscape(c))
                return i;
        }
        return -1;
    }

    private static bool MustEscape(char c) =>
        char.IsControl(c)
        || char.IsSurrogate(c)
        || c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F'
        || c is >= '\u202A' and <= '\u202E'
        || c is >= '\u2066' and <= '\u2069';
}
