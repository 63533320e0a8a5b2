using CallStream.Kafka;
using Confluent.Kafka;

namespace CallStream.Cli.Tests.Kafka;

public sealed class ConsumeCommandTests : IDisposable
{
    private const int Partitions = 4;
    private readonly KafkaCliFiles _files = new();

    [Fact]
    public async Task ProduceThenConsume_StoresTheAlertsOfReplay_AndCommitsEverything()
    {
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, Partitions, replicationFactor: 3);
        string csv = await _files.GenerateAsync(6000);
        await KafkaCliFiles.ProduceAsync(cluster, csv, 6000);
        string alerts = _files.Temp(".ndjson");

        var result = await CliRunner.RunAsync(["consume", "--kafka", cluster.BootstrapServers, "--group", "round-trip", "--alerts", alerts, "--idle-exit", "1s"]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("consume: 6000 messages consumed from topic consumerdata at " + cluster.BootstrapServers, result.Out, StringComparison.Ordinal);
        Assert.Contains("(0 dead-lettered, 0 re-read to warm up, 0 late)", result.Out, StringComparison.Ordinal);
        var expected = await _files.ReplayAsync(csv);
        Assert.Contains($"; {expected.Count} alerts to {alerts} (0 already stored)", result.Out, StringComparison.Ordinal);
        KafkaCliFiles.AssertSameAlerts(expected, KafkaCliFiles.ReadAlerts(alerts));
        Assert.Equal(6000, KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, "round-trip"));
    }

    /// <summary>Rules grouped only by the message key (and per-event rules) run where the records are read: no forwarder, no repartition topic.</summary>
    [Fact]
    public async Task Consume_RulesGroupedOnlyByCustomer_PayNothingForTheHop()
    {
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, Partitions, replicationFactor: 3);
        string csv = await _files.GenerateAsync(6000);
        await KafkaCliFiles.ProduceAsync(cluster, csv, 6000);
        string rules = _files.Temp(".rules");
        await File.WriteAllTextAsync(rules, """
            rule FailingCustomer
              where outcome = 'failed'
              group by customer_id
              window tumbling 1d
              having count(*) >= 3
              severity warning
            rule LongCall
              where duration_seconds > 3000
              severity warning
            """, TestContext.Current.CancellationToken);
        string alerts = _files.Temp(".ndjson");
        string replayed = _files.Temp(".ndjson");

        var replay = await CliRunner.RunAsync(["replay", "--input", csv, "--rules", rules, "--alerts", replayed]);
        var result = await CliRunner.RunAsync(["consume", "--kafka", cluster.BootstrapServers, "--group", "by-key", "--rules", rules, "--alerts", alerts, "--idle-exit", "1s"]);

        Assert.True(replay.ExitCode == ExitCodes.Success, replay.Error);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var expected = KafkaCliFiles.ReadAlerts(replayed);
        Assert.Contains(expected, a => a.Rule == "FailingCustomer");
        KafkaCliFiles.AssertSameAlerts(expected, KafkaCliFiles.ReadAlerts(alerts));
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var topics = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
        Assert.Contains(KafkaSinkOptions.DefaultInteractionsTopic, topics);
        Assert.DoesNotContain(topics, t => t.EndsWith("-repartition", StringComparison.Ordinal));
        Assert.Equal(0, KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, RepartitionTopics.ForwarderGroupId("by-key")));
    }

    [Fact]
    public async Task Consume_DuplicateInteractions_AreSkippedAndCounted_AsReplayDoes()
    {
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, Partitions, replicationFactor: 3);
        // Every 20th row sent twice in a row, as a producer retrying a send would.
        string generated = await _files.GenerateAsync(6000, seed: 16);
        var lines = await File.ReadAllLinesAsync(generated, TestContext.Current.CancellationToken);
        string csv = _files.Temp(".csv");
        await File.WriteAllLinesAsync(csv, lines.Take(1).Concat(lines.Skip(1).SelectMany((line, i) => i % 20 == 0 ? new[] { line, line } : [line])), TestContext.Current.CancellationToken);
        await KafkaCliFiles.ProduceAsync(cluster, csv, 6300);
        string alerts = _files.Temp(".ndjson");
        string replayed = _files.Temp(".ndjson");

        var replay = await CliRunner.RunAsync(["replay", "--input", csv, "--alerts", replayed]);
        var result = await CliRunner.RunAsync(["consume", "--kafka", cluster.BootstrapServers, "--group", "duplicates", "--alerts", alerts, "--idle-exit", "1s"]);

        Assert.Contains("replay: 6300 rows read, 6300 accepted, 0 rejected, 0 late, 300 duplicates skipped;", replay.Out, StringComparison.Ordinal);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("consume: 6300 messages consumed", result.Out, StringComparison.Ordinal);
        Assert.Contains("(0 dead-lettered, 0 re-read to warm up, 0 late, 300 duplicates skipped)", result.Out, StringComparison.Ordinal);
        var expected = KafkaCliFiles.ReadAlerts(replayed);
        Assert.Equal(await _files.ReplayAsync(generated), expected);
        KafkaCliFiles.AssertSameAlerts(expected, KafkaCliFiles.ReadAlerts(alerts));
        Assert.Equal(6300, KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, "duplicates"));
    }

    [Fact]
    public async Task Consume_StoppedByMaxMessages_ResumesFromTheCommittedOffsets_AndStoresEachAlertOnce()
    {
        const int Rows = 40_000;
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, Partitions, replicationFactor: 3);
        string csv = await _files.GenerateAsync(Rows, seed: 7);
        await KafkaCliFiles.ProduceAsync(cluster, csv, Rows);
        string alerts = _files.Temp(".ndjson");
        // The in-process cluster makes a member joining after another left wait for the session timeout less one second.
        string[] consume = ["consume", "--group", "resume", "--alerts", alerts, "--kafka-setting", "session.timeout.ms=3000", "--kafka-setting", "heartbeat.interval.ms=500"];
        var environment = new Dictionary<string, string> { [CliContext.KafkaVariable] = cluster.BootstrapServers };

        // Half the topic: a graceful stop commits only what the multi-partition watermark released, and that needs
        // events from every partition; stopping after a few thousand messages can legitimately commit nothing.
        var first = await CliRunner.RunAsync([.. consume, "--max-messages", "20000"], environment: environment);
        long committedAfterFirst = KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, "resume");
        var second = await CliRunner.RunAsync([.. consume, "--idle-exit", "1s"], environment: environment);

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.True(committedAfterFirst is > 0 and < Rows, $"committed after the first run: {committedAfterFirst}; its output: {first.Out} {first.Error}");
        var expected = await _files.ReplayAsync(csv);
        KafkaCliFiles.AssertSameAlerts(expected, KafkaCliFiles.ReadAlerts(alerts));
        Assert.Equal(Rows, KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, Partitions, "resume"));
        // The second run started at the committed offsets: it consumed what the first had not committed, no more.
        Assert.Contains($"consume: {Rows - committedAfterFirst} messages consumed", second.Out, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"first run: {first.Out.Trim()}\ncommitted after it: {committedAfterFirst}\nsecond run: {second.Out.Trim()}");
    }

    [Fact]
    public async Task Consume_DeadLettersAPoisonMessage_AndGoesOn()
    {
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, 1, replicationFactor: 3);
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic + ".dlq", 1, replicationFactor: 3);
        string csv = await _files.GenerateAsync(500, seed: 3);
        using (var producer = new ProducerBuilder<string, string>(cluster.CreateProducerConfig()).Build())
        {
            await producer.ProduceAsync(KafkaSinkOptions.DefaultInteractionsTopic, new Message<string, string> { Key = "x", Value = "{not json" }, TestContext.Current.CancellationToken);
        }
        await KafkaCliFiles.ProduceAsync(cluster, csv, 500);
        string alerts = _files.Temp(".ndjson");

        var result = await CliRunner.RunAsync(["consume", "--kafka", cluster.BootstrapServers, "--group", "poison", "--alerts", alerts, "--idle-exit", "1s"]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("consume: 500 messages consumed from topic consumerdata at " + cluster.BootstrapServers + " (1 dead-lettered,", result.Out, StringComparison.Ordinal);
        Assert.Equal(1, KafkaCliFiles.CountRecords(cluster, KafkaSinkOptions.DefaultInteractionsTopic + ".dlq", 1));
        Assert.Equal(501, KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, 1, "poison"));
        KafkaCliFiles.AssertSameAlerts(await _files.ReplayAsync(csv), KafkaCliFiles.ReadAlerts(alerts));
    }

    [Fact]
    public async Task Consume_ShowsSettingsWithSecretsMasked()
    {
        await using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic("empty", 1);

        var result = await CliRunner.RunAsync(
            ["consume", "--kafka", cluster.BootstrapServers, "--topic", "empty", "--group", "masked", "--idle-exit", "1s",
             "--kafka-setting", "sasl.username=bob", "--kafka-setting", "sasl.password=hunter2-secret", "--kafka-setting", "ssl.key.password=another-secret"]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("sasl.password=***", result.Error, StringComparison.Ordinal);
        Assert.Contains("ssl.key.password=***", result.Error, StringComparison.Ordinal);
        Assert.Contains("sasl.username=bob", result.Error, StringComparison.Ordinal);
        Assert.Contains("consume: 0 messages consumed from topic empty", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", result.Out + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("another-secret", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consume_WithAPasswordInTheMongoUri_NeverPrintsIt()
    {
        var result = await CliRunner.RunAsync(["consume", "--kafka", "127.0.0.1:1", "--max-messages", "1"], environment: new Dictionary<string, string> { [CliContext.MongoVariable] = "mongodb://carol:hunter2-secret@127.0.0.1:1/" });

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("MongoDB at mongodb://carol:", result.Error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("consume --max-messages 0")]
    [InlineData("consume --max-messages many")]
    [InlineData("consume --idle-exit soon")]
    [InlineData("consume --idle-exit 0s")]
    [InlineData("consume --lateness -5s")]
    [InlineData("consume --rules no-such-file.rules")]
    [InlineData("consume --kafka-setting missing-value")]
    [InlineData("consume --kafka-setting enable.auto.offset.store=true --max-messages 1")]
    [InlineData("consume --topic bad/topic --max-messages 1")]
    [InlineData("consume --unknown-option")]
    [InlineData("consume --alerts -")]
    public Task Consume_WithBadArguments_ExitsWith2(string arguments) => KafkaCliFiles.AssertInvalidInputAsync(arguments, "consume");

    public void Dispose() => _files.Dispose();
}
