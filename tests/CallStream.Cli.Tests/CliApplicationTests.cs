namespace CallStream.Cli.Tests;

public class CliApplicationTests
{
    [Fact]
    public async Task Help_ExitsWithZeroAndListsEveryCommand()
    {
        var result = await CliRunner.RunAsync(["--help"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("callstream [command] [options]", result.Out, StringComparison.Ordinal);
        foreach (string command in new[] { "demo", "generate", "replay", "check", "report", "produce", "consume" })
            Assert.Matches($@"(?m)^\s+{command}\s", result.Out);
    }

    [Fact]
    public void RootCommand_HasTheWorkingCommandsAndHelpAndVersion()
    {
        var root = CliApplication.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System));
        Assert.Equal("callstream", root.Name);
        Assert.Equal(["demo", "generate", "replay", "check", "report", "produce", "consume"], root.Subcommands.Select(c => c.Name));
        Assert.Contains(root.Options, o => o.Name == "--help");
        Assert.Contains(root.Options, o => o.Name == "--version");
    }

    [Fact]
    public async Task Version_ExitsWithZeroAndPrintsTheVersion()
    {
        var result = await CliRunner.RunAsync(["--version"]);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Out);
    }

    [Fact]
    public async Task NoCommand_ExitsWithTwoAndPointsToHelp()
    {
        var result = await CliRunner.RunAsync([]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("callstream: Required command was not provided.", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'callstream --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ExitsWithTwo()
    {
        var result = await CliRunner.RunAsync(["reticulate", "--input", "x.csv"]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("unknown command 'reticulate'.", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'callstream --help' for usage.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("demo", "--timeout", "[default: 10m]")]
    [InlineData("replay", "--lateness", "[default: 5s]")]
    [InlineData("replay", "--rule-threads", "[default: auto]")]
    [InlineData("consume", "--lateness", "[default: 5s]")]
    [InlineData("consume", "--idle-timeout", "[default: 1s]")]
    [InlineData("consume", "--topic", "[default: consumerdata]")]
    [InlineData("produce", "--topic", "[default: consumerdata]")]
    [InlineData("generate", "--seed", "[default: 42]")]
    public async Task Help_PrintsADefaultOnceInTheOptionsOwnNotation(string command, string option, string expected)
    {
        var result = await CliRunner.RunAsync([command, "--help"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        string line = Assert.Single(result.Out.Split('\n'), l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        Assert.EndsWith(expected, line.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_NoOptionOfAnyCommandShowsTwoDefaultsOrATimeSpan()
    {
        var root = CliApplication.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System));
        foreach (var command in root.Subcommands)
        {
            var result = await CliRunner.RunAsync([command.Name, "--help"]);
            Assert.Equal(ExitCodes.Success, result.ExitCode);
            foreach (string line in result.Out.Split('\n'))
            {
                Assert.True(line.Split("[default:").Length <= 2, $"{command.Name}: two defaults in: {line}");
                Assert.DoesNotMatch(@"\[default: \d\d:\d\d:\d\d\]", line);
            }
        }
    }

    [Fact]
    public async Task MistypedCommand_OneLineSuggestingTheNearestCommand()
    {
        var result = await CliRunner.RunAsync(["repaly", "--input", "x.csv"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Equal("callstream: unknown command 'repaly'; did you mean 'replay'?" + Environment.NewLine, result.Error);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task MistypedOption_OneLineSuggestingTheNearestOption()
    {
        var result = await CliRunner.RunAsync(["replay", "--inptu", "x.csv"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Equal("callstream replay: unknown option '--inptu'; did you mean '--input'?" + Environment.NewLine, result.Error);
    }

    [Fact]
    public async Task MistypedOption_KeepsTheErrorsOfValuesGiven()
    {
        var result = await CliRunner.RunAsync(["replay", "--input", "x.csv", "--lateness", "soon", "--strikt"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("unknown option '--strikt'; did you mean '--strict'?", result.Error, StringComparison.Ordinal);
        Assert.Contains("--lateness must be a duration", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("repaly", "replay")]
    [InlineData("genrate", "generate")]
    [InlineData("chek", "check")]
    [InlineData("dem", "demo")]
    [InlineData("gen", "generate")]
    [InlineData("rep", null)] // replay or report: no guess
    [InlineData("reticulate", null)]
    public void Nearest_FindsTheCommandMeant(string typed, string? expected)
    {
        string[] commands = ["demo", "generate", "replay", "check", "report", "produce", "consume"];
        Assert.Equal(expected, ParseErrors.Nearest(typed, commands));
    }

    [Fact]
    public async Task RunAsync_ChecksArguments()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        await Assert.ThrowsAsync<ArgumentNullException>(() => CliApplication.RunAsync(null!, context, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentNullException>(() => CliApplication.RunAsync([], null!, TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentNullException>(() => CliApplication.CreateRootCommand(null!));
    }
}
