using System.Diagnostics;
using System.Text.Json;
using CallStream.Csv;
using CallStream.Json;
using CallStream.Kafka;
using Confluent.Kafka;

namespace CallStream.Cli.Tests.Kafka;

public sealed class ProduceCommandTests : IDisposable
{
    private readonly KafkaCliFiles _files = new();

    [Fact]
    public async Task Produce_WritesEveryRow_KeyedByCustomer_WithTheEventTimeAsTimestamp()
    {
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic("interactions", partitions: 4, replicationFactor: 3);
        string csv = await GenerateAsync(3000);

        var result = await CliRunner.RunAsync(["produce", "--input", csv, "--kafka", cluster.BootstrapServers, "--topic", "interactions"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("produce: 3000 rows read, 3000 accepted, 0 rejected; 3000 produced to topic interactions at " + cluster.BootstrapServers, result.Out, StringComparison.Ordinal);
        var expected = ReadCsv(csv);
        Assert.Equal(expected.Count, KafkaCliFiles.CountRecords(cluster, "interactions", 4)); // nothing more: no duplicates
        var messages = ReadTopic(cluster, "interactions", expected.Count);
        Assert.Equal(expected.Count, messages.Count);
        var options = new JsonSerializerOptions { Converters = { new InteractionJsonConverter() } };
        foreach (var message in messages)
        {
            var interaction = JsonSerializer.Deserialize<Interaction>(message.Value, options)!;
            var original = expected[interaction.InteractionId];
            Assert.Equal(original.CustomerId, message.Key);
            Assert.Equal(original.StartTime.ToUnixTimeMilliseconds(), message.Timestamp.UnixTimestampMs);
            Assert.Equal(original.DurationSeconds, interaction.DurationSeconds);
        }
        Assert.Equal(expected.Count, messages.Select(m => JsonSerializer.Deserialize<Interaction>(m.Value, options)!.InteractionId).Distinct().Count());
    }

    [Fact]
    public async Task Produce_TakesTheBrokersFromCallstreamKafka_AndNeverPrintsSecretSettings()
    {
        await using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, partitions: 2);
        string csv = await GenerateAsync(50);

        var result = await CliRunner.RunAsync(
            ["produce", "--input", csv, "--kafka-setting", "sasl.username=alice", "--kafka-setting", "sasl.password=hunter2-secret", "--kafka-setting", "client.id=cli-test"],
            environment: new Dictionary<string, string> { [CliContext.KafkaVariable] = cluster.BootstrapServers });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("50 produced to topic consumerdata at " + cluster.BootstrapServers, result.Out, StringComparison.Ordinal);
        Assert.Contains("sasl.password=***", result.Out, StringComparison.Ordinal);
        Assert.Contains("sasl.username=alice", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Out + result.Error, StringComparison.Ordinal);
        Assert.Equal(50, KafkaCliFiles.CountRecords(cluster, KafkaSinkOptions.DefaultInteractionsTopic, 2));
    }

    [Fact]
    public async Task Produce_WithAnUnreachableMongo_FailsNamingTheHost_WithoutThePassword()
    {
        string csv = await GenerateAsync(10);

        var result = await CliRunner.RunAsync(["produce", "--input", csv, "--kafka", "127.0.0.1:1", "--mongo", "mongodb://alice:hunter2-secret@127.0.0.1:1/?serverSelectionTimeoutMS=200"]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("callstream produce: --mongo: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("produce")]
    [InlineData("produce --input missing-file.csv")]
    [InlineData("produce --input {csv} --kafka-setting no-equals-sign")]
    [InlineData("produce --input {csv} --kafka-setting enable.idempotence=false")]
    [InlineData("produce --input {csv} --topic bad/topic")]
    [InlineData("produce --input {csv} --mongo not-a-connection-string")]
    public async Task Produce_WithBadArguments_ExitsWith2(string arguments)
    {
        string csv = await GenerateAsync(5);

        await KafkaCliFiles.AssertInvalidInputAsync(arguments.Replace("{csv}", csv, StringComparison.Ordinal), "produce");
    }

    [Fact]
    public async Task Produce_Strict_StopsAtTheFirstBadRowWith2()
    {
        string csv = _files.Temp(".csv");
        await File.WriteAllTextAsync(
            csv,
            "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,60,resolved,4\n"
            + "i2,c1,a1,fax,2024-03-01T09:01:00Z,60,resolved,4\n",
            TestContext.Current.CancellationToken);
        await using var cluster = InProcessKafkaCluster.Start(1);

        var result = await CliRunner.RunAsync(["produce", "--input", csv, "--kafka", cluster.BootstrapServers, "--strict"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--strict: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("fax", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();

    private static List<Message<string, string>> ReadTopic(InProcessKafkaCluster cluster, string topic, int expected)
    {
        using var consumer = new ConsumerBuilder<string, string>(cluster.CreateConsumerConfig("test-reader-" + Guid.NewGuid().ToString("N"))).Build();
        consumer.Subscribe(topic);
        var messages = new List<Message<string, string>>();
        var clock = Stopwatch.StartNew();
        while (messages.Count < expected && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                messages.Add(result.Message);
        }
        consumer.Close();
        return messages;
    }

    private static Dictionary<string, Interaction> ReadCsv(string path)
    {
        using var reader = new CsvInteractionReader(path);
        return reader.ReadAll().ToDictionary(i => i.InteractionId, StringComparer.Ordinal);
    }

    private Task<string> GenerateAsync(int rows) => _files.GenerateAsync(rows);
}
