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
}
