using System.Text.Json;
using CallStream.Rules;

namespace CallStream.Cli.Tests.Kafka;

public sealed class DemoCommandTests : IDisposable
{
    private readonly KafkaCliFiles _files = new();

    [Fact]
    public async Task Demo_WritesItsFiles_AndReconcilesWithAReplay()
    {
        string directory = _files.TempDirectory("-demo");

        var result = await CliRunner.RunAsync(["demo", "--rows", "4000", "--output", directory]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Out + result.Error);
        foreach (string file in new[] { "interactions.csv", "default.rules", "alerts.ndjson", "report.html", "summary.json" })
            Assert.True(File.Exists(Path.Combine(directory, file)), file + " is missing");
        string html = await File.ReadAllTextAsync(Path.Combine(directory, "report.html"), TestContext.Current.CancellationToken);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("interactions.csv through an in-process Kafka cluster", html, StringComparison.Ordinal);
        Assert.Equal(DefaultRules.Text, await File.ReadAllTextAsync(Path.Combine(directory, "default.rules"), TestContext.Current.CancellationToken));
        var summary = await ReadSummaryAsync(directory);
        Assert.Equal(4000, summary.GetProperty("rows").GetInt64());
        Assert.Equal(4000, summary.GetProperty("produced").GetInt64());
        Assert.Equal(4000, summary.GetProperty("consumed").GetInt64());
        Assert.Equal(0, summary.GetProperty("rejected").GetInt64());
        Assert.Equal(0, summary.GetProperty("late").GetInt64());
        Assert.Equal(8, summary.GetProperty("partitions").GetInt32());
        Assert.Equal(0, summary.GetProperty("duplicatesSuppressed").GetInt64());
        Assert.True(summary.GetProperty("reconciled").GetBoolean());
        Assert.True(summary.GetProperty("reconciliation").GetProperty("alertsIdenticalToReplay").GetBoolean());
        Assert.Equal(4000, summary.GetProperty("reconciliation").GetProperty("recordsOnTopic").GetInt64());
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("chaos").ValueKind);
        Assert.True(summary.GetProperty("timings").GetProperty("totalSeconds").ValueKind == JsonValueKind.Number);

        // The alerts are those of `callstream replay` on the file the demo wrote.
        var expected = await _files.ReplayAsync(Path.Combine(directory, "interactions.csv"));
        KafkaCliFiles.AssertSameAlerts(expected, KafkaCliFiles.ReadAlerts(Path.Combine(directory, "alerts.ndjson")));
        Assert.Equal(expected.Count, summary.GetProperty("alerts").GetInt64());
        Assert.Contains($"-> {expected.Count} alerts.", result.Out, StringComparison.Ordinal);
        Assert.Contains($"identical ({expected.Count} = {expected.Count}, same ids and contents)", result.Out, StringComparison.Ordinal);
        Assert.Contains("OK, nothing lost, nothing stored twice: rows 4000 = produced 4000 = on topic 4000 = consumed 4000", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("overwrote", result.Out, StringComparison.Ordinal);
        Assert.EndsWith($"demo: next, open {Path.Combine(directory, "report.html")} in a browser to see the insights report.", result.Out.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_Again_StartsAfresh_AndSaysItOverwroteThePreviousFiles()
    {
        string directory = _files.TempDirectory("-demo");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(["demo", "--rows", "1500", "--output", directory, "--partitions", "3"])).ExitCode);

        var again = await CliRunner.RunAsync(["demo", "--rows", "1500", "--output", directory, "--partitions", "3", "--seed", "9"]);

        Assert.True(again.ExitCode == ExitCodes.Success, again.Out + again.Error);
        Assert.Contains($"demo: overwrote the files of the previous demo in {directory}{Path.DirectorySeparatorChar}.", again.Out, StringComparison.Ordinal);
        Assert.EndsWith($"demo: next, open {Path.Combine(directory, "report.html")} in a browser to see the insights report.", again.Out.TrimEnd(), StringComparison.Ordinal);
        var summary = await ReadSummaryAsync(directory);
        Assert.Equal(0, summary.GetProperty("duplicatesSuppressed").GetInt64());
        Assert.Equal(3, summary.GetProperty("partitions").GetInt32());
        Assert.True(summary.GetProperty("reconciliation").GetProperty("alertsIdenticalToReplay").GetBoolean());
    }

    [Fact]
    public async Task DemoChaos_LosesNothing_WhileBrokersFailAndLeadersMove()
    {
        string directory = _files.TempDirectory("-chaos");

        var result = await CliRunner.RunAsync(["demo", "--chaos", "--rows", "30000", "--output", directory]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Out + result.Error);
        var summary = await ReadSummaryAsync(directory);
        TestContext.Current.TestOutputHelper?.WriteLine(result.Out);
        Assert.Equal(30000, summary.GetProperty("produced").GetInt64());
        Assert.Equal(30000, summary.GetProperty("consumed").GetInt64());
        Assert.Equal(30000, summary.GetProperty("reconciliation").GetProperty("recordsOnTopic").GetInt64());
        Assert.Equal(0, summary.GetProperty("reconciliation").GetProperty("alertsStoredTwice").GetInt64());
        Assert.True(summary.GetProperty("reconciliation").GetProperty("alertsIdenticalToReplay").GetBoolean());
        var chaos = summary.GetProperty("chaos");
        Assert.Equal(JsonValueKind.Object, chaos.ValueKind);
        int faults = chaos.EnumerateObject().Sum(p => p.Value.GetInt32());
        Assert.True(faults > 0, "the chaos schedule injected no fault");
        Assert.Contains("demo --chaos: chaos meanwhile: ", result.Out, StringComparison.Ordinal);
        Assert.Contains("OK, nothing lost, nothing stored twice", result.Out, StringComparison.Ordinal);
    }

    /// <summary>Several consumers of one group: the default rules grouped by agent and channel meet their groups' events
    /// through the repartition topics, so the alerts still equal the replay's, in both event-time modes.</summary>
    [Theory]
    [InlineData(2, "start")]
    [InlineData(3, "end")]
    public async Task Demo_WithSeveralConsumers_ReconcilesWithAReplay_IncludingRulesGroupedByAgentAndChannel(int consumers, string eventTime)
    {
        string directory = _files.TempDirectory("-consumers");

        var result = await CliRunner.RunAsync(["demo", "--rows", "20000", "--output", directory, "--consumers", consumers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--event-time", eventTime]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Out + result.Error);
        var summary = await ReadSummaryAsync(directory);
        Assert.Equal(consumers, summary.GetProperty("consumers").GetInt32());
        Assert.True(summary.GetProperty("reconciliation").GetProperty("alertsIdenticalToReplay").GetBoolean());
        var rules = KafkaCliFiles.ReadAlerts(Path.Combine(directory, "alerts.ndjson")).Select(a => a.Rule).ToHashSet();
        Assert.Contains("AgentFailureRate", rules); // grouped by agent_id: evaluated behind the repartition topic
        Assert.Contains("ProblematicSpike", rules); // grouped by channel
        Assert.Contains("OK, nothing lost, nothing stored twice", result.Out, StringComparison.Ordinal);
    }

    /// <summary>Consumers as OS processes, SIGKILLed and started again (seeded) while brokers fail: the merged alerts
    /// still equal the replay's and the group committed every record.</summary>
    [Fact]
    public async Task DemoProcessesChaos_KillsConsumerProcesses_AndStillReconcilesWithAReplay()
    {
        string directory = _files.TempDirectory("-processes");

        var result = await CliRunner.RunAsync(["demo", "--rows", "20000", "--output", directory, "--consumers", "2", "--processes", "--chaos"]);

        TestContext.Current.TestOutputHelper?.WriteLine(result.Out);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Out + result.Error);
        var summary = await ReadSummaryAsync(directory);
        Assert.True(summary.GetProperty("processes").GetBoolean());
        Assert.Equal(20000, summary.GetProperty("consumed").GetInt64());
        Assert.True(summary.GetProperty("reconciliation").GetProperty("alertsIdenticalToReplay").GetBoolean());
        Assert.Matches(@"chaos meanwhile: .*, [1-9]\d* consumer processes killed \(SIGKILL\) and started again\.", result.Out);
        Assert.Empty(Directory.GetFiles(directory, "alerts.consumer-*.ndjson")); // merged into alerts.ndjson
    }

    [Theory]
    [InlineData("demo --consumers 0")]
    [InlineData("demo --rows 0")]
    [InlineData("demo --rows lots")]
    [InlineData("demo --partitions 0")]
    [InlineData("demo --timeout never")]
    [InlineData("demo --chaos=maybe")]
    [InlineData("demo extra-argument")]
    public Task Demo_WithBadArguments_ExitsWith2(string arguments) => KafkaCliFiles.AssertInvalidInputAsync(arguments, "demo");

    public void Dispose() => _files.Dispose();

    private static async Task<JsonElement> ReadSummaryAsync(string directory)
    {
        await using var stream = File.OpenRead(Path.Combine(directory, "summary.json"));
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        return document.RootElement.Clone();
    }
}
