using System.Collections.Frozen;

namespace CallStream.Rules;

/// <summary>The kinds of token of the rule language.</summary>
internal enum TokenKind
{
    EndOfInput,
    Name,
    Keyword,
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    Comma,
    Star,
    Plus,
    Minus,
    Slash,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,

    /// <summary>A malformed token; the lexer has already reported it.</summary>
    Error,
}

/// <summary>The keywords of the rule language (case-insensitive).</summary>
internal enum Keyword
{
    None,
    Rule,
    Where,
    Group,
    By,
    Window,
    Tumbling,
    Sliding,
    Having,
    Severity,
    Suppress,
    Message,
    And,
    Or,
    Not,
    In,
    Is,
    Null,
    True,
    False,
    Info,
    Warning,
    Critical,
}

/// <summary>Looks up keywords, ignoring case.</summary>
internal static class Keywords
{
    private static readonly FrozenDictionary<string, Keyword> ByName = Enum.GetValues<Keyword>()
        .Where(k => k != Keyword.None)
        .ToFrozenDictionary(k => k.ToString().ToLowerInvariant(), k => k, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, Keyword>.AlternateLookup<ReadOnlySpan<char>> ByNameSpan =
        ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Gets the keyword a name spells, or <see cref="Keyword.None"/>.</summary>
    public static Keyword Find(ReadOnlySpan<char> name) => ByNameSpan.TryGetValue(name, out var keyword) ? keyword : Keyword.None;

    /// <summary>Gets whether a name is a keyword, in any case.</summary>
    public static bool IsKeyword(string name) => ByName.ContainsKey(name);

    /// <summary>Gets the keyword's text as written by the printer (lowercase).</summary>
    public static string Text(Keyword keyword) => keyword.ToString().ToLowerInvariant();

    /// <summary>Gets whether the keyword starts a clause of a rule.</summary>
    public static bool StartsClause(Keyword keyword) =>
        keyword is Keyword.Where or Keyword.Group or Keyword.Window or Keyword.Having or Keyword.Severity or Keyword.Suppress or Keyword.Message;
}

/// <summary>A 1-based position in rule text.</summary>
/// <param name="Line">The line, from 1.</param>
/// <param name="Column">The column, from 1, counting characters (a surrogate pair counts once).</param>
internal readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}

/// <summary>One token of rule text.</summary>
internal readonly struct Token
{
    public Token(TokenKind kind, int start, int length, SourcePosition position)
    {
        Kind = kind;
        Start = start;
        Length = length;
        Position = position;
    }

    public TokenKind Kind { get; }

    /// <summary>Gets the offset of the first character in the text.</summary>
    public int Start { get; }

    /// <summary>Gets the number of characters of the token in the text.</summary>
    public int Length { get; }

    /// <summary>Gets the line and column of the first character.</summary>
    public SourcePosition Position { get; }

    /// <summary>Gets the keyword, for <see cref="TokenKind.Keyword"/>.</summary>
    public Keyword Keyword { get; init; }

    /// <summary>Gets the name for <see cref="TokenKind.Name"/>, or the unescaped value for <see cref="TokenKind.String"/>.</summary>
    public string? Text { get; init; }

    /// <summary>Gets the value of a <see cref="TokenKind.Number"/> (never negative).</summary>
    public double Number { get; init; }

    /// <summary>Gets the length of a <see cref="TokenKind.Duration"/> in ticks (never negative; may be 2^63).</summary>
    public decimal DurationTicks { get; init; }

    public bool Is(Keyword keyword) => Kind == TokenKind.Keyword && Keyword == keyword;
}
