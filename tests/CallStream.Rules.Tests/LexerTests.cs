namespace CallStream.Rules.Tests;

public class LexerTests
{
    private static List<Token> Lex(string text)
    {
        var diagnostics = new DiagnosticBag("t.rules");
        var tokens = new Lexer(text, diagnostics).Tokenize(RuleText.MaxTokens);
        Assert.Equal(0, diagnostics.Count);
        Assert.NotNull(tokens);
        return tokens;
    }

    [Fact]
    public void Tokenize_Rule_GivesKindsAndExactPositions()
    {
        var tokens = Lex("rule LongCall\n  where duration_seconds > 50m # long\n");
        Assert.Equal(
            [
                (TokenKind.Keyword, 1, 1), (TokenKind.Name, 1, 6),
                (TokenKind.Keyword, 2, 3), (TokenKind.Name, 2, 9), (TokenKind.Greater, 2, 26), (TokenKind.Duration, 2, 28),
                (TokenKind.EndOfInput, 3, 1),
            ],
            tokens.Select(t => (t.Kind, t.Position.Line, t.Position.Column)));
    }

    [Theory]
    [InlineData("WHERE", "Where")]
    [InlineData("Having", "Having")]
    [InlineData("gRoUp", "Group")]
    [InlineData("NULL", "Null")]
    [InlineData("Critical", "Critical")]
    public void Tokenize_Keywords_IgnoreCase(string text, string keyword)
    {
        var token = Lex(text)[0];
        Assert.Equal(TokenKind.Keyword, token.Kind);
        Assert.Equal(Enum.Parse<Keyword>(keyword), token.Keyword);
    }

    [Fact]
    public void Tokenize_Names_AreCaseSensitiveAndKeepTheirText()
    {
        var tokens = Lex("Agent_ID _x9 attributes.region foo.bar");
        Assert.Equal(["Agent_ID", "_x9", "attributes.region", "foo.bar"], tokens.Take(4).Select(t => t.Text));
        Assert.All(tokens.Take(4), t => Assert.Equal(TokenKind.Name, t.Kind));
    }

    [Theory]
    [InlineData("90s", 90 * TimeSpan.TicksPerSecond)]
    [InlineData("1.5h", 90 * TimeSpan.TicksPerMinute)]
    [InlineData("50m", 50 * TimeSpan.TicksPerMinute)]
    [InlineData("1d", TimeSpan.TicksPerDay)]
    [InlineData("0.0000001s", 1)]
    [InlineData("0s", 0)]
    public void Tokenize_Durations_AreExactTicks(string text, long ticks)
    {
        var token = Lex(text)[0];
        Assert.Equal(TokenKind.Duration, token.Kind);
        Assert.Equal(ticks, token.DurationTicks);
    }

    [Theory]
    [InlineData("42", 42)]
    [InlineData("3.5", 3.5)]
    [InlineData("0.1", 0.1)]
    [InlineData("007", 7)]
    public void Tokenize_Numbers_ParseInvariantly(string text, double value)
    {
        var token = Lex(text)[0];
        Assert.Equal(TokenKind.Number, token.Kind);
        Assert.Equal(value, token.Number);
    }

    [Theory]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("\"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("'a\\\\b'", "a\\b")]
    [InlineData("'a\"b'", "a\"b")]
    [InlineData("\"a'b\"", "a'b")]
    [InlineData("'two\nlines'", "two\nlines")]
    [InlineData("'# not a comment'", "# not a comment")]
    public void Tokenize_Strings_UnescapeQuotesAndBackslashes(string text, string value)
    {
        var token = Lex(text)[0];
        Assert.Equal(TokenKind.String, token.Kind);
        Assert.Equal(value, token.Text);
        Assert.Equal(text.Length, token.Length);
    }

    [Theory]
    [InlineData("=", "Equal")]
    [InlineData("==", "Equal")]
    [InlineData("!=", "NotEqual")]
    [InlineData("<>", "NotEqual")]
    [InlineData("<", "Less")]
    [InlineData("<=", "LessOrEqual")]
    [InlineData(">", "Greater")]
    [InlineData(">=", "GreaterOrEqual")]
    [InlineData("*", "Star")]
    [InlineData("/", "Slash")]
    [InlineData("+", "Plus")]
    [InlineData("-", "Minus")]
    [InlineData(",", "Comma")]
    public void Tokenize_Operators_GiveOneTokenEach(string text, string kind)
    {
        var tokens = Lex(text);
        Assert.Equal(2, tokens.Count);
        Assert.Equal(Enum.Parse<TokenKind>(kind), tokens[0].Kind);
    }

    [Fact]
    public void Tokenize_CommentsAndByteOrderMark_AreSkipped()
    {
        var tokens = Lex("\uFEFF# header\nrule # trailing\n# full line\nA");
        Assert.Equal([(TokenKind.Keyword, 2, 1), (TokenKind.Name, 4, 1), (TokenKind.EndOfInput, 4, 2)],
            tokens.Select(t => (t.Kind, t.Position.Line, t.Position.Column)));
    }

    [Fact]
    public void Tokenize_DurationUnitMustFollowDirectly()
    {
        var tokens = Lex("5 m");
        Assert.Equal([TokenKind.Number, TokenKind.Name, TokenKind.EndOfInput], tokens.Select(t => t.Kind));
    }

    [Fact]
    public void Tokenize_TooManyTokens_ReportsTheLimit()
    {
        var diagnostics = new DiagnosticBag("t.rules");
        var tokens = new Lexer("a b c d", diagnostics).Tokenize(3);
        Assert.Null(tokens);
        Assert.Equal("t.rules:1:7: too many tokens: the limit is 3 (split the rules into several files)",
            Assert.Single(diagnostics.ToSortedList()).ToString());
    }

    [Fact]
    public void PositionInString_MapsValueOffsetsThroughEscapesAndLines()
    {
        string text = "x 'a\\'b\nc{d}'";
        var token = Lex(text)[1];
        Assert.Equal("a'b\nc{d}", token.Text);
        Assert.Equal(new SourcePosition(1, 4), Lexer.PositionInString(text, token, 0));
        Assert.Equal(new SourcePosition(1, 5), Lexer.PositionInString(text, token, 1));
        Assert.Equal(new SourcePosition(1, 7), Lexer.PositionInString(text, token, 2));
        Assert.Equal(new SourcePosition(2, 2), Lexer.PositionInString(text, token, 5));
    }
}
