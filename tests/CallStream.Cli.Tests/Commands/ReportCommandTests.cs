using System.Globalization;
using System.Text;
using System.Text.Json;
using CallStream.Csv;
using CallStream.Insights;
using CallStream.Rules;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Cli.Tests.Commands;

public sealed class ReportCommandTests : IDisposable
{
    private const string Header = "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region";

    private const string Unreachable = "mongodb://alice:hunter2@127.0.0.1:1/?authSource=admin";

    private readonly TempFiles _files = new();

    [Fact]
    public async Task Report_FromALongReadOfAFile_NotATerminal_PrintsPercentageOfBytesAndTimeLeft()
    {
        string input = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", "20000", "--output", input])).ExitCode);
        long size = new FileInfo(input).Length;

        // Every reading of the clock moves it 2 s on: each batch of rows is reported, as on a slow machine.
        var result = await CliRunner.RunAsync(["report", "--input", input, "--output", Temp(".html")], new SteppingTimeProvider(TimeSpan.FromSeconds(2)));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var progress = lines.Where(l => l.Contains("% of ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        foreach (string line in progress)
            Assert.Matches($@"^report: \d{{1,3}}% of {Regex(CallStream.Cli.Progress.ProgressReporter.FormatBytes(size))}, \d+ rows, \d+ rows/s(, ETA \d+(m\d\d)?s)?$", line);
        Assert.Contains(progress, l => l.Contains(", ETA ", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', result.Error);
        Assert.Matches(@"^report: 20000 rows read in [\d.]+ s; computing the figures and writing .+\.\.\.$", lines[^1]);
    }

    [Fact]
    public async Task Report_FromALongReadOfAFile_OnATerminal_RedrawsABarInPlace()
    {
        string input = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", "20000", "--output", input])).ExitCode);

        var result = await CliRunner.RunAsync(["report", "--input", input, "--output", Temp(".html")], new SteppingTimeProvider(TimeSpan.FromSeconds(1)), errorIsTerminal: true);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        string bars = result.Error[..result.Error.IndexOf('\n', StringComparison.Ordinal)];
        Assert.StartsWith("\rreport [", bars, StringComparison.Ordinal);
        Assert.Matches(@"\rreport \[[=> ]{30}\] +\d{1,3}% [\d.]+ [KM]B of [\d.]+ [KM]B, \d+ rows, \d+ rows/s, ETA \d+", bars);
        Assert.Contains("report: 20000 rows read in", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_FromInput_WritesThePageAndJson_WithTheAlertsOfAReplay()
    {
        string input = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", "20000", "--seed", "5", "--output", input])).ExitCode);
        string alerts = Temp(".ndjson");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["replay", "--input", input, "--alerts", alerts])).ExitCode);
        string html = Temp(".html"), json = Temp(".json");

        var result = await CliRunner.RunAsync(["report", "--input", input, "--output", html, "--json", json]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var figures = JsonDocument.Parse(await File.ReadAllBytesAsync(json, TestContext.Current.CancellationToken));
        var root = figures.RootElement;
        var replayed = ReadAlerts(alerts);
        Assert.Equal(20000, root.GetProperty("totalInteractions").GetInt32());
        Assert.Equal(replayed.Count, root.GetProperty("totalAlerts").GetInt32());
        Assert.Equal(
            replayed.GroupBy(a => a.Rule).ToDictionary(g => g.Key, g => g.Count()),
            root.GetProperty("alertsByRule").EnumerateArray().ToDictionary(r => r.GetProperty("rule").GetString()!, r => r.GetProperty("alerts").GetInt32()));
        Assert.Equal(Path.GetFileName(input), root.GetProperty("source").GetString());
        string page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.Ordinal);
        Assert.Contains("data-charts-expected=\"14\"", page, StringComparison.Ordinal);
        Assert.Matches(
            $@"^report: 20000 rows read, 0 rejected; 20000 interactions, \d+ agents, {replayed.Count} alerts; 14 charts to {Regex(html)} \(\d+ KB\) and figures to {Regex(json)}; rules replayed in process; in [\d.]+ s \(.+ rows/s\)\.\n$",
            result.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Report_FromInput_FiguresEqualTheQueriesOverEveryRowAndItsAlerts()
    {
        string input = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", "20000", "--seed", "5", "--output", input])).ExitCode);
        string json = Temp(".json");
        var now = new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

        var result = await CliRunner.RunAsync(["report", "--input", input, "--output", Temp(".html"), "--json", json], new FakeTimeProvider(now));

        // The figures as the dashboard's queries compute them over a source holding every row and every alert.
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        List<Interaction> rows;
        using (var reader = new CsvInteractionReader(input))
            rows = [.. reader.ReadAll()];
        var alerts = new List<Alert>();
        using (var engine = new RuleEngine(DefaultRules.RuleSet, alerts.Add, new RuleEngineOptions { TimeProvider = new FakeTimeProvider() }))
        {
            foreach (var row in rows)
                engine.Offer(row);
            engine.Complete();
        }
        Assert.NotEmpty(alerts);
        var expected = await InsightsReport.ComputeAsync(
            InMemoryInsightsSource.From(rows, alerts),
            new InsightsReportOptions { Source = Path.GetFileName(input), TimeProvider = new FakeTimeProvider(now) },
            TestContext.Current.CancellationToken);
        using var stream = new MemoryStream();
        InsightsReport.WriteJson(expected, stream);
        Assert.Equal(Encoding.UTF8.GetString(stream.ToArray()), await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Report_DuplicateRows_CountTheFirstCopyOnce_AndSaySoLikeReplay()
    {
        string input = Write(".csv", Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,3001,resolved,4,north\n"
            + "i2,c2,a2,chat,2024-03-01T09:05:00Z,60,failed,,north\n"
            + "i1,c9,a9,video,2024-03-01T09:00:00Z,3500,failed,1,south\n" // the same id sent again, other values
            + "i2,c2,a2,chat,2024-03-01T09:05:00Z,60,failed,,north\n");
        string json = Temp(".json"), page = Temp(".html");

        var report = await CliRunner.RunAsync(["report", "--input", input, "--output", Temp(".html"), "--json", json]);
        var replay = await CliRunner.RunAsync(["replay", "--input", input, "--report", page]);

        Assert.Equal(ExitCodes.Success, report.ExitCode);
        Assert.Contains("report: 4 rows read, 0 rejected, 2 duplicates skipped; 2 interactions, 2 agents, 1 alerts;", report.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, replay.ExitCode);
        Assert.Contains("2 duplicates skipped; 1 alerts", replay.Out, StringComparison.Ordinal);
        Assert.Contains("replay: report: 2 interactions, 2 agents, 1 alerts;", replay.Out, StringComparison.Ordinal);
        using var figures = JsonDocument.Parse(await File.ReadAllBytesAsync(json, TestContext.Current.CancellationToken));
        var root = figures.RootElement;
        Assert.Equal(2, root.GetProperty("totalCustomers").GetInt32());
        var longest = root.GetProperty("longest");
        Assert.Equal("a1", longest.GetProperty("agentId").GetString());
        Assert.Equal(3001, longest.GetProperty("durationSeconds").GetDouble());
        Assert.Equal(1, root.GetProperty("alertsByChannel").GetProperty("voice").GetInt32());
        Assert.Equal(0, root.GetProperty("alertsByChannel").GetProperty("video").GetInt32());
    }

    [Fact]
    public async Task Report_WithRules_RaisesOnlyThoseRulesAlerts_AndReportsBadRows()
    {
        string input = Write(".csv", Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,3001,resolved,4,north\n"
            + "i2,c2,a1,chat,2024-03-01T09:05:00Z,60,failed,,north\n"
            + "i3,c2,a2,fax,2024-03-01T09:12:00Z,60,failed,2,south\n"
            + "i4,c3,<b>x</b>,email,2024-03-02T09:20:00Z,3500,failed,1,south\n");
        string rules = Write(".rules", "rule VeryLong\n  where duration_seconds > 3000\n  severity critical\n  message \"{interaction_id} by {agent_id}\"\n");
        string html = Temp(".html"), json = Temp(".json");

        var result = await CliRunner.RunAsync(["report", "--input", input, "--rules", rules, "--output", html, "--json", json]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"report: {input}:4:", result.Error, StringComparison.Ordinal);
        Assert.Contains("report: 4 rows read, 1 rejected; 3 interactions, 2 agents, 2 alerts;", result.Out, StringComparison.Ordinal);
        using var figures = JsonDocument.Parse(await File.ReadAllBytesAsync(json, TestContext.Current.CancellationToken));
        var rule = Assert.Single(figures.RootElement.GetProperty("alertsByRule").EnumerateArray());
        Assert.Equal("VeryLong", rule.GetProperty("rule").GetString());
        Assert.Equal(["i4", "i1"], figures.RootElement.GetProperty("topAlerts").EnumerateArray().Select(a => a.GetProperty("interactionId").GetString()));
        string page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("<b>x</b>", page, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_WithReport_WritesThePage_AndSaysSo()
    {
        string input = Write(".csv", Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,3001,resolved,4,north\n"
            + "i2,c2,a1,chat,2024-03-01T09:05:00Z,1500,failed,,north\n"); // i1 a LongCall, i2 a FailedLongCall
        string html = Temp(".html");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--report", html]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Out.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.StartsWith("replay: 2 rows read", lines[0], StringComparison.Ordinal);
        Assert.Matches($@"^replay: report: 2 interactions, 1 agents, 2 alerts; 14 charts to {Regex(html)} \(\d+ KB\) in [\d.]+ s\.$", lines[1]);
        string page = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
        Assert.Contains("\"totalAlerts\":2", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_UnreachableMongo_FailsWithExitCode1_NamingTheHostNotThePassword()
    {
        string html = Temp(".html");

        var result = await CliRunner.RunAsync(["report", "--mongo", Unreachable, "--output", html]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var lines = result.Error.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal("report: running the dashboard's queries on MongoDB at 127.0.0.1:1 (database callstream)...", lines[0]);
        Assert.StartsWith("callstream report: MongoDB at 127.0.0.1:1 could not be reached", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        Assert.DoesNotContain("hunter2", result.Error + result.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(html));
    }

    [Fact]
    public async Task Report_MongoWithAnUnknownAuthMechanism_IsInvalidInput_WithoutThePassword()
    {
        var result = await CliRunner.RunAsync(["report", "--mongo", "mongodb://alice:hunter2@127.0.0.1:1/?authMechanism=NOPE", "--output", Temp(".html")]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("callstream report: --mongo 'mongodb://alice:****@127.0.0.1:1/?authMechanism=NOPE' is not a valid MongoDB connection string", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Error + result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_MongoFromTheEnvironment_BadConnectionString_IsInvalidInput_WithoutThePassword()
    {
        var environment = new Dictionary<string, string> { [CliContext.MongoVariable] = "mongodb://alice:hunter2@host:notaport" };

        var result = await CliRunner.RunAsync(["report", "--output", Temp(".html")], environment: environment);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.StartsWith("callstream report: CALLSTREAM_MONGO 'mongodb://alice:****@host:notaport' is not a valid MongoDB connection string", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--output x.html", "give --input CSV or --mongo URI (or set CALLSTREAM_MONGO).")]
    [InlineData("--input a.csv --mongo mongodb://h --output x.html", "give either --input or --mongo, not both.")]
    [InlineData("--mongo mongodb://h --rules default --output x.html", "--rules applies to --input only")]
    [InlineData("--input does-not-exist.csv --output x.html", "--input: the file 'does-not-exist.csv' does not exist.")]
    public async Task Report_InvalidArguments_ExitWith2_AndSayWhy(string args, string message)
    {
        var result = await CliRunner.RunAsync(["report", .. args.Split(' ')]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists("x.html"));
    }

    [Fact]
    public async Task Report_WithoutOutput_IsAParseError()
    {
        var result = await CliRunner.RunAsync(["report", "--input", "a.csv"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--output", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    private static List<Alert> ReadAlerts(string path) => CliRunner.ReadAlerts(path);

    private string Write(string extension, string content) => _files.Write(extension, content);

    private string Temp(string extension) => _files.Path(extension);
}
