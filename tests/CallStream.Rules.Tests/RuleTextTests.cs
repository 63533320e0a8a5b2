using System.Text;

namespace CallStream.Rules.Tests;

public sealed class RuleTextTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "callstream-rules-" + Guid.NewGuid().ToString("N"));

    public RuleTextTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string WriteFile(string name, byte[] content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void Parse_NullArguments_Throw()
    {
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => RuleText.Parse(null!)).ParamName);
        Assert.Equal("fileName", Assert.Throws<ArgumentNullException>(() => RuleText.Parse("", null!)).ParamName);
    }

    [Fact]
    public void Parse_DefaultFileName_IsUsedInDiagnostics()
    {
        var result = RuleText.Parse("rule A where x = 1");
        Assert.Equal("<rules>", result.FileName);
        Assert.StartsWith("<rules>:1:14: unknown field 'x'", result.Diagnostics[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Success_HasNoDiagnostics()
    {
        var result = RuleText.Parse("rule A severity info", "a.rules");
        Assert.True(result.Succeeded);
        Assert.Empty(result.Diagnostics);
        Assert.Equal("A", Assert.Single(result.GetRuleSetOrThrow()).Name);
    }

    [Fact]
    public void GetRuleSetOrThrow_WithErrors_ThrowsWithEveryDiagnostic()
    {
        var result = RuleText.Parse("rule A where x = 1\nrule A", "a.rules");
        var ex = Assert.Throws<RuleParseException>(result.GetRuleSetOrThrow);
        Assert.Equal(result.Diagnostics, ex.Diagnostics);
        Assert.Equal(2, ex.Diagnostics.Count);
        Assert.Equal(
            "The rules in a.rules are not valid (2 errors):" + Environment.NewLine
            + "a.rules:1:14: unknown field 'x' (did you mean 'attributes.x'? The fields are interaction_id, customer_id, agent_id, channel, outcome, start_time, duration_seconds, satisfaction and attributes.NAME)" + Environment.NewLine
            + "a.rules:2:6: duplicate rule name 'A' (first defined at a.rules:1:6)",
            ex.Message);
    }

    [Fact]
    public void ParseFile_ReadsUtf8WithByteOrderMark_AndNamesTheFile()
    {
        string path = WriteFile("bom.rules", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("rule Ünïcode_free\n")]);
        var result = RuleText.ParseFile(path);
        Assert.False(result.Succeeded);
        Assert.Equal($"{path}:1:6: unexpected character 'Ü'", result.Diagnostics[0].ToString());

        string good = WriteFile("good.rules", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("rule A message 'héllo €'\n")]);
        Assert.Equal("héllo €", RuleText.ParseFile(good).GetRuleSetOrThrow()[0].Message);
    }

    [Fact]
    public async Task ParseFileAsync_GivesTheSameResultAsParseFile()
    {
        string path = WriteFile("a.rules", Encoding.UTF8.GetBytes("rule A where agnet_id = 'x'"));
        var result = await RuleText.ParseFileAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(RuleText.ParseFile(path).Diagnostics, result.Diagnostics);
        Assert.Equal($"{path}:1:14: unknown field 'agnet_id' (did you mean 'agent_id'?)", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void ParseFile_InvalidUtf8_PointsAtTheBadByte()
    {
        string path = WriteFile("bad.rules", [.. Encoding.UTF8.GetBytes("rule A\nrule é"), 0xFF, .. Encoding.UTF8.GetBytes("x\n")]);
        Assert.Equal($"{path}:2:7: the file is not valid UTF-8 text (save the rules as UTF-8)", Assert.Single(RuleText.ParseFile(path).Diagnostics).ToString());
    }

    [Fact]
    public void ParseFile_HugeFile_IsRejectedBeforeReading()
    {
        string path = Path.Combine(_directory, "huge.rules");
        using (var stream = File.Create(path))
            stream.SetLength(5L * 1024 * 1024);
        Assert.Equal($"{path}:1:1: the rule file is too large: 5242880 bytes, the limit is 1048576 characters (split the rules into several files)",
            Assert.Single(RuleText.ParseFile(path).Diagnostics).ToString());
    }

    [Fact]
    public async Task ParseFile_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => RuleText.ParseFile(null!));
        Assert.Throws<ArgumentException>(() => RuleText.ParseFile(""));
        Assert.Throws<FileNotFoundException>(() => RuleText.ParseFile(Path.Combine(_directory, "missing.rules")));
        await Assert.ThrowsAsync<ArgumentNullException>(() => RuleText.ParseFileAsync(null!, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => RuleText.ParseFileAsync("", TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<FileNotFoundException>(() => RuleText.ParseFileAsync(Path.Combine(_directory, "missing.rules"), TestContext.Current.CancellationToken));
        string path = WriteFile("c.rules", Encoding.UTF8.GetBytes("rule A"));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RuleText.ParseFileAsync(path, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Print_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => RuleText.Print((RuleSet)null!));
        Assert.Throws<ArgumentNullException>(() => RuleText.Print((Rule)null!));
        Assert.Throws<ArgumentNullException>(() => RuleText.Print((Expr)null!));
    }

    [Fact]
    public void RuleSetParse_Valid_ReturnsTheRules_Invalid_Throws()
    {
        Assert.Equal(["A", "B"], RuleSet.Parse("rule A rule B").Select(r => r.Name));
        var ex = Assert.Throws<RuleParseException>(() => RuleSet.Parse("rule A where", "x.rules"));
        Assert.Equal("x.rules:1:13: expected an expression after 'where', found end of input", Assert.Single(ex.Diagnostics).ToString());
        Assert.Throws<ArgumentNullException>(() => RuleSet.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => RuleSet.Parse("", null!));
    }

    [Fact]
    public void RuleSetParseFile_ThrowsWithTheFileName()
    {
        string path = WriteFile("d.rules", Encoding.UTF8.GetBytes("rule A severity loud"));
        var ex = Assert.Throws<RuleParseException>(() => RuleSet.ParseFile(path));
        Assert.Equal($"{path}:1:17: unknown severity 'loud' (expected one of info, warning, critical)", Assert.Single(ex.Diagnostics).ToString());
        Assert.Throws<ArgumentNullException>(() => RuleSet.ParseFile(null!));
        Assert.Throws<ArgumentException>(() => RuleSet.ParseFile(""));
        Assert.Single(RuleSet.ParseFile(WriteFile("e.rules", Encoding.UTF8.GetBytes("rule E"))));
    }

    [Fact]
    public void RuleParse_RequiresExactlyOneRule()
    {
        Assert.Equal("A", Rule.Parse("rule A").Name);
        Assert.Equal("r.rules:1:1: expected exactly one rule, found 2",
            Assert.Single(Assert.Throws<RuleParseException>(() => Rule.Parse("rule A rule B", "r.rules")).Diagnostics).ToString());
        Assert.Equal("<rules>:1:1: expected exactly one rule, found 0",
            Assert.Single(Assert.Throws<RuleParseException>(() => Rule.Parse("")).Diagnostics).ToString());
        Assert.Throws<ArgumentNullException>(() => Rule.Parse(null!));
    }
}
