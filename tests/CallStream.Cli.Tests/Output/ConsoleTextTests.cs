namespace CallStream.Cli.Tests.Output;

/// <summary>
/// User-given text in an error line (a file name, an option's value) cannot break the line, forge another one or drive
/// the terminal: control characters, line separators and bidirectional controls are written as escapes.
/// </summary>
public sealed class ConsoleTextTests : IDisposable
{
    private const string Forged = "a\nb\u001b[2J";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "callstream-cli-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("plain.rules", "plain.rules")]
    [InlineData("a\nb\r\tc", "a\\nb\\r\\tc")]
    [InlineData("x\u001b[2Jy", "x\\u001b[2Jy")]
    [InlineData("x\u0085\u2028\u2029y", "x\\u0085\\u2028\\u2029y")]
    [InlineData("x\u202Ecba\u2066\u200Fy", "x\\u202ecba\\u2066\\u200fy")]
    [InlineData("émoji \U0001F600 ok", "émoji \U0001F600 ok")]
    public void Escape_WritesControlAndReorderingCharactersAsEscapes(string text, string expected)
    {
        Assert.Equal(expected, ConsoleText.Escape(text));
        Assert.Equal(expected, ConsoleText.Escape(ConsoleText.Escape(text))); // escaping twice changes nothing more
    }

    [Fact]
    public void Escape_WritesALoneSurrogateAsAnEscape()
    {
        // Built here: a lone surrogate does not survive as theory data.
        string text = "x" + (char)0xD800 + "y";
        Assert.Equal("x\\ud800y", ConsoleText.Escape(text));
    }

    [Fact]
    public async Task Check_ARuleFileNamedWithALineBreakAndAnEscapeCode_IsNamedEscapedInOneLine()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Windows file names cannot hold control characters");
        Directory.CreateDirectory(_directory);
        string valid = Path.Combine(_directory, "ok" + Forged + ".rules");
        File.WriteAllText(valid, "rule LongCall\n  where duration_seconds > 50m\n  message \"long\"\n");
        string invalid = Path.Combine(_directory, "bad" + Forged + ".rules");
        File.WriteAllText(invalid, "rule LongCall\n  where nope > 1\n  message \"long\"\n");

        var ok = await CliRunner.RunAsync(["check", "--rules", valid]);
        var bad = await CliRunner.RunAsync(["check", "--rules", invalid]);

        Assert.Equal(ExitCodes.Success, ok.ExitCode);
        AssertOneLineEach(ok.Error);
        Assert.Contains("ok" + "a\\nb\\u001b[2J" + ".rules: 1 rule(s) valid", ok.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, bad.ExitCode);
        AssertOneLineEach(bad.Error);
        Assert.Contains("bad" + "a\\nb\\u001b[2J" + ".rules: 1 error(s); the file is rejected as a whole.", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_InvalidRulesNamedWithALineBreakAndAnEscapeCode_SayTheyWereNotLoadedInOneLine()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Windows file names cannot hold control characters");
        Directory.CreateDirectory(_directory);
        string rules = Path.Combine(_directory, "bad" + Forged + ".rules");
        File.WriteAllText(rules, "rule LongCall\n  where nope > 1\n  message \"long\"\n");
        string input = Path.Combine(_directory, "log.csv");
        File.WriteAllText(input, "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region\n");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rules", rules]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        AssertOneLineEach(result.Error);
        Assert.Contains("callstream replay: " + rules.Replace(Forged, "a\\nb\\u001b[2J", StringComparison.Ordinal) + ": 1 error(s); the rules were not loaded.", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("replay", "--input")]
    [InlineData("check", "--rules")]
    [InlineData("report", "--input")]
    public async Task MissingFileNamedWithALineBreakAndAnEscapeCode_IsOneEscapedLine(string command, string option)
    {
        string missing = "missing" + Forged + ".csv";
        string[] args = command == "report" ? [command, option, missing, "--output", "r.html"] : [command, option, missing];

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.StartsWith($"callstream {command}: {option}: the file 'missinga\\nb\\u001b[2J.csv' does not exist", Lines(result.Error)[0], StringComparison.Ordinal);
        AssertOneLineEach(result.Error);
    }

    [Fact]
    public async Task InvalidOptionValueWithALineBreakAndAnEscapeCode_IsOneEscapedLine()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "1" + Forged, "--output", "-"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--rows must be a whole number greater than 0, not '1a\\nb\\u001b[2J'.", result.Error, StringComparison.Ordinal);
        AssertOneLineEach(result.Error);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Every line is a whole message: none holds an escape code, and none is the forged tail of another.</summary>
    private static void AssertOneLineEach(string error)
    {
        Assert.DoesNotContain('\u001b', error);
        Assert.DoesNotContain('\r', error);
        Assert.All(Lines(error), line => Assert.False(line.StartsWith('b'), $"a line starts with the forged tail: {line}"));
    }
}
