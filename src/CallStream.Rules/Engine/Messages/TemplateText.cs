using System.Text;

namespace CallStream.Rules.Engine;

/// <summary>One piece of a message template: literal text, or a placeholder's name (the text between the braces).</summary>
/// <param name="IsPlaceholder">Whether this is a placeholder.</param>
/// <param name="Text">The literal text (braces unescaped) or the placeholder's name, trimmed.</param>
/// <param name="Column">The 1-based column where the piece starts in the template.</param>
internal readonly record struct TemplatePart(bool IsPlaceholder, string Text, int Column);

/// <summary>
/// Splits a message template into literal text and <c>{placeholders}</c>; <c>{{</c> and <c>}}</c> are literal braces.
/// Inside a placeholder, quoted strings may hold braces (<c>{count(attributes.tag = '}')}</c>).
/// </summary>
/// <remarks>
/// This is the engine's interim template reader; the language front end's <c>MessageTemplate</c> parser is meant
/// to replace <see cref="Parse"/> once merged (the renderer only needs the list of parts).
/// </remarks>
internal static class TemplateText
{
    /// <summary>Splits a template.</summary>
    /// <exception cref="FormatException">A brace is unbalanced or a placeholder is empty; the message gives the column.</exception>
    public static List<TemplatePart> Parse(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var parts = new List<TemplatePart>();
        var literal = new StringBuilder();
        int literalStart = 1;
        int i = 0;
        while (i < template.Length)
        {
            char c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                literal.Append('{');
                i += 2;
            }
            else if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                literal.Append('}');
                i += 2;
            }
            else if (c == '}')
            {
                throw new FormatException($"column {i + 1}: a single '}}' has no matching '{{'; write '}}}}' for a literal brace.");
            }
            else if (c == '{')
            {
                int end = i + 1;
                while (end < template.Length && template[end] != '}')
                {
                    if (template[end] is '\'' or '"')
                        end = SkipQuoted(template, end);
                    else
                        end++;
                }
                if (end >= template.Length)
                    throw new FormatException($"column {i + 1}: '{{' is not closed; write '{{{{' for a literal brace.");
                string name = template[(i + 1)..end].Trim();
                if (name.Length == 0)
                    throw new FormatException($"column {i + 1}: empty placeholder '{{}}'.");
                if (literal.Length > 0)
                    parts.Add(new TemplatePart(false, literal.ToString(), literalStart));
                literal.Clear();
                parts.Add(new TemplatePart(true, name, i + 1));
                i = end + 1;
                literalStart = i + 1;
            }
            else
            {
                literal.Append(c);
                i++;
            }
        }
        if (literal.Length > 0)
            parts.Add(new TemplatePart(false, literal.ToString(), literalStart));
        return parts;
    }

    /// <summary>
    /// Normalises the text of an aggregate for matching a placeholder against the canonical text: white space
    /// outside strings removed, <c>==</c> read as <c>=</c> and <c>&lt;&gt;</c> as <c>!=</c>, strings re-quoted in
    /// single quotes.
    /// </summary>
    public static string NormalizeExpression(string text)
    {
        var result = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is '\'' or '"')
            {
                int end = SkipQuoted(text, i);
                result.Append(CanonicalText.Quote(Unescape(text.AsSpan(i + 1, Math.Max(0, end - i - 2)))));
                i = end;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '=' && i + 1 < text.Length && text[i + 1] == '=')
            {
                result.Append('=');
                i += 2;
            }
            else if (c == '<' && i + 1 < text.Length && text[i + 1] == '>')
            {
                result.Append("!=");
                i += 2;
            }
            else
            {
                result.Append(c);
                i++;
            }
        }
        return result.ToString();
    }

    /// <summary>Returns the index just after the quoted string starting at <paramref name="start"/> (or the end of the text).</summary>
    private static int SkipQuoted(string text, int start)
    {
        char quote = text[start];
        int i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
                i += 2;
            else if (text[i] == quote)
                return i + 1;
            else
                i++;
        }
        return text.Length;
    }

    private static string Unescape(ReadOnlySpan<char> quoted)
    {
        var result = new StringBuilder(quoted.Length);
        for (int i = 0; i < quoted.Length; i++)
        {
            if (quoted[i] == '\\' && i + 1 < quoted.Length)
                i++;
            result.Append(quoted[i]);
        }
        return result.ToString();
    }
}
