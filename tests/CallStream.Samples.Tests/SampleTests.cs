using System.Text.Json;
using CallStream.Csv;
using CallStream.Generation;
using CallStream.Rules;

namespace CallStream.Samples.Tests;

/// <summary>Each sample's in-process mode end to end, as its README runs it: no Kafka or MongoDB server.</summary>
public sealed class SampleTests : IDisposable
{
    private const int Rows = 2000;
    private readonly string _directory = Directory.CreateTempSubdirectory("callstream-samples-").FullName;
    private readonly string _csv;
    private readonly List<Interaction> _interactions;

    public SampleTests()
    {
        _csv = Path.Combine(_directory, "interactions.csv");
        var generator = new InteractionGenerator();
        _interactions = [.. generator.Generate(Rows)];
        using var writer = CsvInteractionWriter.Create(_csv, generator.AttributeColumns);
        foreach (var interaction in _interactions)
            writer.Write(interaction);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Producer_InProcess_ProducesEveryRowOfTheCsv()
    {
        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.Producer", "--in-process", "--input", _csv);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"Produced {Rows} interaction(s) to topic 'consumerdata'.", output, StringComparison.Ordinal);
        Assert.Contains("No MongoDB configured", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CallStream.Producer")]
    [InlineData("CallStream.Consumer")]
    [InlineData("CallStream.CustomRule")]
    [InlineData("CallStream.Reactive")]
    public async Task Sample_MissingInputFile_OneLineErrorNamingThePath_ExitCode2(string sample)
    {
        string missing = Path.Combine(_directory, "no-such.csv");

        var (exitCode, output) = await SampleProcess.RunAsync(sample, "--in-process", "--input", missing);

        Assert.Equal(2, exitCode);
        string line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(sample + ": --input ", line, StringComparison.Ordinal);
        Assert.Contains(missing + " does not exist", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Producer_InputIsADirectory_SaysSo_ExitCode2()
    {
        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.Producer", "--in-process", "--input", _directory);

        Assert.Equal(2, exitCode);
        Assert.Contains(_directory + " is a directory", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumer_WithoutMongo_WritesItsAlertsUnderTheSamplesOutputDirectory_AndSaysWhere()
    {
        string outputDirectory = Path.Combine(_directory, "callstream-samples");
        string expected = Path.Combine(outputDirectory, "consumer", "alerts.ndjson");

        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.Consumer", "--in-process", "--input", _csv,
            "--Sample:OutputDirectory=" + outputDirectory);

        Assert.True(exitCode == 0, output);
        Assert.True(File.Exists(expected), output);
        Assert.Contains("Alerts written to " + expected + ".", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumer_StartedAsTheReadmeDoes_ReadsItsAppsettingsNextToTheApp()
    {
        // `dotnet run --project samples/CallStream.Consumer -- --in-process` runs in the caller's directory with no
        // --contentRoot: the rules (UseDefaults) must still come from the app's appsettings.json.
        string alerts = Path.Combine(_directory, "readme-alerts.ndjson");

        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.Consumer", contentRoot: false, "--in-process", "--input", _csv,
            "--Sample:AlertsFile=" + alerts);

        Assert.True(exitCode == 0, output);
        Assert.DoesNotContain("has no rules", output, StringComparison.Ordinal);
        Assert.Contains($"Consumer finished: {Rows} interaction(s) read", output, StringComparison.Ordinal);
        Assert.True(File.Exists(alerts), output);
    }

    [Fact]
    public async Task Consumer_InProcess_WritesTheAlertsOfEveryInteractionToTheNdjsonFile()
    {
        string rules = Path.Combine(_directory, "alerts.rules");
        await File.WriteAllTextAsync(rules, """
            rule LongCall
              where duration_seconds > 3000
              severity warning
              message "{interaction_id} lasted {duration_seconds} s"

            rule FailedCall
              where outcome = 'failed'
              severity info
              message "{interaction_id} failed"
            """, TestContext.Current.CancellationToken);
        string alerts = Path.Combine(_directory, "alerts.ndjson");

        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.Consumer", "--in-process", "--input", _csv,
            "--CallStream:Rules:UseDefaults=false", "--CallStream:Rules:File=" + rules, "--Sample:AlertsFile=" + alerts);

        Assert.True(exitCode == 0, output);
        Assert.Contains("No MongoDB configured", output, StringComparison.Ordinal);
        var written = File.ReadAllLines(alerts).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var expected = _interactions.Where(i => i.DurationSeconds > 3000).Select(i => ("LongCall", i.InteractionId))
            .Concat(_interactions.Where(i => i.Outcome == Outcome.Failed).Select(i => ("FailedCall", i.InteractionId)))
            .Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, written.Select(a => (a.GetProperty("rule").GetString()!, a.GetProperty("interactionId").GetString()!)).Order().ToList());
        Assert.Contains($"Consumer finished: {Rows} interaction(s) read", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomRule_InProcess_RunsTheCSharpRulesIntoTheCustomSink()
    {
        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.CustomRule", "--input", _csv);

        Assert.True(exitCode == 0, output);
        var alertLines = output.Split('\n').Where(l => l.StartsWith("ALERT ", StringComparison.Ordinal)).ToList();
        int expected = _interactions.Count(i => i.Channel == Channel.Video && i.Outcome == Outcome.Failed && i.DurationSeconds > 600);
        Assert.Equal(expected, alertLines.Count(l => l.Contains("LongFailedVideoCall", StringComparison.Ordinal)));
        Assert.Contains($"CustomRule finished: {Rows} interaction(s) read, {alertLines.Count} alert(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomRule_OnItsOwnData_EveryRuleRaisesAlerts()
    {
        // A sample rule must demonstrate itself: on the sample's own generated data (no --input), both rules fire.
        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.CustomRule");

        Assert.True(exitCode == 0, output);
        var alertLines = output.Split('\n').Where(l => l.StartsWith("ALERT ", StringComparison.Ordinal)).ToList();
        Assert.Contains(alertLines, l => l.Contains(" LongFailedVideoCall ", StringComparison.Ordinal));
        Assert.Contains(alertLines, l => l.Contains(" UnhappyCustomers ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reactive_ReadsTheCsv_AndPrintsTheAlertsOfTheReplayPath()
    {
        var expected = new List<Alert>();
        using (var engine = new RuleEngine(DefaultRules.RuleSet, expected.Add))
        {
            foreach (var interaction in _interactions)
                engine.Offer(interaction);
            engine.Complete();
        }

        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.Reactive", "--input", _csv);

        Assert.True(exitCode == 0, output);
        var alertLines = output.Split('\n').Where(l => l.StartsWith("ALERT ", StringComparison.Ordinal)).Select(l => l.TrimEnd('\r')).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(a => $"ALERT {WireNames.Name(a.Severity),-8} {a.Rule,-20} {a.Message}"), alertLines);
        Assert.Contains($"Reactive finished: {Rows} interaction(s) read, {expected.Count} alert(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reactive_OnItsOwnData_RaisesAlerts()
    {
        var (exitCode, output) = await SampleProcess.RunAsync("CallStream.Reactive");

        Assert.True(exitCode == 0, output);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("ALERT ", StringComparison.Ordinal));
        Assert.Contains("Reactive finished: 20000 interaction(s) read", output, StringComparison.Ordinal);
    }
}
