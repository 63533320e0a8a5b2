using CallStream.Kafka;
using Confluent.Kafka;

namespace CallStream.Cli.Tests.Kafka;

/// <summary>How <c>consume</c> ends: exactly <c>--max-messages</c>, <c>--idle-exit</c> with nothing assigned, and dead letters across restarts.</summary>
public sealed class ConsumeStopTests : IDisposable
{
    private readonly KafkaCliFiles _files = new();

    [Fact]
    public async Task Consume_MaxMessages_ConsumesExactlyThatMany_AndTheNextRunTheRest()
    {
        const int Rows = 6000;
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, 1, replicationFactor: 3);
        string csv = await _files.GenerateAsync(Rows, seed: 5);
        await KafkaCliFiles.ProduceAsync(cluster, csv, Rows);
        string alerts = _files.Temp(".ndjson");
        string[] consume = ["consume", "--kafka", cluster.BootstrapServers, "--group", "limited", "--alerts", alerts];

        var first = await CliRunner.RunAsync([.. consume, "--max-messages", "1000"]);
        long committed = KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, 1, "limited");
        var firstAlerts = KafkaCliFiles.ReadAlerts(alerts);
        var second = await CliRunner.RunAsync([.. consume, "--idle-exit", "1s"]);

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.Contains("consume: 1000 messages consumed from ", first.Out, StringComparison.Ordinal);
        Assert.InRange(committed, 0, 1000);
        // One partition keeps the log's order: the first run saw the first 1000 rows only, so its alerts name nothing later.
        var firstRows = ReadIds(csv).Take(1000).ToHashSet(StringComparer.Ordinal);
        Assert.All(firstAlerts, a => Assert.Contains(a.InteractionId, firstRows));
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.Contains($"consume: {Rows - committed} messages consumed from ", second.Out, StringComparison.Ordinal);
        Assert.Equal(Rows, KafkaCliFiles.CountCommitted(cluster, KafkaSinkOptions.DefaultInteractionsTopic, 1, "limited"));
        KafkaCliFiles.AssertSameAlerts(await _files.ReplayAsync(csv), KafkaCliFiles.ReadAlerts(alerts));
    }

    [Fact]
    public async Task Consume_IdleExit_EndsTheRun_WhenTheGroupAssignsNoPartition()
    {
        await using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic("busy", 1);
        // Another member of the group holds the only partition.
        using var holder = new ConsumerBuilder<Ignore, Ignore>(cluster.CreateConsumerConfig("shared")).Build();
        holder.Subscribe("busy");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (holder.Assignment.Count == 0 && clock.Elapsed < TimeSpan.FromSeconds(60))
            holder.Consume(TimeSpan.FromMilliseconds(100));
        Assert.Single(holder.Assignment);
        using var polling = new CancellationTokenSource();
        var keepPolling = Task.Run(() =>
        {
            while (!polling.IsCancellationRequested)
                holder.Consume(TimeSpan.FromMilliseconds(100));
        }, TestContext.Current.CancellationToken);

        var run = CliRunner.RunAsync(["consume", "--kafka", cluster.BootstrapServers, "--topic", "busy", "--group", "shared", "--idle-exit", "1s",
            "--kafka-setting", "session.timeout.ms=3000", "--kafka-setting", "heartbeat.interval.ms=500"]);
        await run.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        var result = await run;
        await polling.CancelAsync();
        await keepPolling;

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("consume: 0 messages consumed from topic busy", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consume_IdleExit_EndsTheRun_WhenTheTopicDoesNotExist()
    {
        await using var cluster = InProcessKafkaCluster.Start(1);

        var run = CliRunner.RunAsync(["consume", "--kafka", cluster.BootstrapServers, "--topic", "absent", "--group", "nobody", "--idle-exit", "1s"]);
        await run.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        var result = await run;

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("consume: 0 messages consumed from topic absent", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consume_Restarted_PublishesEachPoisonRecordToTheDeadLetterTopicOnce()
    {
        const string DeadLetters = KafkaSinkOptions.DefaultInteractionsTopic + ".dlq";
        await using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultInteractionsTopic, 1, replicationFactor: 3);
        cluster.CreateTopic(DeadLetters, 1, replicationFactor: 3);
        string csv = await _files.GenerateAsync(500, seed: 3);
        using (var producer = new ProducerBuilder<string, string>(cluster.CreateProducerConfig()).Build())
        {
            // Produce-time timestamps, later than every event time: a restart's warm-up, which looks records up by time, reads them again.
            await producer.ProduceAsync(KafkaSinkOptions.DefaultInteractionsTopic, new Message<string, string> { Key = "x", Value = "{not json" }, TestContext.Current.CancellationToken);
            await producer.ProduceAsync(KafkaSinkOptions.DefaultInteractionsTopic, new Message<string, string> { Key = "y", Value = "{\"interactionId\":\"bad\"}" }, TestContext.Current.CancellationToken);
        }
        await KafkaCliFiles.ProduceAsync(cluster, csv, 500);
        string[] consume = ["consume", "--kafka", cluster.BootstrapServers, "--group", "poison-twice", "--alerts", _files.Temp(".ndjson"), "--idle-exit", "1s"];

        var first = await CliRunner.RunAsync(consume);
        var second = await CliRunner.RunAsync(consume);

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.Contains("(2 dead-lettered,", first.Out, StringComparison.Ordinal);
        Assert.Contains("(0 dead-lettered,", second.Out, StringComparison.Ordinal);
        Assert.Equal(2, KafkaCliFiles.CountRecords(cluster, DeadLetters, 1));
    }

    public void Dispose() => _files.Dispose();

    private static List<string> ReadIds(string csv)
    {
        using var reader = new CallStream.Csv.CsvInteractionReader(csv);
        return [.. reader.ReadAll().Select(i => i.InteractionId)];
    }
}
