using CallStream.Rules;

namespace CallStream.Cli.Tests.Commands;

public class CheckCommandTests
{
    [Fact]
    public async Task Default_PrintsTheBuiltInRulesAsCanonicalTextThatParsesBackEqual()
    {
        var result = await CliRunner.RunAsync(["check", "--rules", "default"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var printed = RuleText.Parse(result.Out, "printed.rules");
        Assert.True(printed.Succeeded, string.Join("\n", printed.Diagnostics));
        Assert.Equal(RuleText.Parse(DefaultRules.Text, DefaultRules.FileName).RuleSet, printed.RuleSet);
        Assert.Equal(8, printed.RuleSet!.Count);
        Assert.Contains("default.rules: 8 rule(s) valid (5 windowed).", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidFile_ReportsEveryErrorWithFileLineColumn_AndExitsWithTwo()
    {
        string path = CliRunner.TempPath(".rules");
        await File.WriteAllTextAsync(path, "rule A\n  where duraton_seconds > 5\n\nrule A\n  where outcome = 'lost'\n", TestContext.Current.CancellationToken);
        try
        {
            var result = await CliRunner.RunAsync(["check", "--rules", path]);

            Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
            Assert.Equal("", result.Out);
            Assert.Contains($"{path}:2:9: ", result.Error, StringComparison.Ordinal);
            Assert.Contains("duration_seconds", result.Error, StringComparison.Ordinal);
            Assert.Contains($"{path}:4:6: ", result.Error, StringComparison.Ordinal);
            Assert.Contains($"{path}:5:19: ", result.Error, StringComparison.Ordinal);
            Assert.Contains("resolved, failed, problematic", result.Error, StringComparison.Ordinal);
            Assert.Contains("rejected as a whole", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task MissingFile_ExitsWithTwoNamingIt()
    {
        var result = await CliRunner.RunAsync(["check", "--rules", "/nonexistent/x.rules"]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("'/nonexistent/x.rules' does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoRulesOption_ExitsWithTwo()
    {
        var result = await CliRunner.RunAsync(["check"]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--rules", result.Error, StringComparison.Ordinal);
    }
}
