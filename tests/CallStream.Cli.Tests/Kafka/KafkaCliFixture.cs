using System.Globalization;
using CallStream.Kafka;
using Confluent.Kafka;

namespace CallStream.Cli.Tests.Kafka;

/// <summary>Files and helpers of the Kafka command tests: a generated log produced with the CLI, and reading results back.</summary>
internal sealed class KafkaCliFiles : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly List<string> _directories = [];

    public string Temp(string extension) => _files.Path(extension);

    public string TempDirectory(string suffix)
    {
        string path = CliRunner.TempPath(suffix);
        _directories.Add(path);
        return path;
    }

    public async Task<string> GenerateAsync(int rows, int seed = 42)
    {
        string csv = Temp(".csv");
        var result = await CliRunner.RunAsync(["generate", "--rows", rows.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture), "--output", csv]);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        return csv;
    }

    public static async Task ProduceAsync(InProcessKafkaCluster cluster, string csv, int rows)
    {
        var result = await CliRunner.RunAsync(["produce", "--input", csv, "--kafka", cluster.BootstrapServers]);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains($"; {rows} produced to topic consumerdata", result.Out, StringComparison.Ordinal);
    }

    /// <summary>The alerts of <c>callstream replay</c> on the same file and the default rules.</summary>
    public async Task<List<Alert>> ReplayAsync(string csv)
    {
        string alerts = Temp(".ndjson");
        var result = await CliRunner.RunAsync(["replay", "--input", csv, "--alerts", alerts]);
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        return ReadAlerts(alerts);
    }

    public static List<Alert> ReadAlerts(string path) => CliRunner.ReadAlerts(path);

    /// <summary>Runs the tool with space-separated arguments and checks exit code 2 and the command's error line.</summary>
    public static async Task AssertInvalidInputAsync(string arguments, string command)
    {
        var result = await CliRunner.RunAsync(arguments.Split(' '));
        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("callstream " + command + ": ", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The sum of the partitions' high watermarks: how many records the topic holds.</summary>
    public static long CountRecords(InProcessKafkaCluster cluster, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.CreateConsumerConfig("test-audit")).Build();
        return Enumerable.Range(0, partitions).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value);
    }

    /// <summary>The offsets a group committed, by partition (-1001 when none).</summary>
    public static long CountCommitted(InProcessKafkaCluster cluster, string topic, int partitions, string group)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.CreateConsumerConfig(group)).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(30));
        return committed.Sum(c => Math.Max(0, c.Offset.Value));
    }

    public static void AssertSameAlerts(IReadOnlyList<Alert> expected, IReadOnlyList<Alert> stored)
    {
        Assert.NotEmpty(expected);
        Assert.Equal(stored.Count, stored.Select(a => a.AlertId).Distinct().Count()); // each alert id once
        var missing = expected.ExceptBy(stored.Select(a => a.AlertId), a => a.AlertId).Select(a => $"missing {a.Rule} {a.Key} {a.TriggeredAt:O}");
        var extra = stored.ExceptBy(expected.Select(a => a.AlertId), a => a.AlertId).Select(a => $"extra {a.Rule} {a.Key} {a.TriggeredAt:O}");
        Assert.True(stored.Count == expected.Count, string.Join("; ", missing.Concat(extra)));
        var byId = stored.ToDictionary(a => a.AlertId, StringComparer.Ordinal);
        Assert.Equal(expected.Count, stored.Count);
        foreach (var alert in expected)
            Assert.Equal(alert, byId[alert.AlertId]);
    }

    public void Dispose()
    {
        _files.Dispose();
        foreach (string path in _directories.Where(Directory.Exists))
            Directory.Delete(path, recursive: true);
    }
}
