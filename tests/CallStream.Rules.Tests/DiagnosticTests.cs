namespace CallStream.Rules.Tests;

public class DiagnosticTests
{
    [Fact]
    public void ToString_WithoutHint_IsFileLineColumnMessage()
    {
        Assert.Equal("a.rules:3:9: cannot compare text with number", new Diagnostic("a.rules", 3, 9, "cannot compare text with number").ToString());
    }

    [Fact]
    public void ToString_WithHint_AddsItInParentheses()
    {
        Assert.Equal("a.rules:3:9: unknown field 'x' (did you mean 'y'?)", new Diagnostic("a.rules", 3, 9, "unknown field 'x'", "did you mean 'y'?").ToString());
    }

    [Fact]
    public void Properties_HoldTheValues_AndEqualityIsByValue()
    {
        var d = new Diagnostic("f", 1, 2, "m", "h");
        Assert.Equal(("f", 1, 2, "m", "h"), (d.File, d.Line, d.Column, d.Message, d.Hint));
        Assert.Equal(new Diagnostic("f", 1, 2, "m", "h"), d);
        Assert.NotEqual(new Diagnostic("f", 1, 3, "m", "h"), d);
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        Assert.Equal("file", Assert.Throws<ArgumentNullException>(() => new Diagnostic(null!, 1, 1, "m")).ParamName);
        Assert.Equal("message", Assert.Throws<ArgumentNullException>(() => new Diagnostic("f", 1, 1, null!)).ParamName);
        Assert.Equal("line", Assert.Throws<ArgumentOutOfRangeException>(() => new Diagnostic("f", 0, 1, "m")).ParamName);
        Assert.Equal("column", Assert.Throws<ArgumentOutOfRangeException>(() => new Diagnostic("f", 1, 0, "m")).ParamName);
    }

    [Fact]
    public void RuleParseException_Constructors_KeepMessageAndDiagnostics()
    {
        Assert.Empty(new RuleParseException().Diagnostics);
        Assert.Equal("m", new RuleParseException("m").Message);
        var inner = new InvalidOperationException();
        Assert.Same(inner, new RuleParseException("m", inner).InnerException);
        var ex = new RuleParseException("f", [new Diagnostic("f", 1, 1, "x")]);
        Assert.Equal("The rules in f are not valid (1 error):" + Environment.NewLine + "f:1:1: x", ex.Message);
        Assert.Single(ex.Diagnostics);
    }

    [Fact]
    public void ToString_ControlCharactersInFileMessageAndHint_AreEscapedInOneLine()
    {
        var d = new Diagnostic("evil\n/etc/passwd:1:1: forged.rules", 1, 2, "unknown channel 'x\r\n/etc/passwd:1:1: forged\u001b[2J\t\u0085\u007f'", "hint\u009b31m\u2028");
        Assert.Equal("evil\\n/etc/passwd:1:1: forged.rules:1:2: unknown channel 'x\\r\\n/etc/passwd:1:1: forged\\u001b[2J\\t\\u0085\\u007f' (hint\\u009b31m\\u2028)",
            d.ToString());
        EscapingAssert.IsOneCleanLine(d.ToString());
        Assert.Equal("evil\\n/etc/passwd:1:1: forged.rules", d.File);
    }

    [Fact]
    public void ToString_BidiOverridesAndIsolates_AreEscaped()
    {
        string all = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
        Assert.Equal("f:1:1: \\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069",
            new Diagnostic("f", 1, 1, all).ToString());
    }

    [Fact]
    public void ToString_PrintableUnicode_IsKeptAsWritten_AndLoneSurrogatesAreEscaped()
    {
        Assert.Equal("f:1:1: caf\u00e9 \U0001F600 \u4e2d", new Diagnostic("f", 1, 1, "caf\u00e9 \U0001F600 \u4e2d").ToString());
        Assert.Equal("f:1:1: a\\ud800b\\udc00", new Diagnostic("f", 1, 1, "a\ud800b\udc00").ToString());
    }

    [Fact]
    public void Constructor_VeryLongMessage_IsCut()
    {
        var d = new Diagnostic("f", 1, 1, new string('m', 100_000), new string('h', 5000));
        Assert.Equal(new string('m', 997) + "...", d.Message);
        Assert.Equal(new string('h', 997) + "...", d.Hint);
    }

    [Fact]
    public void RuleParseException_IsAHeadingAndOneLinePerDiagnostic_WhateverTheFileName()
    {
        var ex = new RuleParseException("a\nb\u001b", [new Diagnostic("a\nb\u001b", 1, 1, "x\ny"), new Diagnostic("a\nb\u001b", 2, 1, "z")]);
        Assert.Equal(
            "The rules in a\\nb\\u001b are not valid (2 errors):" + Environment.NewLine + "a\\nb\\u001b:1:1: x\\ny" + Environment.NewLine + "a\\nb\\u001b:2:1: z",
            ex.Message);
        Assert.Equal("bad\\u001b[2J", new RuleParseException("bad\u001b[2J").Message);
    }
}
