using System.Globalization;
using System.Text;

namespace CallStream.Rules;

/// <summary>
/// Splits rule text into tokens with exact 1-based line and column positions. Malformed tokens are reported
/// and come out as <see cref="TokenKind.Error"/> tokens, so the parser neither stops nor reports them twice.
/// </summary>
internal sealed class Lexer
{
    private const string AttributesPrefix = "attributes";

    private readonly string _text;
    private readonly DiagnosticBag _diagnostics;
    private readonly StringBuilder _buffer = new();
    private int _pos;
    private int _line = 1;
    private int _column = 1;

    public Lexer(string text, DiagnosticBag diagnostics)
    {
        _text = text;
        _diagnostics = diagnostics;
        if (_text.Length > 0 && _text[0] == '\uFEFF')
            _pos = 1;
    }

    /// <summary>Reads every token, ending with <see cref="TokenKind.EndOfInput"/>.</summary>
    /// <param name="maxTokens">The most tokens to read before reporting the limit.</param>
    /// <returns>The tokens, or <see langword="null"/> when the limit was exceeded (reported).</returns>
    public List<Token>? Tokenize(int maxTokens)
    {
        var tokens = new List<Token>();
        while (true)
        {
            var token = Next();
            if (token.Kind == TokenKind.EndOfInput)
            {
                tokens.Add(token);
                return tokens;
            }
            if (tokens.Count == maxTokens)
            {
                _diagnostics.Add(token.Position, $"too many tokens: the limit is {maxTokens.ToString(CultureInfo.InvariantCulture)}",
                    "split the rules into several files");
                return null;
            }
            tokens.Add(token);
        }
    }

    private SourcePosition Position => new(_line, _column);

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private bool AtEnd => _pos >= _text.Length;

    private void Advance()
    {
        char c = _text[_pos++];
        if (c == '\n')
        {
            _line++;
            _column = 1;
        }
        else if (c == '\r')
        {
            if (_pos < _text.Length && _text[_pos] == '\n')
                _pos++;
            _line++;
            _column = 1;
        }
        else if (!(char.IsLowSurrogate(c) && _pos >= 2 && char.IsHighSurrogate(_text[_pos - 2])))
        {
            _column++;
        }
    }

    private Token Next()
    {
        SkipTrivia();
        var start = Position;
        int startPos = _pos;
        if (AtEnd)
            return new Token(TokenKind.EndOfInput, _pos, 0, start);

        char c = Peek();
        if (char.IsAsciiLetter(c) || c == '_')
            return LexName(startPos, start);
        if (char.IsAsciiDigit(c))
            return LexNumber(startPos, start);
        if (c is '\'' or '"')
            return LexString(startPos, start);

        Advance();
        TokenKind kind;
        switch (c)
        {
            case '(': kind = TokenKind.LeftParen; break;
            case ')': kind = TokenKind.RightParen; break;
            case ',': kind = TokenKind.Comma; break;
            case '*': kind = TokenKind.Star; break;
            case '+': kind = TokenKind.Plus; break;
            case '-': kind = TokenKind.Minus; break;
            case '/': kind = TokenKind.Slash; break;
            case '=':
                if (Peek() == '=')
                    Advance();
                kind = TokenKind.Equal;
                break;
            case '!' when Peek() == '=':
                Advance();
                kind = TokenKind.NotEqual;
                break;
            case '<':
                if (Peek() == '=')
                {
                    Advance();
                    kind = TokenKind.LessOrEqual;
                }
                else if (Peek() == '>')
                {
                    Advance();
                    kind = TokenKind.NotEqual;
                }
                else
                {
                    kind = TokenKind.Less;
                }
                break;
            case '>':
                if (Peek() == '=')
                {
                    Advance();
                    kind = TokenKind.GreaterOrEqual;
                }
                else
                {
                    kind = TokenKind.Greater;
                }
                break;
            default:
                return UnexpectedCharacter(c, startPos, start);
        }
        return new Token(kind, startPos, _pos - startPos, start);
    }

    private Token UnexpectedCharacter(char c, int startPos, SourcePosition start)
    {
        string shown = char.IsHighSurrogate(c) && !AtEnd && char.IsLowSurrogate(Peek())
            ? _text.Substring(startPos, 2)
            : c.ToString();
        if (shown.Length == 2)
            Advance();
        string? hint = c switch
        {
            '!' => "write 'not' for negation and '!=' for 'not equal'",
            '&' => "write 'and'",
            '|' => "write 'or'",
            '.' => "numbers are written like 3.5, attributes like attributes.region",
            _ => null,
        };
        string display = char.IsControl(c) ? $"U+{(int)c:X4}" : shown;
        _diagnostics.Add(start, $"unexpected character '{display}'", hint);
        if (c is '&' or '|' && Peek() == c)
            Advance();
        return new Token(TokenKind.Error, startPos, _pos - startPos, start);
    }

    private void SkipTrivia()
    {
        while (!AtEnd)
        {
            char c = Peek();
            if (c == '#')
            {
                while (!AtEnd && Peek() is not ('\n' or '\r'))
                    Advance();
            }
            else if (char.IsWhiteSpace(c))
            {
                Advance();
            }
            else
            {
                return;
            }
        }
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private Token LexName(int startPos, SourcePosition start)
    {
        while (!AtEnd && IsNameChar(Peek()))
            Advance();
        var word = _text.AsSpan(startPos, _pos - startPos);

        // attributes.NAME is one token; so is any other dotted name (reported later as an unknown field).
        if (Peek() == '.')
        {
            char after = Peek(1);
            if (char.IsAsciiLetter(after) || after == '_')
            {
                Advance();
                while (!AtEnd && IsNameChar(Peek()))
                    Advance();
                return new Token(TokenKind.Name, startPos, _pos - startPos, start) { Text = _text[startPos.._pos] };
            }
            if (word.SequenceEqual(AttributesPrefix))
            {
                Advance();
                var at = Position;
                _diagnostics.Add(at, "expected an attribute name after 'attributes.'",
                    "attribute names use letters, digits and '_', not starting with a digit");
                while (!AtEnd && IsNameChar(Peek()))
                    Advance();
                return new Token(TokenKind.Error, startPos, _pos - startPos, start);
            }
        }

        var keyword = Keywords.Find(word);
        if (keyword != Keyword.None)
            return new Token(TokenKind.Keyword, startPos, _pos - startPos, start) { Keyword = keyword, Text = word.ToString() };
        return new Token(TokenKind.Name, startPos, _pos - startPos, start) { Text = word.ToString() };
    }

    private Token LexNumber(int startPos, SourcePosition start)
    {
        while (!AtEnd && char.IsAsciiDigit(Peek()))
            Advance();
        bool bad = false;
        if (Peek() == '.')
        {
            Advance();
            if (!char.IsAsciiDigit(Peek()))
                bad = true;
            while (!AtEnd && char.IsAsciiDigit(Peek()))
                Advance();
        }
        int numberEnd = _pos;
        char unit = '\0';
        if (!bad && Peek() is 's' or 'm' or 'h' or 'd' && !IsNameChar(Peek(1)) && Peek(1) != '.')
        {
            unit = Peek();
            Advance();
        }
        else if (IsNameChar(Peek()) || Peek() == '.')
        {
            // 5ms, 10min, 3x, 1.2.3: swallow the rest of the word so it is reported once.
            bool looksLikeDuration = char.IsAsciiLetter(Peek());
            while (!AtEnd && (IsNameChar(Peek()) || Peek() == '.'))
                Advance();
            string text = _text[startPos.._pos];
            if (looksLikeDuration && !bad)
                _diagnostics.Add(start, $"bad duration '{Shorten(text)}'", "a duration is a number followed directly by s, m, h or d, such as 90s or 1.5h");
            else
                _diagnostics.Add(start, $"bad number '{Shorten(text)}'", "write numbers like 42 or 3.5");
            return new Token(TokenKind.Error, startPos, _pos - startPos, start);
        }
        if (bad)
        {
            _diagnostics.Add(start, $"bad number '{Shorten(_text.AsSpan(startPos, _pos - startPos))}'", "write numbers like 42 or 3.5");
            return new Token(TokenKind.Error, startPos, _pos - startPos, start);
        }

        var digits = _text.AsSpan(startPos, numberEnd - startPos);
        if (unit == '\0')
        {
            double value = double.Parse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            if (!double.IsFinite(value))
            {
                _diagnostics.Add(start, $"number '{Shorten(digits)}' is out of range");
                return new Token(TokenKind.Error, startPos, _pos - startPos, start);
            }
            return new Token(TokenKind.Number, startPos, _pos - startPos, start) { Number = value };
        }

        string durationText = _text[startPos.._pos];
        long unitTicks = unit switch
        {
            's' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMinute,
            'h' => TimeSpan.TicksPerHour,
            _ => TimeSpan.TicksPerDay,
        };
        decimal ticks;
        try
        {
            ticks = decimal.Parse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * unitTicks;
        }
        catch (OverflowException)
        {
            ticks = decimal.MaxValue;
        }
        if (ticks > LiteralText.MaxDurationMagnitude)
        {
            _diagnostics.Add(start, $"duration '{Shorten(durationText)}' is out of range", "durations go up to about 10675199d");
            return new Token(TokenKind.Error, startPos, _pos - startPos, start);
        }
        if (ticks != decimal.Truncate(ticks))
        {
            _diagnostics.Add(start, $"duration '{Shorten(durationText)}' is finer than 100 nanoseconds");
            return new Token(TokenKind.Error, startPos, _pos - startPos, start);
        }
        return new Token(TokenKind.Duration, startPos, _pos - startPos, start) { DurationTicks = ticks };
    }

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..37], "...");

    private Token LexString(int startPos, SourcePosition start)
    {
        char quote = Peek();
        Advance();
        _buffer.Clear();
        bool ok = true;
        while (true)
        {
            if (AtEnd)
            {
                _diagnostics.Add(start, "unterminated string", $"a string ends with the quote it starts with: {quote}");
                return new Token(TokenKind.Error, startPos, _pos - startPos, start);
            }
            char c = Peek();
            if (c == quote)
            {
                Advance();
                break;
            }
            if (c == '\\')
            {
                var at = Position;
                Advance();
                if (AtEnd)
                    continue;
                char escaped = Peek();
                if (escaped is '\\' or '\'' or '"')
                {
                    _buffer.Append(escaped);
                }
                else
                {
                    ok = false;
                    string shown = char.IsControl(escaped) ? $"U+{(int)escaped:X4}" : escaped.ToString();
                    _diagnostics.Add(at, $"unknown escape '\\{shown}' in string", "a backslash escapes only a quote or a backslash: \\' \\\" \\\\");
                }
                Advance();
                continue;
            }
            _buffer.Append(c);
            if (c == '\r' && Peek(1) == '\n')
                _buffer.Append('\n');
            Advance();
        }
        return ok
            ? new Token(TokenKind.String, startPos, _pos - startPos, start) { Text = _buffer.ToString() }
            : new Token(TokenKind.Error, startPos, _pos - startPos, start);
    }

    /// <summary>
    /// Finds the position in the text of the character at <paramref name="valueOffset"/> of the value of a string
    /// token (an escape sequence maps to its backslash).
    /// </summary>
    public static SourcePosition PositionInString(string text, Token token, int valueOffset)
    {
        int line = token.Position.Line;
        int column = token.Position.Column + 1;
        int pos = token.Start + 1;
        int end = token.Start + token.Length - 1;
        int index = 0;
        while (pos < end && index < valueOffset)
        {
            char c = text[pos];
            int width = c == '\\' ? 2 : (c == '\r' && pos + 1 < end && text[pos + 1] == '\n' ? 2 : 1);
            int values = c == '\r' && width == 2 ? 2 : 1;
            if (c is '\n' or '\r')
            {
                line++;
                column = 1;
            }
            else if (!(char.IsLowSurrogate(c) && pos > 0 && char.IsHighSurrogate(text[pos - 1])))
            {
                column += c == '\\' ? 2 : 1;
            }
            pos += width;
            index += values;
        }
        return new SourcePosition(line, column);
    }
}
