using CallStream.Kafka.Tests.Support;
using CallStream.Pipeline;

namespace CallStream.Kafka.Tests.Source;

/// <summary>Dead letters across restarts: a poison record read again, below or above the committed offset, is not published again.</summary>
public sealed class DeadLetterRestartTests
{
    private const string Topic = "consumerdata";

    [Fact]
    public async Task Restart_ReReadingBelowTheCommittedOffset_DoesNotPublishThePoisonRecordsAgain()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        cluster.CreateTopic(Topic + ".dlq", partitions: 1);
        Seed.PoisonMix(cluster, Topic);

        // First run: everything read and stored, so the stop commits offset 5.
        var first = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "restarts"));
        var tracker = new CheckpointTracker();
        await using (var run = new SourceRun(first, onEvent: e =>
        {
            if (e.Kind is InteractionSourceEventKind.Record or InteractionSourceEventKind.DeadLettered)
                tracker.CompleteAndStore(e.Partition, e.Offset, first);
        }))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            Assert.Equal(2, first.DeadLettered);
            await run.StopAsync();
        }
        Assert.Equal(5, Seed.Committed(cluster, Topic, "restarts", 1)[0]);

        // Second run: reads from offset 0 again, as the pipeline's warm-up does after a restart.
        var handlers = new InteractionSourceHandlers
        {
            OnAssigned = (_, _) => ValueTask.FromResult<IReadOnlyDictionary<int, long>?>(new Dictionary<int, long> { [0] = 0 }),
        };
        var second = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "restarts"));
        await using (var run = new SourceRun(second, handlers))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            Assert.Equal([1L, 3], run.OfKind(InteractionSourceEventKind.DeadLettered).Select(e => e.Offset));
            Assert.Equal(0, second.DeadLettered);
            await run.StopAsync();
        }

        Assert.Equal(2, TopicCounts.Total(cluster, Topic + ".dlq", 1));
    }

    [Fact]
    public async Task Restart_AfterAStopThatCommittedBeforeThePoisonRecords_DoesNotPublishThemAgain()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        cluster.CreateTopic(Topic + ".dlq", partitions: 2);
        Seed.Raw(cluster, Topic + ".dlq", 1, ("other", "{}"u8.ToArray())); // someone else's message, no headers
        Seed.PoisonMix(cluster, Topic);

        // First run: every record read and both poison records dead-lettered, but only offset 0 stored (the others
        // waited for the watermark when it stopped), so the stop commits offset 1.
        var first = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "stopped-early"));
        await using (var run = new SourceRun(first, onEvent: e =>
        {
            if (e.Kind == InteractionSourceEventKind.Record && e.Offset == 0)
                first.StoreOffset(0, 1);
        }))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            Assert.Equal(2, first.DeadLettered);
            await run.StopAsync();
        }
        Assert.Equal(1, Seed.Committed(cluster, Topic, "stopped-early", 1)[0]);

        // Second run: resumes at offset 1 and meets both poison records again.
        var second = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "stopped-early"));
        await using (var run = new SourceRun(second))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            Assert.Equal([1L, 3], run.OfKind(InteractionSourceEventKind.DeadLettered).Select(e => e.Offset));
            Assert.Equal(0, second.DeadLettered);
            await run.StopAsync();
        }

        Assert.Equal(2 + 1, TopicCounts.Total(cluster, Topic + ".dlq", 2));
    }

    [Fact]
    public async Task AnotherGroup_ReadingTheSamePoisonRecords_PublishesItsOwnDeadLetters()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        Seed.Raw(cluster, Topic, 0, ("c-0", "{not json"u8.ToArray()));

        foreach (string group in new[] { "one", "two" })
        {
            var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, group));
            await using var run = new SourceRun(source);
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            Assert.Equal(1, source.DeadLettered);
            await run.StopAsync();
        }
    }

}
