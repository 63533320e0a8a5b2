using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CallStream.Json;
using CallStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Interop;

/// <summary>
/// kcat, a Kafka client that shares no code with CallStream's process (its own librdkafka build), reads what the
/// interaction sink wrote with each compression: the contract JSON, keyed by customer, on the Java client's
/// partitions. Skipped when kcat is not installed (<c>apt-get install kcat</c>).
/// </summary>
public sealed class KcatInteropTests
{
    private const string Topic = "consumerdata";
    private const int Partitions = 4;

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Kcat_ReadsTheInteractionSinksMessages(CompressionType compression)
    {
        Assert.SkipUnless(FindKcat() is not null, "kcat is not installed (apt-get install kcat): the interop check needs it.");
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, Partitions);
        var interactions = TestData.Interactions(300, customers: 60);
        var options = KafkaOptions.Sink(cluster);
        options.Compression = compression;
        await using (var sink = new KafkaInteractionSink(options))
            await sink.WriteBatchAsync(interactions, TestContext.Current.CancellationToken);

        // One line per message: partition, key, value (the values are single-line JSON).
        var lines = await RunKcatAsync("-C", "-b", cluster.BootstrapServers, "-t", Topic, "-e", "-q", "-f", "%p\t%k\t%s\n");

        Assert.Equal(interactions.Count, lines.Count);
        var byId = interactions.ToDictionary(i => i.InteractionId, StringComparer.Ordinal);
        foreach (string line in lines)
        {
            string[] fields = line.Split('\t', 3);
            var read = JsonSerializer.Deserialize(fields[2], CallStreamJsonContext.Default.Interaction)!;
            Assert.Equal(byId[read.InteractionId], read);
            Assert.Equal(read.CustomerId, fields[1]);
            Assert.Equal(JavaPartitioner.Partition(Encoding.UTF8.GetBytes(fields[1]), Partitions), int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string? FindKcat() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, "kcat"))
            .FirstOrDefault(File.Exists);

    private static async Task<List<string>> RunKcatAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(FindKcat()!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.Generous, TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"kcat exited with {process.ExitCode}: {await error}");
        return [.. (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
