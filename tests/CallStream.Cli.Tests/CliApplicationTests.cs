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
        Assert.Contains("'reticulate'", result.Error, StringComparison.Ordinal);
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
