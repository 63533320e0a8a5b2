using System.Reactive.Linq;
using CallStream.Kafka.Tests.Support;
using CallStream.Pipeline;
using CallStream.Rules;
using CallStream.Testing.Pipeline;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Pipeline;

/// <summary>
/// Warm-up after a restart whose committed position is a poison record stamped with the wall clock (as a producer that
/// stamps create time does): the warm-up must start from the event-time position stored with the commit, or, without
/// one, from the event times of the valid interactions before it — never from that record's timestamp.
/// </summary>
public sealed class WarmUpPositionTests(ITestOutputHelper output)
{
    private const string Topic = "consumerdata";
    private static readonly DateTimeOffset T = new(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly RuleSet Rules = RuleSet.Parse("""
        rule RepeatedFailures
          where outcome = 'failed'
          group by customer_id
          window sliding 1h
          having count(*) >= 5
          severity critical
        """);

    [Fact]
    public async Task Restart_CommittedAtAWallClockStampedPoisonRecord_WarmsUpFromTheStoredPosition_AlertsEqualReplay()
    {
        await using var scenario = new PoisonRestart(output, "positions");
        await scenario.FirstRunAsync(warmUp: true);
        var progress = ReadProgress(scenario.Cluster, "positions-progress");
        Assert.Contains(scenario.Committed, progress.Select(p => p.Offset));

        var alerts = await scenario.SecondRunAsync();

        Assert.Equal(scenario.Replay().Select(a => a.AlertId).Order(), alerts.Select(a => a.AlertId).Order());
        Assert.Single(alerts);
        Assert.Contains(scenario.Logs.Entries, e => e.EventId == 4056 && e.Message.Contains($"0@{scenario.Committed}", StringComparison.Ordinal)); // positions read
        Assert.Contains(scenario.Logs.Entries, e => e.EventId == 1016 && e.Message.Contains("re-reading offsets 0 to", StringComparison.Ordinal) && e.Message.Contains("stored with the committed offset", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_CommittedAtAWallClockStampedPoisonRecord_WithoutAStoredPosition_EstimatesFromValidInteractions_AlertsEqualReplay()
    {
        // The first run does not warm up, so it stores no positions: the group looks as one did before positions existed.
        await using var scenario = new PoisonRestart(output, "no-positions");
        await scenario.FirstRunAsync(warmUp: false);
        Assert.Empty(ReadProgress(scenario.Cluster, "no-positions-progress"));

        var alerts = await scenario.SecondRunAsync();

        Assert.Equal(scenario.Replay().Select(a => a.AlertId).Order(), alerts.Select(a => a.AlertId).Order());
        Assert.Single(alerts);
        var estimate = Assert.Single(scenario.Logs.Entries, e => e.EventId == 1031);
        Assert.Contains($"estimated at event time {T.AddMinutes(12):yyyy-MM-ddTHH:mm:ss}", estimate.Message, StringComparison.Ordinal); // the newest valid event, not the poison record's wall-clock time
    }

    /// <summary>Reads every record of a progress topic (none when it does not exist).</summary>
    internal static List<StoredPosition> ReadProgress(InProcessKafkaCluster cluster, string progressTopic)
    {
        var config = cluster.CreateConsumerConfig("progress-reader");
        config.AllowAutoCreateTopics = false;
        config.EnablePartitionEof = true;
        using var consumer = new ConsumerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        var result = new List<StoredPosition>();
        Metadata metadata;
        using (var admin = new DependentAdminClientBuilder(consumer.Handle).Build())
            metadata = admin.GetMetadata(progressTopic, Eventually.Generous);
        var topic = metadata.Topics.Single(t => t.Topic == progressTopic);
        if (topic.Error.IsError || topic.Partitions.Count == 0)
            return result;
        foreach (var partition in topic.Partitions)
        {
            var tp = new TopicPartition(progressTopic, partition.PartitionId);
            var ends = consumer.QueryWatermarkOffsets(tp, Eventually.Generous);
            if (ends.High.Value <= ends.Low.Value)
                continue;
            consumer.Assign(new TopicPartitionOffset(tp, ends.Low));
            while (consumer.Consume(Eventually.Generous) is { } record && !record.IsPartitionEOF)
            {
                result.AddRange(ProgressRecord.TryRead(Topic, 0, record.Message.Value) ?? []);
                if (record.Offset.Value >= ends.High.Value - 1)
                    break;
            }
        }
        return result;
    }

    /// <summary>
    /// One partition: three failures of customer c-1 and some calls of others, a record that is not JSON stamped with the
    /// wall clock, and one more call; a first run reads it all (the last call stays held for the watermark, so the commit
    /// lands right after the poison record); then two more failures of c-1 arrive, and a second run must count five.
    /// </summary>
    private sealed class PoisonRestart : IAsyncDisposable
    {
        private readonly ITestOutputHelper _output;
        private readonly string _group;
        private readonly List<Interaction> _valid = [];
        private readonly MemoryStore<Alert> _alerts = new(a => a.AlertId);

        public PoisonRestart(ITestOutputHelper output, string group)
        {
            _output = output;
            _group = group;
            Cluster = InProcessKafkaCluster.Start(1);
            Cluster.CreateTopic(Topic, partitions: 1);
            Cluster.CreateTopic(Topic + ".dlq", partitions: 1);
            Cluster.CreateTopic(group + KafkaSourceOptions.ProgressSuffix, partitions: 1); // the mock cluster cannot create it on request
            Produce(Call(0, "c-1", Outcome.Failed), Call(1, "c-2", Outcome.Resolved), Call(5, "c-1", Outcome.Failed), Call(6, "c-2", Outcome.Resolved),
                Call(10, "c-1", Outcome.Failed), Call(11, "c-2", Outcome.Resolved), Call(12, "c-3", Outcome.Resolved));
            using (var producer = RawClients.Producer(Cluster))
            {
                producer.Produce(new TopicPartition(Topic, 0), new Message<byte[]?, byte[]?> { Key = "c-9"u8.ToArray(), Value = "{not json"u8.ToArray(), Timestamp = new Timestamp(TimeProvider.System.GetUtcNow()) });
                Assert.Equal(0, producer.Flush(Eventually.Generous));
            }
            Produce(Call(13, "c-3", Outcome.Resolved));
        }

        public InProcessKafkaCluster Cluster { get; }

        public ListLoggerFactory Logs { get; } = new();

        /// <summary>The committed offset after the first run: the record after the poison record (offset 7).</summary>
        public long Committed { get; private set; } = -1;

        public async Task FirstRunAsync(bool warmUp)
        {
            await RunAsync(warmUp, complete: false);
            Committed = Seed.Committed(Cluster, Topic, _group, 1)[0];
            Assert.Equal(8, Committed); // the last call (offset 8) was held: the commit is right after the poison record (offset 7)
            Assert.Empty(_alerts.Items);
        }

        public async Task<List<Alert>> SecondRunAsync()
        {
            Produce(Call(15, "c-1", Outcome.Failed), Call(20, "c-1", Outcome.Failed), Call(30, "c-4", Outcome.Resolved));
            await RunAsync(warmUp: true, complete: true);
            foreach (var entry in Logs.Entries.Where(e => e.EventId is 1013 or 1016 or 1031 or 1032 or 4053 or 4054 or 4056 or 4057 || e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning))
                _output.WriteLine($"[{entry.Level}] {entry.Message}");
            return [.. _alerts.Items.Values];
        }

        /// <summary>The alerts of <c>replay</c> over the valid interactions in log order.</summary>
        public List<Alert> Replay() => [.. _valid.ToObservable().DetectAlerts(Rules).ToEnumerable()];

        public ValueTask DisposeAsync()
        {
            Cluster.Dispose();
            return ValueTask.CompletedTask;
        }

        private async Task RunAsync(bool warmUp, bool complete)
        {
            var source = new KafkaInteractionSource(KafkaOptions.Source(Cluster, Topic, _group), Logs);
            await using var pipeline = new InteractionPipeline(source, Rules, new InteractionPipelineOptions { WarmUp = warmUp, IdleTimeout = TimeSpan.FromDays(1) }, Logs);
            pipeline.AddAlertSink("memory:alerts", _alerts, new BatchingOptions { BatchSize = 10, FlushInterval = TimeSpan.FromMilliseconds(20) });
            using var stop = new CancellationTokenSource();
            var run = Task.Run(() => pipeline.RunAsync(stop.Token));
            long end = TopicCounts.Ends(Cluster, Topic, 1)[0].High;
            Eventually.Holds(() =>
            {
                if (run.IsFaulted)
                    throw new InvalidOperationException("The pipeline failed.", run.Exception);
                var statistics = pipeline.GetStatistics();
                return statistics.Partitions is [{ CaughtUp: true } partition] && partition.LastReadOffset >= end - 1;
            }, Eventually.Generous, "the partition read to its end");
            if (complete)
                pipeline.Complete();
            else
                await stop.CancelAsync();
            await run.WaitAsync(Eventually.Generous);
            await source.DisposeAsync();
        }

        private Interaction Call(int minute, string customer, Outcome outcome) =>
            new($"i-{minute:D3}", customer, "agent-1", Channel.Voice, T.AddMinutes(minute), 60, outcome, null);

        private void Produce(params Interaction[] interactions)
        {
            _valid.AddRange(interactions);
            Seed.Interactions(Cluster, Topic, 0, interactions, i => i.StartTime);
        }
    }
}
