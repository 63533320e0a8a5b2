using System.Globalization;
using System.Text;

namespace CallStream.Text;

/// <summary>
/// Makes text from outside (a file name, a field value, a rule's source, a system message quoting them) safe to print
/// in one line on a terminal: a line break or an escape code in it cannot break an error line, forge another one or
/// reorder it. One definition for the CLI's messages and the rule diagnostics.
/// </summary>
internal static class TerminalText
{
    /// <summary>
    /// Writes <c>\n</c>, <c>\r</c>, <c>\t</c> and <c>\uXXXX</c> in place of control characters (C0, DEL, C1 — ESC
    /// among them), the line and paragraph separators U+2028 and U+2029, the bidirectional marks, embeddings,
    /// overrides and isolates (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), and unpaired surrogates.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The text itself when nothing needs escaping. Escaping twice changes nothing more.</returns>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
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
