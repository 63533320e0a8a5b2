using CallStream.Kafka.Tests.Support;

namespace CallStream.Kafka.Tests.Source;

/// <summary>A source that falls out of its group loses its partitions without committing, and reads them again.</summary>
public sealed class KafkaSourceLostPartitionsTests
{
    private const string Topic = "consumerdata";

    [Fact]
    public async Task ReaderStallsPastTheMaxPollInterval_PartitionsAreLost_NotCommitted_AndReadAgainFromTheLastCommit()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 2);
        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(40));
        Seed.Interactions(cluster, Topic, 1, TestData.Interactions(40, first: 100));

        var options = KafkaOptions.Source(cluster, Topic, "stalling");
        options.EventQueueCapacity = 5;
        options.Settings["max.poll.interval.ms"] = "3000";
        // No background commit during the test: the stored offset may only be committed by an orderly hand-over, which
        // a lost partition never gets (with the default 5 s the timer could commit it before librdkafka gives up).
        options.CommitInterval = TimeSpan.FromMinutes(10);
        var stalled = new ManualResetEventSlim();
        var log = new ListLoggerFactory
        {
            // librdkafka leaves the group once the consumer has not polled for max.poll.interval.ms: release the reader then.
            OnEntry = e =>
            {
                if (e.Message.Contains("maximum poll interval", StringComparison.OrdinalIgnoreCase))
                    stalled.Set();
            },
        };
        int revokingCalls = 0;
        var handlers = new InteractionSourceHandlers { OnRevoking = (_, _) => { Interlocked.Increment(ref revokingCalls); return ValueTask.CompletedTask; } };
        var source = new KafkaInteractionSource(options, log);
        bool first = true;
        await using var run = new SourceRun(source, handlers, e =>
        {
            if (e.Kind == InteractionSourceEventKind.Record && first)
            {
                first = false;
                source.StoreOffset(e.Partition, e.Offset + 1); // stored, but never committed: the partition is lost first
                Assert.True(stalled.Wait(Eventually.Generous), "librdkafka noticed the stalled consumer");
            }
        });

        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionLost) == 2, "both partitions lost");
        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionAssigned) == 4
            && events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 2, "both partitions assigned again and read to the end");

        Assert.Equal(0, revokingCalls);
        var events = run.Events.ToList();
        int lostAt = events.FindIndex(e => e.Kind == InteractionSourceEventKind.PartitionLost);
        var afterLoss = events.Skip(lostAt).ToList();
        foreach (var assigned in afterLoss.Where(e => e.Kind == InteractionSourceEventKind.PartitionAssigned))
            Assert.Equal(InteractionSourceEvent.PartitionAssigned(assigned.Partition, -1, -1), assigned);
        for (int p = 0; p < 2; p++)
        {
            var reread = afterLoss.Where(e => e.Kind == InteractionSourceEventKind.Record && e.Partition == p).Select(e => e.Offset);
            Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), reread);
        }
    }
}
