using CallStream.Text;

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

    /// <summary>Escapes what could break, forge or reorder a line on a terminal (see <see cref="TerminalText.Escape"/>).</summary>
    /// <returns>The text itself when nothing needs escaping.</returns>
    public static string Escape(string text) => TerminalText.Escape(text);

    /// <summary>Shortens a message or hint to <see cref="MaxShownMessage"/> characters, then escapes it.</summary>
    public static string ForMessage(string text) => Escape(Shorten(text, MaxShownMessage));
}
