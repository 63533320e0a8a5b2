using System.Text;

namespace CallStream.Cli.Tests.Commands;

/// <summary>Past the first 20 rejected rows printed, the last line says how many more there were and where to find them.</summary>
public sealed class RejectedRowsHintTests : IDisposable
{
    private const string Header = "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region";

    private readonly TempFiles _files = new();

    [Fact]
    public async Task Replay_WithRejects_SaysHowManyMoreAndThatTheRestAreInTheRejectsFile()
    {
        string input = _files.Write(".csv", Log(badRows: 25));
        string rejects = _files.Path(".csv");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rejects", rejects]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = Lines(result.Error);
        Assert.Equal(20, lines.Count(l => l.StartsWith($"replay: {input}:", StringComparison.Ordinal)));
        Assert.Equal($"replay: ... and 5 more rejected rows (counted in the summary); the rest are in '{rejects}' (every rejected row, after the header).", lines[^1]);
        Assert.Equal(26, File.ReadAllLines(rejects).Length);
    }

    [Fact]
    public async Task Replay_WithoutRejects_SaysToPassRejectsToGetEveryRejectedRow()
    {
        string input = _files.Write(".csv", Log(badRows: 21));

        var result = await CliRunner.RunAsync(["replay", "--input", input]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("replay: ... and 1 more rejected rows (counted in the summary); pass --rejects FILE to get every rejected row.", Lines(result.Error)[^1]);
    }

    [Fact]
    public async Task Replay_TwentyRejectedRows_PrintsThemAllAndNoHint()
    {
        string input = _files.Write(".csv", Log(badRows: 20));

        var result = await CliRunner.RunAsync(["replay", "--input", input]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(20, Lines(result.Error).Length);
        Assert.DoesNotContain("more rejected rows", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_SaysHowToGetEveryRejectedRow()
    {
        string input = _files.Write(".csv", Log(badRows: 22));

        var result = await CliRunner.RunAsync(["report", "--input", input, "--output", _files.Path(".html")]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(
            $"report: ... and 2 more rejected rows (counted in the summary); 'callstream replay --input {input} --rejects FILE' writes every rejected row to FILE.",
            Lines(result.Error));
    }

    [Fact]
    public void Printer_CountsLateEventsApartFromRejectedRows_AndGivesTheHintOnlyForRows()
    {
        var error = new StringWriter();
        var printer = new CallStream.Cli.Commands.ProblemPrinter(error, "replay");
        for (int i = 0; i < 20; i++)
            printer.ReportRejectedRow("bad row");
        printer.ReportLateEvent("late event i1");
        printer.Complete("the rest are in 'r.csv'");
        Assert.Equal("replay: ... and 1 more late events (counted in the summary).", Lines(error.ToString())[^1]);

        printer.ReportRejectedRow("bad row");
        printer.Complete("the rest are in 'r.csv'");
        Assert.Equal("replay: ... and 1 more rejected rows and 1 more late events (counted in the summary); the rest are in 'r.csv'.", Lines(error.ToString())[^1]);
        Assert.Equal(22, printer.Count);
    }

    public void Dispose() => _files.Dispose();

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Log(int badRows)
    {
        var log = new StringBuilder(Header).Append('\n');
        log.Append("g1,c1,a1,voice,2024-03-01T09:00:00Z,60,resolved,4,north\n");
        for (int i = 0; i < badRows; i++)
            log.Append($"b{i},c{i},a1,fax,2024-03-01T10:{i % 60:00}:00Z,60,resolved,4,north\n");
        return log.ToString();
    }
}
