using System.Globalization;
using System.Text.RegularExpressions;
using CallStream.Csv;

namespace CallStream.Cli.Tests.Commands;

/// <summary><c>--event-time start|end</c> on replay, consume and demo, and <c>generate --order start|end</c>.</summary>
public sealed partial class EventTimeOptionTests : IDisposable
{
    private const string Rows = "20000";
    private readonly List<string> _files = [];

    [Fact]
    public async Task Replay_EndOrderedLog_IsOnTimeWithEventTimeEnd_AndLargelyLateWithStart()
    {
        string log = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", Rows, "--seed", "5", "--order", "end", "--output", log])).ExitCode);
        string endAlerts = Temp(".ndjson");

        var byEnd = await CliRunner.RunAsync(["replay", "--input", log, "--event-time", "end", "--alerts", endAlerts]);
        var byStart = await CliRunner.RunAsync(["replay", "--input", log, "--alerts", Temp(".ndjson")]);

        Assert.Equal(ExitCodes.Success, byEnd.ExitCode);
        Assert.Equal(ExitCodes.Success, byStart.ExitCode);
        Assert.Equal(0, LateCount(byEnd.Out));
        Assert.True(LateCount(byStart.Out) > 5000, "start mode on an end-ordered log: " + byStart.Out);

        // Each alert's triggeredAt is the end time of its interaction.
        var ends = ReadEnds(log);
        var alerts = CliRunner.ReadAlerts(endAlerts);
        Assert.NotEmpty(alerts);
        Assert.All(alerts, a => Assert.Equal(ends[a.InteractionId], a.TriggeredAt));
    }

    [Fact]
    public async Task Replay_EventTimeIsCaseInsensitive()
    {
        string log = Temp(".csv");
        await File.WriteAllTextAsync(log, "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction\ni1,c1,a1,voice,2025-01-06T08:00:00Z,3600,resolved,5\n", TestContext.Current.CancellationToken);
        string alerts = Temp(".ndjson");

        var result = await CliRunner.RunAsync(["replay", "--input", log, "--event-time", "END", "--alerts", alerts]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var alert = Assert.Single(CliRunner.ReadAlerts(alerts), a => a.Rule == "LongCall");
        Assert.Equal(new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero), alert.TriggeredAt);
    }

    [Theory]
    [InlineData("replay", "--event-time", "--input", "x.csv")]
    [InlineData("consume", "--event-time", "--idle-exit", "1s")]
    [InlineData("demo", "--event-time", "--rows", "10")]
    [InlineData("generate", "--order", "--rows", "10")]
    public async Task BadStartOrEndValue_IsOneLineNamingTheOption_ExitCodeTwo(string command, string option, string other, string otherValue)
    {
        var result = await CliRunner.RunAsync([command, other, otherValue, option, "middle", .. command == "generate" ? new[] { "--output", Temp(".csv") } : []]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        string first = result.Error.Split('\n')[0].TrimEnd('\r');
        Assert.Equal($"callstream {command}: {option} must be start or end, not 'middle'.", first);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_OrderEnd_SortsTheSameRowsByEndTimeThenId()
    {
        string byStart = Temp(".csv"), byDefault = Temp(".csv"), byEnd = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", Rows, "--seed", "8", "--output", byDefault])).ExitCode);
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", Rows, "--seed", "8", "--order", "start", "--output", byStart])).ExitCode);
        var end = await CliRunner.RunAsync(["generate", "--rows", Rows, "--seed", "8", "--order", "end", "--output", byEnd]);
        Assert.Equal(ExitCodes.Success, end.ExitCode);
        Assert.Contains("interactions in end order to", end.Out, StringComparison.Ordinal);

        Assert.Equal(File.ReadAllBytes(byDefault), File.ReadAllBytes(byStart));
        string[] startLines = File.ReadAllLines(byStart), endLines = File.ReadAllLines(byEnd);
        Assert.Equal(startLines[0], endLines[0]);
        Assert.NotEqual(startLines, endLines);
        Assert.Equal(startLines.Order(StringComparer.Ordinal), endLines.Order(StringComparer.Ordinal));

        var keys = ReadRows(byEnd).Select(i => (End: End(i), i.InteractionId)).ToList();
        for (int n = 1; n < keys.Count; n++)
        {
            int c = keys[n - 1].End.CompareTo(keys[n].End);
            Assert.True(c < 0 || (c == 0 && string.CompareOrdinal(keys[n - 1].InteractionId, keys[n].InteractionId) < 0), $"rows {n} and {n + 1} out of end order");
        }
    }

    public void Dispose()
    {
        foreach (string file in _files)
            File.Delete(file);
    }

    private static long LateCount(string summary)
    {
        var match = LateInSummary().Match(summary);
        Assert.True(match.Success, "summary: " + summary);
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset End(Interaction i) => i.StartTime.AddSeconds(i.DurationSeconds);

    private static List<Interaction> ReadRows(string path)
    {
        using var reader = new CsvInteractionReader(path);
        return reader.ReadAll().ToList();
    }

    private static Dictionary<string, DateTimeOffset> ReadEnds(string path) => ReadRows(path).ToDictionary(i => i.InteractionId, End, StringComparer.Ordinal);

    private string Temp(string extension)
    {
        string path = CliRunner.TempPath(extension);
        _files.Add(path);
        return path;
    }

    [GeneratedRegex(@"rejected, (\d+) late")]
    private static partial Regex LateInSummary();
}
