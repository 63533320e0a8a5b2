using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace CallStream.Rules;

/// <summary>
/// The text form of rules (spec/rules.md): parses rule files into <see cref="RuleSet"/>s with compiler-grade
/// diagnostics, and prints any rule model back as canonical text that parses to an equal model.
/// </summary>
public static class RuleText
{
    /// <summary>The file name used in diagnostics when none is given.</summary>
    public const string DefaultFileName = "<rules>";

    /// <summary>The longest rule text accepted, in characters (1 MiB).</summary>
    public const int MaxInputLength = 1 << 20;

    /// <summary>The deepest nesting of parentheses, <c>not</c>, unary minus and aggregate calls accepted.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>The most rules accepted in one text.</summary>
    public const int MaxRules = 10_000;

    /// <summary>The most tokens accepted in one text.</summary>
    public const int MaxTokens = 500_000;

    /// <summary>The most diagnostics reported for one text; the parse stops after them.</summary>
    public const int MaxDiagnostics = 100;

    /// <summary>
    /// The longest name accepted, in characters: a rule's name, and an attribute's name (the <c>NAME</c> of
    /// <c>attributes.NAME</c>). A rule's name is part of every alert it raises, so it stays short.
    /// </summary>
    public const int MaxNameLength = 128;

    /// <summary>
    /// The longest string accepted, in characters (escapes counted once): a string literal in a condition, and a
    /// rule's message template. A template's rendered values (ids, attributes) come on top of this.
    /// </summary>
    public const int MaxStringLength = 4096;

    /// <summary>Parses rule text, reporting every error at once.</summary>
    /// <param name="text">The rules.</param>
    /// <param name="fileName">The name shown in diagnostics.</param>
    /// <returns>The rule set, or the diagnostics when the text has errors (then no rule set: the text is rejected as a whole).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="fileName"/> is null.</exception>
    public static RuleParseResult Parse(string text, string fileName = DefaultFileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        return Parser.ParseRuleSet(text, fileName);
    }

    /// <summary>Reads and parses a rule file (UTF-8, with or without a byte order mark).</summary>
    /// <param name="path">The file; diagnostics name it as given.</param>
    /// <returns>The rule set, or the diagnostics when the file has errors.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static RuleParseResult ParseFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (TooLarge(path) is { } tooLarge)
            return tooLarge;
        byte[] bytes = File.ReadAllBytes(path);
        return ParseBytes(bytes, path);
    }

    /// <summary>Reads and parses a rule file (UTF-8, with or without a byte order mark) asynchronously.</summary>
    /// <param name="path">The file; diagnostics name it as given.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rule set, or the diagnostics when the file has errors.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<RuleParseResult> ParseFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (TooLarge(path) is { } tooLarge)
            return tooLarge;
        byte[] bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return ParseBytes(bytes, path);
    }

    /// <summary>Prints rules as canonical text: one blank line between rules, each clause on its own line.</summary>
    /// <param name="rules">The rules.</param>
    /// <returns>The text; empty for an empty set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> is null.</exception>
    public static string Print(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return RulePrinter.Print(rules);
    }

    /// <summary>Prints a rule as canonical text, ending with a newline.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rule"/> is null.</exception>
    public static string Print(Rule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return RulePrinter.Print(rule);
    }

    /// <summary>
    /// Prints an expression as canonical text, such as <c>count(*)</c> or <c>rate(outcome = 'failed') &gt; 0.5</c>.
    /// The text of an aggregate is the key of its value in an alert's <c>values</c>.
    /// </summary>
    /// <param name="expression">The expression.</param>
    /// <returns>The text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is null.</exception>
    public static string Print(Expr expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return RulePrinter.Print(expression);
    }

    /// <summary>Formats a duration as the language writes it, in its largest exact unit (<c>50m</c> for 3000 seconds).</summary>
    /// <param name="duration">The duration.</param>
    /// <returns>The text, for example <c>1h</c>, <c>90s</c> or <c>0.5s</c>.</returns>
    internal static string FormatDuration(TimeSpan duration) => LiteralText.Duration(duration);

    private static RuleParseResult? TooLarge(string path)
    {
        // UTF-8 needs at most 3 bytes per UTF-16 character, plus a byte order mark.
        long length = new FileInfo(path).Length;
        if (length <= (3L * MaxInputLength) + 3)
            return null;
        return new RuleParseResult(path, null,
        [
            new Diagnostic(path, 1, 1,
                $"the rule file is too large: {length.ToString(CultureInfo.InvariantCulture)} bytes, the limit is {MaxInputLength.ToString(CultureInfo.InvariantCulture)} characters",
                "split the rules into several files"),
        ]);
    }

    private static RuleParseResult ParseBytes(byte[] bytes, string path)
    {
        var source = bytes.AsSpan();
        if (source.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            source = source[3..];
        var chars = new char[source.Length];
        var status = Utf8.ToUtf16(source, chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            var (line, column) = PositionOfByte(source, read);
            return new RuleParseResult(path, null,
                [new Diagnostic(path, line, column, "the file is not valid UTF-8 text", "save the rules as UTF-8")]);
        }
        return Parse(new string(chars, 0, written), path);
    }

    private static (int Line, int Column) PositionOfByte(ReadOnlySpan<byte> bytes, int offset)
    {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        // Count characters (UTF-8 lead bytes) between the line start and the offset.
        int column = 1;
        for (int i = lineStart; i < offset && i < bytes.Length; i++)
        {
            if ((bytes[i] & 0xC0) != 0x80)
                column++;
        }
        return (line, column);
    }
}
