using CallStream.Kafka.Tests.Pipeline;
using CallStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Source;

/// <summary>The event-time position stored beside each commit: written and acknowledged before the commit, read back on assignment.</summary>
public sealed class ProgressStoreTests
{
    private const string Topic = "consumerdata";

    [Fact]
    public async Task StorePosition_IsWrittenBeforeTheOffsetIsCommitted_AndTheNextAssignmentReceivesIt()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        cluster.CreateTopic("g-progress", partitions: 1);
        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(5));
        var position = new EventTimePosition(TestData.Start.AddMinutes(4), TimeSpan.FromHours(1), 2);

        cluster.StartRequestTracking();
        var first = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "g"));
        await using (var run = new SourceRun(first, onEvent: e =>
        {
            if (e.Kind == InteractionSourceEventKind.Record && e.Offset == 4)
                first.StorePosition(0, 5, position);
        }))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            await run.StopAsync();
        }
        var requests = cluster.GetTrackedRequests().Select(r => r.ApiKey).ToList();
        cluster.StopRequestTracking();

        Assert.Equal(5, Seed.Committed(cluster, Topic, "g", 1)[0]);
        int produce = requests.IndexOf(KafkaApiKey.Produce), commit = requests.IndexOf(KafkaApiKey.OffsetCommit);
        Assert.True(produce >= 0 && commit > produce, $"the progress record (Produce at {produce}) precedes the offset commit (at {commit})");
        Assert.Equal([new StoredPosition(5, position)], WarmUpPositionTests.ReadProgress(cluster, "g-progress"));

        // The next member of the group is handed the position with the committed offset.
        Assert.Equal([new AssignedPartition(0, 5) { Position = position }], await AssignmentAsync(cluster, "g"));

        // A commit made without a position (an older version, a tool) no longer matches: no position is handed over.
        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.CreateConsumerConfig("g")).SetLogHandler((_, _) => { }).Build())
        {
            consumer.Subscribe(Topic);
            Eventually.Holds(() => consumer.Consume(TimeSpan.FromMilliseconds(100)) is not null || consumer.Assignment.Count > 0, Eventually.Generous, "joined the group");
            consumer.Commit([new TopicPartitionOffset(Topic, 0, 3)]);
            consumer.Close();
        }
        var logs = new ListLoggerFactory();
        Assert.Equal([new AssignedPartition(0, 3)], await AssignmentAsync(cluster, "g", logs));
        Assert.Contains(logs.Entries, e => e.EventId == 4057 && e.Message.Contains("(5) do not include its committed offset 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StorePosition_ProgressTopicCannotBeCreated_StopsTheSourceWithAMessageSayingHowToCreateIt()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(2));
        cluster.SetTopicError("denied-progress", ErrorCode.TopicAuthorizationFailed);

        var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "denied"));
        await using var run = new SourceRun(source, onEvent: e =>
        {
            if (e.Kind == InteractionSourceEventKind.Record && e.Offset == 1)
                source.StorePosition(0, 2, new EventTimePosition(TestData.Start, TimeSpan.FromHours(1), 0));
        });
        var failure = await Assert.ThrowsAsync<KafkaException>(() => run.Completion.WaitAsync(Eventually.Generous, TestContext.Current.CancellationToken));

        Assert.Contains("The progress topic 'denied-progress'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Create it as a compacted topic (cleanup.policy=compact", failure.Message, StringComparison.Ordinal);
        Assert.Equal(-1001, Seed.Committed(cluster, Topic, "denied", 1)[0]); // nothing committed without its position
    }

    private static async Task<List<AssignedPartition>> AssignmentAsync(InProcessKafkaCluster cluster, string group, ListLoggerFactory? logs = null)
    {
        var seen = new List<AssignedPartition>();
        var handlers = new InteractionSourceHandlers
        {
            OnAssigned = (assigned, _) =>
            {
                seen.AddRange(assigned);
                return ValueTask.FromResult<IReadOnlyDictionary<int, long>?>(null);
            },
        };
        await using var run = new SourceRun(new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, group), logs), handlers);
        run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionAssigned), "the partition assigned");
        await run.StopAsync();
        return seen;
    }
}
