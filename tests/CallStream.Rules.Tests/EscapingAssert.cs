namespace CallStream.Rules.Tests;

/// <summary>Checks that an error is one line a terminal shows as written: no line break, escape code or reordering mark.</summary>
internal static class EscapingAssert
{
    public static void IsOneCleanLine(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (pair)
            {
                i++;
                continue;
            }
            bool forbidden = char.IsControl(c) || char.IsSurrogate(c)
                || c is '\u2028' or '\u2029' or '\u061C' or '\u200E' or '\u200F'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
            Assert.False(forbidden, $"U+{(int)c:X4} at {i} in: {text.Replace("\u001b", "<ESC>", StringComparison.Ordinal)}");
        }
    }
}
