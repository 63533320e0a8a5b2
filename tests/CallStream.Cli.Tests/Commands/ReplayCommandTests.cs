using CallStream.Generation;
using CallStream.Ndjson;
using CallStream.Rules;

namespace CallStream.Cli.Tests.Commands;

public sealed class ReplayCommandTests : IDisposable
{
    private const string Header = "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region";

    private const string Rules = """
        rule LongCall
          where duration_seconds > 50m
          message "Call {interaction_id} by agent {agent_id} lasted {duration_seconds} s"

        rule RepeatedFailures
          where outcome = 'failed'
          group by customer_id
          window sliding 1h
          having count(*) >= 3
          severity critical
          suppress 1h
          message "Customer {key}: {count(*)} failed contacts within an hour"
        """;

    private readonly List<string> _files = [];

    [Fact]
    public async Task Replay_ALongRead_ShowsThePercentageOfTheFileReadAndTheTimeLeft()
    {
        string input = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", "20000", "--output", input])).ExitCode);

        var result = await CliRunner.RunAsync(["replay", "--input", input], new SteppingTimeProvider(TimeSpan.FromSeconds(2)));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var progress = result.Error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(progress);
        Assert.All(progress, line => Assert.Matches(@"^replay: \d{1,3}% of [\d.]+ MB, \d+ rows, \d+ rows/s(, ETA \d+(m\d\d)?s)?$", line));
        Assert.Contains(progress, l => l.Contains(", ETA ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_DuplicateInteractionIds_CountOnce_AndAreCountedInTheSummary()
    {
        // Counted twice, i2 would give c2 three failed contacts within the hour; i3 twice would be two LongCall alerts.
        string input = Write(".csv", Header + "\n"
            + "i1,c2,a1,chat,2024-03-01T09:00:00Z,60,failed,,north\n"
            + "i2,c2,a1,chat,2024-03-01T09:05:00Z,60,failed,,north\n"
            + "i2,c2,a1,chat,2024-03-01T09:05:00Z,60,failed,,north\n"
            + "i3,c3,a2,voice,2024-03-01T09:06:00Z,3001,resolved,,south\n"
            + "i3,c3,a2,voice,2024-03-01T09:06:00Z,3001,resolved,,south\n");
        string rules = Write(".rules", Rules);
        string alerts = Temp(".ndjson");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rules", rules, "--alerts", alerts]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("replay: 5 rows read, 5 accepted, 0 rejected, 0 late, 2 duplicates skipped; 1 alerts (LongCall 1, RepeatedFailures 0)", result.Out, StringComparison.Ordinal);
        var written = Assert.Single(ReadAlerts(alerts));
        Assert.Equal(("LongCall", "i3"), (written.Rule, written.InteractionId));
    }

    [Fact]
    public async Task Replay_OnePercentBadRows_GiveTheAlertsOfTheCleanFile_AndRejectExactlyTheBadRows()
    {
        string clean = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", "20000", "--seed", "9", "--output", clean])).ExitCode);
        string[] lines = await File.ReadAllLinesAsync(clean, TestContext.Current.CancellationToken);

        // After every 100th row, a broken copy of it under another id: each kind of damage a real export shows.
        Func<string[], byte[]>[] damage =
        [
            f => Row([.. f[..3], "fax", .. f[4..]]),
            f => Row([.. f[..5], "-5", .. f[6..]]),
            f => Row([.. f[..4], "2025-13-45T99:00:00Z", .. f[5..]]),
            f => Row(f[..3]),
            f => Row([.. f[..6], "maybe", .. f[7..]]),
            f => Row([.. f[..7], "9", .. f[8..]]),
            f => Row(["\"" + f[0], .. f[1..]]), // a quote opened and never closed
            f => Row(["", .. f[1..]]),
            f => Row([.. f, "extra"]),
            f => [.. Row(f)[..2], 0xFF, .. Row(f)[2..]], // a byte that is not UTF-8 in the id
        ];
        using var dirtyBytes = new MemoryStream();
        int bad = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            dirtyBytes.Write(Row([lines[i]]));
            if (i > 0 && i % 100 == 0)
            {
                var fields = lines[i].Split(',');
                fields[0] = "B" + fields[0];
                dirtyBytes.Write(damage[bad++ % damage.Length](fields));
            }
        }
        string dirty = Write(".csv", "");
        await File.WriteAllBytesAsync(dirty, dirtyBytes.ToArray(), TestContext.Current.CancellationToken);
        string cleanAlerts = Temp(".ndjson"), dirtyAlerts = Temp(".ndjson"), rejects = Temp(".csv");

        var fromClean = await CliRunner.RunAsync(["replay", "--input", clean, "--alerts", cleanAlerts]);
        var fromDirty = await CliRunner.RunAsync(["replay", "--input", dirty, "--alerts", dirtyAlerts, "--rejects", rejects]);

        Assert.Equal(ExitCodes.Success, fromClean.ExitCode);
        Assert.Equal(ExitCodes.Success, fromDirty.ExitCode);
        Assert.Contains($"replay: {20000 + bad} rows read, 20000 accepted, {bad} rejected, 0 late;", fromDirty.Out, StringComparison.Ordinal);
        Assert.Equal(bad + 1, (await File.ReadAllLinesAsync(rejects, TestContext.Current.CancellationToken)).Length);
        Assert.NotEmpty(ReadAlerts(cleanAlerts));
        Assert.Equal(
            await File.ReadAllBytesAsync(cleanAlerts, TestContext.Current.CancellationToken),
            await File.ReadAllBytesAsync(dirtyAlerts, TestContext.Current.CancellationToken));

        static byte[] Row(string[] fields) => System.Text.Encoding.UTF8.GetBytes(string.Join(',', fields) + "\n");
    }

    [Fact]
    public async Task Replay_WritesAlertsAsNdjson_ReportsBadRows_AndSummarises()
    {
        string input = Write(".csv", Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,3001,resolved,4,north\n"
            + "i2,c2,a1,chat,2024-03-01T09:05:00Z,60,failed,,north\n"
            + "i3,c2,a2,chat,2024-03-01T09:10:00Z,60,FAILED,2,south\n"
            + "i4,c2,a2,fax,2024-03-01T09:12:00Z,60,failed,2,south\n"
            + "i5,c2,a3,email,2024-03-01T09:20:00+00:00,60,failed,1,south\n"
            + "i6,c2,a3,email,2024-03-01T09:25:00Z,60,failed,1,south\n");
        string rules = Write(".rules", Rules);
        string alerts = Temp(".ndjson");
        string rejects = Temp(".csv");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rules", rules, "--alerts", alerts, "--rejects", rejects]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"{input}:5:4: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("fax", result.Error, StringComparison.Ordinal);
        Assert.Equal(Header + "\ni4,c2,a2,fax,2024-03-01T09:12:00Z,60,failed,2,south\n", await File.ReadAllTextAsync(rejects, TestContext.Current.CancellationToken));
        Assert.Contains("replay: 6 rows read, 5 accepted, 1 rejected, 0 late; 2 alerts (LongCall 1, RepeatedFailures 1)", result.Out, StringComparison.Ordinal);

        var written = ReadAlerts(alerts);
        Assert.Equal(2, written.Count);
        Assert.Equal("LongCall", written[0].Rule);
        Assert.Equal("i1", written[0].Key);
        Assert.Equal(Alert.ComputeId("LongCall", "i1", "i1"), written[0].AlertId);
        Assert.Equal("Call i1 by agent a1 lasted 3001 s", written[0].Message);
        var repeated = written[1];
        Assert.Equal("RepeatedFailures", repeated.Rule);
        Assert.Equal(Severity.Critical, repeated.Severity);
        Assert.Equal("c2", repeated.Key);
        Assert.Equal("i5", repeated.InteractionId);
        Assert.Equal(Alert.ComputeId("RepeatedFailures", "c2", "i5"), repeated.AlertId);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 8, 20, 0, TimeSpan.Zero), repeated.WindowStart);
        Assert.Equal([new AlertValue("count(*)", 3)], repeated.Values);
        Assert.Equal("Customer c2: 3 failed contacts within an hour", repeated.Message);
    }

    [Fact]
    public async Task Replay_OutOfOrderRowsWithinLateness_GiveTheSameAlertsAsSortedRows()
    {
        string rules = Write(".rules", Rules);
        string sorted = Write(".csv", Header + "\n"
            + "i2,c2,a1,chat,2024-03-01T09:05:00Z,60,failed,,north\n"
            + "i3,c2,a2,chat,2024-03-01T09:05:01Z,60,failed,2,south\n"
            + "i5,c2,a3,email,2024-03-01T09:05:02Z,60,failed,1,south\n");
        string shuffled = Write(".csv", Header + "\n"
            + "i5,c2,a3,email,2024-03-01T09:05:02Z,60,failed,1,south\n"
            + "i2,c2,a1,chat,2024-03-01T09:05:00Z,60,failed,,north\n"
            + "i3,c2,a2,chat,2024-03-01T09:05:01Z,60,failed,2,south\n");
        string a1 = Temp(".ndjson"), a2 = Temp(".ndjson");

        var r1 = await CliRunner.RunAsync(["replay", "--input", sorted, "--rules", rules, "--alerts", a1]);
        var r2 = await CliRunner.RunAsync(["replay", "--input", shuffled, "--rules", rules, "--alerts", a2]);

        Assert.Equal(ExitCodes.Success, r1.ExitCode);
        Assert.Equal(ExitCodes.Success, r2.ExitCode);
        Assert.Contains("0 late", r2.Out, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(a1, TestContext.Current.CancellationToken), await File.ReadAllTextAsync(a2, TestContext.Current.CancellationToken));
        Assert.Single(ReadAlerts(a1));
        Assert.Equal("i5", ReadAlerts(a1)[0].InteractionId);
    }

    [Fact]
    public async Task Replay_LateRow_IsCountedReportedAndStillEvaluated()
    {
        string rules = Write(".rules", Rules);
        string input = Write(".csv", Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T10:00:00Z,3001,resolved,4,north\n"
            + "i2,c2,a1,voice,2024-03-01T10:01:00Z,60,resolved,4,north\n"
            + "i0,c0,a1,voice,2024-03-01T09:00:00Z,3600,resolved,4,north\n");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rules", rules, "--alerts", "-", "--lateness", "10s"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("late event i0", result.Error, StringComparison.Ordinal);
        Assert.Contains("1 late; 2 alerts", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Strict_StopsAtTheFirstBadRowWithItsLocation_AndExitsWithTwo()
    {
        string input = Write(".csv", Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,-3,resolved,4,north\n");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--strict"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"--strict: {input}:2:6: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidRules_LeaveTheOutputsOfAnEarlierRunAlone()
    {
        // The log is read while the rules load, but nothing is written until they have loaded: a typo in the rule
        // file must not truncate the alerts or rejects of the last good run, even when the log has bad rows.
        string input = Write(".csv", Header + "\n"
            + "i1,c1,a1,fax,2024-03-01T09:00:00Z,60,failed,4,north\n"
            + "i2,c2,a1,chat,2024-03-01T09:05:00Z,60,failed,,north\n");
        string rules = Write(".rules", "rule X\n  window sliding 1h\n");
        string alerts = Write(".ndjson", "earlier alerts\n");
        string rejects = Write(".csv", "earlier rejects\n");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rules", rules, "--alerts", alerts, "--rejects", rejects]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"{rules}:", result.Error, StringComparison.Ordinal);
        Assert.Equal("earlier alerts\n", await File.ReadAllTextAsync(alerts, TestContext.Current.CancellationToken));
        Assert.Equal("earlier rejects\n", await File.ReadAllTextAsync(rejects, TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 60_000)]
    public async Task InvalidRules_WithMoreRejectsThanTheBufferHolds_StopsPromptly()
    {
        // Over 1 MiB of bad rows: the reading thread fills the rejects buffer and waits for the rules, which fail.
        var csv = new System.Text.StringBuilder(Header + "\n");
        for (int n = 0; n < 20_000; n++)
            csv.Append("i").Append(n).Append(",c1,a1,fax,2024-03-01T09:00:00Z,60,failed,4,").Append('x', 60).Append('\n');
        string input = Write(".csv", csv.ToString());
        string rules = Write(".rules", "rule X\n  window sliding 1h\n");
        string rejects = Write(".csv", "earlier rejects\n");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rules", rules, "--rejects", rejects]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Equal("earlier rejects\n", await File.ReadAllTextAsync(rejects, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Rejects_IsWrittenEvenWithoutABadRow()
    {
        string input = Write(".csv", Header + "\ni1,c1,a1,voice,2024-03-01T09:00:00Z,60,resolved,4,north\n");
        string rejects = Write(".csv", "earlier rejects\n");

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rejects", rejects]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain("earlier", await File.ReadAllTextAsync(rejects, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidRules_ExitWithTwo_BeforeReadingTheInput()
    {
        string rules = Write(".rules", "rule X\n  window sliding 1h\n");
        var result = await CliRunner.RunAsync(["replay", "--input", "/nonexistent.csv", "--rules", rules]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"{rules}:", result.Error, StringComparison.Ordinal);
        Assert.Contains("having", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingInput_OrBadLateness_ExitWithTwo()
    {
        var missing = await CliRunner.RunAsync(["replay", "--input", "/nonexistent.csv"]);
        Assert.Equal(ExitCodes.InvalidInput, missing.ExitCode);
        Assert.Contains("'/nonexistent.csv' does not exist", missing.Error, StringComparison.Ordinal);

        var lateness = await CliRunner.RunAsync(["replay", "--input", "x.csv", "--lateness", "soon"]);
        Assert.Equal(ExitCodes.InvalidInput, lateness.ExitCode);
        Assert.Contains("--lateness must be a duration", lateness.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RuleThreads_WriteTheSameAlertsFileAndSummary_AsOneThread()
    {
        string input = Temp(".csv");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", "30000", "--seed", "5", "--output", input])).ExitCode);
        string rules = Write(".rules", Rules + """

            rule BusyCustomerDay
              group by customer_id
              window sliding 1d
              having distinct(agent_id) >= 3 and sum(duration_seconds) > 3000
              severity info
              suppress 6h
            """);
        var outputs = new List<(string Summary, byte[] Alerts)>();
        foreach (string threads in new[] { "1", "2", "3", "auto" })
        {
            string alerts = Temp(".ndjson");
            var result = await CliRunner.RunAsync(["replay", "--input", input, "--rules", rules, "--alerts", alerts, "--rule-threads", threads]);
            Assert.Equal(ExitCodes.Success, result.ExitCode);
            outputs.Add((result.Out[..result.Out.IndexOf(" in ", StringComparison.Ordinal)], File.ReadAllBytes(alerts)));
        }

        Assert.NotEmpty(ReadAlerts(_files[^1]));
        Assert.All(outputs, o => Assert.Equal(outputs[0].Summary, o.Summary));
        Assert.All(outputs, o => Assert.Equal(outputs[0].Alerts, o.Alerts));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("two")]
    public async Task BadRuleThreads_ExitWithTwo(string value)
    {
        var result = await CliRunner.RunAsync(["replay", "--input", "x.csv", "--rule-threads", value]);
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains($"--rule-threads must be auto or a number of threads from 1 to 64, not '{value}'.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeneratedLog_DefaultRules_FindEveryPlantedAnomaly()
    {
        const long rows = 40_000; // four working days
        string input = Temp(".csv");
        string alerts = Temp(".ndjson");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["generate", "--rows", rows.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "11", "--output", input])).ExitCode);

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--alerts", alerts]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var anomalies = new InteractionGenerator(new InteractionGeneratorOptions { Seed = 11 }).GetAnomalies(rows);
        Assert.NotEmpty(anomalies.FailureBursts);
        var written = ReadAlerts(alerts);
        var repeated = written.Where(a => a.Rule == "RepeatedFailures").Select(a => a.Key).ToHashSet();
        Assert.All(anomalies.FailureBursts, b => Assert.Contains(b.CustomerId, repeated));
        var agentDays = written.Where(a => a.Rule == "AgentFailureRate").Select(a => (a.Key, DateOnly.FromDateTime(a.TriggeredAt.UtcDateTime))).ToHashSet();
        Assert.All(anomalies.FailingAgentDays, d => Assert.Contains((d.AgentId, d.Date), agentDays));
        var longCalls = written.Where(a => a.Rule == "LongCall").Select(a => a.InteractionId).ToHashSet();
        Assert.All(anomalies.LongCalls, c => Assert.Contains(c.InteractionId, longCalls));
        // A long video call is LongVideoCall's up to 50 minutes and LongCall's beyond: one alert each.
        var longVideo = written.Where(a => a.Rule == "LongVideoCall").Select(a => a.InteractionId).ToHashSet();
        Assert.All(anomalies.LongVideoCalls, c => Assert.Contains(c.InteractionId, c.DurationSeconds > 3000 ? longCalls : longVideo));
        Assert.All(anomalies.LongVideoCalls, c => Assert.False(longCalls.Contains(c.InteractionId) && longVideo.Contains(c.InteractionId)));
        var spikes = written.Where(a => a.Rule == "ProblematicSpike").ToList();
        Assert.Equal(anomalies.ChannelIncidents.Count, spikes.Count);
        Assert.All(anomalies.ChannelIncidents, i => Assert.Contains(spikes, a =>
            a.Key == WireNames.Name(i.Channel) && a.TriggeredAt >= i.Start && a.TriggeredAt < i.End));
        // Every default rule fires on the generated log.
        Assert.Equal(DefaultRules.RuleSet.Select(r => r.Name).Order(StringComparer.Ordinal), written.Select(a => a.Rule).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(written.Count, written.Select(a => a.AlertId).Distinct().Count());
    }

    public void Dispose()
    {
        foreach (string file in _files)
            File.Delete(file);
    }

    private static List<Alert> ReadAlerts(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = NdjsonReader.ForAlerts(stream, new NdjsonReaderOptions { Strict = true });
        return reader.ReadAll().ToList();
    }

    private string Write(string extension, string content)
    {
        string path = Temp(extension);
        File.WriteAllText(path, content);
        return path;
    }

    private string Temp(string extension)
    {
        string path = CliRunner.TempPath(extension);
        _files.Add(path);
        return path;
    }
}
