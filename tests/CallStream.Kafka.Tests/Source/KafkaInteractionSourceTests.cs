using System.Collections.Concurrent;
using System.Text;
using CallStream.Kafka.Tests.Support;
using CallStream.Pipeline;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Kafka.Tests.Source;

/// <summary>The Kafka source against the in-process cluster, read the way the pipeline reads it.</summary>
public sealed class KafkaInteractionSourceTests
{
    private const string Topic = "consumerdata";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Read_MultiPartitionTopic_EveryInteractionOnce_InOffsetOrderPerPartition_ThenEachPartitionCaughtUp()
    {
        const int count = 3_000;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 6, replicationFactor: 3);
        var interactions = TestData.Interactions(count);
        await using (var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster)))
            await sink.WriteBatchAsync(interactions, Ct);
        var ends = TopicCounts.Ends(cluster, Topic, 6);

        await using var run = new SourceRun(new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "readers")));
        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 6, "every partition caught up");

        var events = run.Events;
        var records = run.Records;
        Assert.Equal(count, records.Count);
        Assert.Equal(count, run.Source.Consumed);
        var byId = interactions.ToDictionary(i => i.InteractionId);
        Assert.All(records, r => Assert.Equal(byId[r.Interaction!.InteractionId], r.Interaction));
        Assert.Equal(count, records.Select(r => r.Interaction!.InteractionId).Distinct().Count());
        for (int partition = 0; partition < 6; partition++)
        {
            var ofPartition = events.Where(e => e.Partition == partition).ToList();
            Assert.Equal(InteractionSourceEvent.PartitionAssigned(partition, -1, -1), ofPartition[0]);
            var offsets = ofPartition.Where(e => e.Kind == InteractionSourceEventKind.Record).Select(e => e.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, (int)ends[partition].High).Select(i => (long)i), offsets);
            Assert.Equal(InteractionSourceEvent.PartitionCaughtUp(partition, ends[partition].High), ofPartition[^1]);
        }
    }

    [Fact]
    public async Task CaughtUp_NotReportedForAPartitionWhoseLeaderIsDown_UntilItsRecordsWereRead()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 3, replicationFactor: 3);
        for (int partition = 0; partition < 3; partition++)
        {
            cluster.SetPartitionLeader(Topic, partition, brokerId: partition + 1);
            Seed.Interactions(cluster, Topic, partition, TestData.Interactions(50, first: partition * 1000));
        }

        cluster.SetGroupCoordinator("watermarks", 1);
        cluster.SetBrokerDown(3); // the leader of partition 2

        await using var run = new SourceRun(new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "watermarks")));
        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 2, "partitions 0 and 1 caught up");
        run.WaitFor(_ => run.Source.Lag.ContainsKey(0) && run.Source.Lag.ContainsKey(1), "statistics after catching up");

        Assert.Equal([0, 1], run.OfKind(InteractionSourceEventKind.PartitionCaughtUp).Select(e => e.Partition).Order());
        Assert.DoesNotContain(run.Events, e => e.Partition == 2 && e.Kind is InteractionSourceEventKind.Record or InteractionSourceEventKind.PartitionCaughtUp);

        cluster.SetBrokerUp(3);
        run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp && e.Partition == 2), "partition 2 caught up");

        var ofPartition2 = run.Events.Where(e => e.Partition == 2).ToList();
        Assert.Equal(50, ofPartition2.Count(e => e.Kind == InteractionSourceEventKind.Record));
        Assert.Equal(InteractionSourceEvent.PartitionCaughtUp(2, 50), ofPartition2[^1]);
        Assert.Equal(InteractionSourceEventKind.Record, ofPartition2[^2].Kind);
        Assert.Equal(49, ofPartition2[^2].Offset);
    }

    [Fact]
    public async Task CaughtUpPartition_TurnsActiveWhenItsLeaderIsUnreachable_OrNewRecordsArrive_AndCaughtUpAgainAfterwards()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 2, replicationFactor: 3);
        cluster.SetPartitionLeader(Topic, 0, brokerId: 2);
        cluster.SetPartitionLeader(Topic, 1, brokerId: 3);
        cluster.SetGroupCoordinator("idle", 1);
        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(10));
        Seed.Interactions(cluster, Topic, 1, TestData.Interactions(10, first: 100));

        await using var run = new SourceRun(new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "idle")));
        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 2, "both partitions caught up");

        cluster.SetBrokerDown(3);
        run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionActive && e.Partition == 1), "partition 1 active again");
        var active = run.OfKind(InteractionSourceEventKind.PartitionActive).Single();
        Assert.Contains("broker 3", active.Reason, StringComparison.Ordinal);

        cluster.SetBrokerUp(3);
        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp && e.Partition == 1) == 2, "partition 1 caught up again");
        Assert.Equal(InteractionSourceEvent.PartitionCaughtUp(1, 10), run.Events.Last(e => e.Partition == 1));

        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(5, first: 10));
        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp && e.Partition == 0) == 2, "partition 0 caught up again");
        var tail = run.Events.Where(e => e.Partition == 0).SkipWhile(e => e.Kind != InteractionSourceEventKind.PartitionCaughtUp).Skip(1).ToList();
        Assert.Equal(InteractionSourceEvent.PartitionActive(0, "new records arrived"), tail[0]);
        Assert.Equal([10L, 11, 12, 13, 14], tail.Skip(1).Take(5).Select(e => e.Offset));
        Assert.Equal(InteractionSourceEvent.PartitionCaughtUp(0, 15), tail[^1]);
        Assert.DoesNotContain(run.Events, e => e.Kind == InteractionSourceEventKind.PartitionActive && e.Partition == 0 && e.Reason != "new records arrived");
    }

    [Fact]
    public async Task PoisonMessages_GoToTheDeadLetterTopicWithHeaders_AndThePartitionMovesOn()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        static byte[] Json(Interaction i) => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(i, CallStream.Json.CallStreamJsonContext.Default.Interaction);
        var negative = Encoding.UTF8.GetString(Json(TestData.Interaction(3))).Replace("\"durationSeconds\":33.25", "\"durationSeconds\":-5", StringComparison.Ordinal);
        var oversized = Json(new Interaction("i-big", "c-9", "a-1", Channel.Chat, TestData.Start, 1, Outcome.Failed, attributes: [new("body", new string('x', 3000))]));
        Seed.Raw(cluster, Topic, 0,
            ("c-0", Json(TestData.Interaction(0))),                 // 0 valid
            ("c-1", "{\"interactionId\": \"i-1\","u8.ToArray()),    // 1 truncated JSON
            ("c-2", Json(TestData.Interaction(2))),                 // 2 valid
            ("c-3", [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),           // 3 invalid UTF-8
            ("c-4", Encoding.UTF8.GetBytes(negative)),              // 4 negative duration
            ("c-5", null),                                          // 5 no value
            ("c-6", oversized),                                     // 6 larger than the limit
            ("c-7", Json(TestData.Interaction(7))));                // 7 valid
        var options = KafkaOptions.Source(cluster, Topic, "poison");
        options.MaxMessageBytes = 2000;
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var tracker = new CheckpointTracker();
        var source = new KafkaInteractionSource(options, timeProvider: clock);

        await using (var run = new SourceRun(source, onEvent: e =>
        {
            if (e.Kind is InteractionSourceEventKind.Record or InteractionSourceEventKind.DeadLettered)
                tracker.CompleteAndStore(e.Partition, e.Offset, source);
        }))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            Assert.Equal([0L, 2, 7], run.Records.Select(r => r.Offset));
            var dead = run.OfKind(InteractionSourceEventKind.DeadLettered);
            Assert.Equal([1L, 3, 4, 5, 6], dead.Select(d => d.Offset));
            Assert.StartsWith("invalid-json: the value is not valid JSON", dead[0].Reason, StringComparison.Ordinal);
            Assert.StartsWith("invalid-utf8: the value is not valid UTF-8 (invalid byte sequence at byte 2)", dead[1].Reason, StringComparison.Ordinal);
            Assert.Equal("invalid-interaction: durationSeconds '-5': must not be negative.", dead[2].Reason);
            Assert.Equal("no-value: the message has no value (null).", dead[3].Reason);
            Assert.StartsWith("too-large: the value is ", dead[4].Reason, StringComparison.Ordinal);
            Assert.Equal(InteractionSourceEvent.PartitionCaughtUp(0, 8), run.Events[^1]);
            Assert.Equal(3, source.Consumed);
            Assert.Equal(5, source.DeadLettered);
            await run.StopAsync();
        }

        Assert.Equal(8, Seed.Committed(cluster, Topic, "poison", 1)[0]);

        var letters = RawClients.ReadAll(cluster, Topic + ".dlq", 5);
        Assert.Equal(5, letters.Count);
        string Header(ConsumeResult<byte[]?, byte[]?> r, string name) =>
            r.Message.Headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : "(absent)";
        letters = [.. letters.OrderBy(l => long.Parse(Header(l, DeadLetterHeaders.Offset), System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(["1", "3", "4", "5", "6"], letters.Select(l => Header(l, DeadLetterHeaders.Offset)));
        Assert.All(letters, l =>
        {
            Assert.Equal(Topic, Header(l, DeadLetterHeaders.Topic));
            Assert.Equal("0", Header(l, DeadLetterHeaders.Partition));
            Assert.Equal("poison", Header(l, DeadLetterHeaders.ConsumerGroup));
            Assert.Equal("2025-01-02T03:04:05Z", Header(l, DeadLetterHeaders.DeadLetteredAt));
            Assert.True(Iso8601.TryParse(Header(l, DeadLetterHeaders.Timestamp), out _));
        });
        Assert.Equal(["invalid-json", "invalid-utf8", "invalid-interaction", "no-value", "too-large"], letters.Select(l => Header(l, DeadLetterHeaders.Error)));
        Assert.Equal("durationSeconds", Header(letters[2], DeadLetterHeaders.Field));
        Assert.Equal("-5", Header(letters[2], DeadLetterHeaders.Value));
        Assert.Equal("(absent)", Header(letters[0], DeadLetterHeaders.Field));
        Assert.Equal("c-4", Encoding.UTF8.GetString(letters[2].Message.Key!));
        Assert.Equal(Encoding.UTF8.GetBytes(negative), letters[2].Message.Value);
        Assert.Equal(new byte[] { 0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d }, letters[1].Message.Value);
        Assert.Null(letters[3].Message.Value);
        Assert.Equal(oversized.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Header(letters[4], DeadLetterHeaders.OriginalSize));
        Assert.Equal(oversized, letters[4].Message.Value); // under the 64 KiB kept
    }

    [Fact]
    public async Task StoredOffsets_AreWhereARestartedSourceResumes_NothingLost_OnlyUnstoredRecordsReplayed()
    {
        const int count = 800;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 4, replicationFactor: 3);
        await using (var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster)))
            await sink.WriteBatchAsync(TestData.Interactions(count), Ct);
        var ends = TopicCounts.Ends(cluster, Topic, 4);

        // First run: the "pipeline" makes only the first half of each partition durable.
        var durable = new ConcurrentDictionary<string, bool>();
        var stored = new Dictionary<int, long>();
        var first = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "restart"));
        var tracker = new CheckpointTracker();
        await using (var run = new SourceRun(first, onEvent: e =>
        {
            if (e.Kind == InteractionSourceEventKind.Record && e.Offset < ends[e.Partition].High / 2)
            {
                tracker.CompleteAndStore(e.Partition, e.Offset, first);
                durable[e.Interaction!.InteractionId] = true;
            }
        }))
        {
            run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 4, "all read");
            for (int p = 0; p < 4; p++)
                stored[p] = ends[p].High / 2;
            await run.StopAsync();
            Assert.Equal(4, run.OfKind(InteractionSourceEventKind.PartitionRevoked).Count);
        }

        Assert.Equal(stored, Seed.Committed(cluster, Topic, "restart", 4));

        // Restart: reading resumes at the stored offsets; together the runs made every record durable.
        await using var second = new SourceRun(new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "restart")));
        second.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 4, "all read again");
        foreach (var assigned in second.OfKind(InteractionSourceEventKind.PartitionAssigned))
        {
            Assert.Equal(stored[assigned.Partition], assigned.CommittedOffset);
            Assert.Equal(stored[assigned.Partition], assigned.Offset);
        }

        var replayed = second.Records;
        Assert.Equal(count - stored.Values.Sum(), replayed.Count);
        Assert.All(replayed, r => Assert.True(r.Offset >= stored[r.Partition]));
        Assert.Empty(replayed.Select(r => r.Interaction!.InteractionId).Intersect(durable.Keys));
        Assert.Equal(count, durable.Count + replayed.Count);
    }

    [Fact]
    public async Task Rebalance_RevokeHandlerRunsBeforeTheHandOver_AndTheNewOwnerResumesAfterTheDurableRecords()
    {
        const int count = 400;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 4, replicationFactor: 3);
        await using (var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster)))
            await sink.WriteBatchAsync(TestData.Interactions(count), Ct);
        var ends = TopicCounts.Ends(cluster, Topic, 4);
        var half = Enumerable.Range(0, 4).ToDictionary(p => p, p => ends[p].High / 2);

        // The first member reads everything, but its "pipeline" makes only the first half of each partition durable.
        var options = KafkaOptions.Source(cluster, Topic, "rebalance");
        options.CommitInterval = TimeSpan.FromMilliseconds(100);
        var first = new KafkaInteractionSource(options);
        var tracker = new CheckpointTracker();
        var revocations = new ConcurrentQueue<(IReadOnlyList<int> Partitions, int EventsSoFar)>();
        SourceRun? run1 = null;
        var handlers = new InteractionSourceHandlers
        {
            OnRevoking = async (partitions, token) =>
            {
                await Task.Yield(); // a real pipeline flushes its sinks here
                revocations.Enqueue((partitions, run1!.Events.Count));
                foreach (int p in partitions)
                    tracker.Remove(p);
            },
        };
        await using (run1 = new SourceRun(first, handlers, e =>
        {
            if (e.Kind == InteractionSourceEventKind.Record && e.Offset < half[e.Partition])
                tracker.CompleteAndStore(e.Partition, e.Offset, first);
        }))
        {
            run1.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 4, "the first member read everything");
            Eventually.Holds(() => Seed.Committed(cluster, Topic, "rebalance", 4).SequenceEqual(half), Eventually.Generous, "the durable offsets committed in the background");
            Assert.Empty(revocations);

            // A second member joins: the first gives up its partitions (through the handler) and gets some of them back.
            // Under load the group may take more than one round to settle; every round goes through the handler.
            await using var run2 = new SourceRun(new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "rebalance")));
            Eventually.Holds(() =>
            {
                var owned1 = Owned(run1.Events);
                var owned2 = Owned(run2.Events);
                return owned2.Count > 0 && owned1.Count + owned2.Count == 4 && !owned1.Keys.Intersect(owned2.Keys).Any()
                    && owned1.Values.All(caughtUp => caughtUp) && owned2.Values.All(caughtUp => caughtUp);
            }, Eventually.Generous, "the group settled with every partition owned once and read to its end");

            var all = revocations.ToList();
            Assert.Equal([0, 1, 2, 3], all[0].Partitions.Order());
            var events1 = run1.Events;
            Assert.DoesNotContain(events1.Take(all[0].EventsSoFar), e => e.Kind == InteractionSourceEventKind.PartitionRevoked);
            Assert.Equal(all.Sum(r => r.Partitions.Count), events1.Count(e => e.Kind == InteractionSourceEventKind.PartitionRevoked));

            // Every owner after the hand-over started at the durable offsets and read the rest of the partition.
            foreach (var run in new[] { run1, run2 })
            {
                var events = run.Events.ToList();
                int from = run == run1 ? all[0].EventsSoFar : 0;
                for (int i = from; i < events.Count; i++)
                {
                    if (events[i].Kind != InteractionSourceEventKind.PartitionAssigned)
                        continue;
                    int p = events[i].Partition;
                    Assert.Equal(InteractionSourceEvent.PartitionAssigned(p, half[p], half[p]), events[i]);
                    var reread = events.Skip(i + 1).TakeWhile(e => !(e.Partition == p && e.Kind is InteractionSourceEventKind.PartitionRevoked or InteractionSourceEventKind.PartitionLost))
                        .Where(e => e.Kind == InteractionSourceEventKind.Record && e.Partition == p).Select(e => e.Offset).ToList();
                    Assert.Equal(Enumerable.Range((int)half[p], reread.Count).Select(o => (long)o), reread);
                }
            }

            foreach (var (p, _) in Owned(run1.Events).Concat(Owned(run2.Events)))
            {
                var owner = Owned(run1.Events).ContainsKey(p) ? run1 : run2;
                var events = owner.Events.ToList();
                int last = events.FindLastIndex(e => e.Partition == p && e.Kind == InteractionSourceEventKind.PartitionAssigned);
                var reread = events.Skip(last).Where(e => e.Kind == InteractionSourceEventKind.Record && e.Partition == p).Select(e => e.Offset);
                Assert.Equal(Enumerable.Range((int)half[p], (int)(ends[p].High - half[p])).Select(o => (long)o), reread);
            }
        }
    }

    [Fact]
    public async Task CooperativeRebalance_OnlyTheMovedPartitionsAreRevoked_AndTheNewOwnerResumesAfterTheDurableRecords()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 4, replicationFactor: 3);
        await using (var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster)))
            await sink.WriteBatchAsync(TestData.Interactions(400), Ct);
        var ends = TopicCounts.Ends(cluster, Topic, 4);
        var half = Enumerable.Range(0, 4).ToDictionary(p => p, p => ends[p].High / 2);
        KafkaSourceOptions Options()
        {
            var options = KafkaOptions.Source(cluster, Topic, "cooperative");
            options.Settings["partition.assignment.strategy"] = "cooperative-sticky";
            options.CommitInterval = TimeSpan.FromMilliseconds(100);
            return options;
        }

        var first = new KafkaInteractionSource(Options());
        var tracker = new CheckpointTracker();
        var revoked = new ConcurrentQueue<int>();
        var handlers = new InteractionSourceHandlers
        {
            OnRevoking = (partitions, _) =>
            {
                foreach (int p in partitions)
                    revoked.Enqueue(p);
                return ValueTask.CompletedTask;
            },
        };
        await using var run1 = new SourceRun(first, handlers, e =>
        {
            if (e.Kind == InteractionSourceEventKind.Record && e.Offset < half[e.Partition])
                tracker.CompleteAndStore(e.Partition, e.Offset, first);
        });
        run1.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 4, "the first member read everything");
        Eventually.Holds(() => Seed.Committed(cluster, Topic, "cooperative", 4).SequenceEqual(half), Eventually.Generous, "the durable offsets committed");

        await using var run2 = new SourceRun(new KafkaInteractionSource(Options()));
        Eventually.Holds(() =>
        {
            var owned1 = Owned(run1.Events);
            var owned2 = Owned(run2.Events);
            return owned2.Count > 0 && owned1.Count + owned2.Count == 4 && owned1.Values.Concat(owned2.Values).All(c => c);
        }, Eventually.Generous, "the group settled");

        var moved = Owned(run2.Events).Keys.Order().ToList();
        Assert.Equal(moved, revoked.Distinct().Order());
        Assert.Equal(moved, run1.OfKind(InteractionSourceEventKind.PartitionRevoked).Select(e => e.Partition).Order());
        Assert.Equal(4, run1.OfKind(InteractionSourceEventKind.PartitionAssigned).Count); // the kept partitions were never re-assigned
        foreach (int p in moved)
        {
            Assert.Equal(InteractionSourceEvent.PartitionAssigned(p, half[p], half[p]), run2.Events.First(e => e.Partition == p));
            Assert.Equal(Enumerable.Range((int)half[p], (int)(ends[p].High - half[p])).Select(o => (long)o), run2.Records.Where(r => r.Partition == p).Select(r => r.Offset));
        }
    }

    /// <summary>The partitions a run owns now, and whether each was read to its end since it was assigned.</summary>
    private static Dictionary<int, bool> Owned(IReadOnlyList<InteractionSourceEvent> events)
    {
        var owned = new Dictionary<int, bool>();
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case InteractionSourceEventKind.PartitionAssigned: owned[e.Partition] = false; break;
                case InteractionSourceEventKind.PartitionRevoked or InteractionSourceEventKind.PartitionLost: owned.Remove(e.Partition); break;
                case InteractionSourceEventKind.PartitionCaughtUp when owned.ContainsKey(e.Partition): owned[e.Partition] = true; break;
                case InteractionSourceEventKind.PartitionActive when owned.ContainsKey(e.Partition): owned[e.Partition] = false; break;
            }
        }

        return owned;
    }

    [Fact]
    public async Task Stop_RevokesEveryPartitionThroughTheHandler_CommitsAndEndsTheStreamNormally()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 3, replicationFactor: 3);
        await using (var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster)))
            await sink.WriteBatchAsync(TestData.Interactions(90), Ct);

        var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "stopping"));
        var positions = new ConcurrentDictionary<int, long>();
        IReadOnlyList<int>? revoked = null;
        var handlers = new InteractionSourceHandlers
        {
            OnRevoking = (partitions, _) =>
            {
                foreach (int p in partitions)
                    source.StoreOffset(p, positions.GetValueOrDefault(p));
                revoked = partitions;
                return ValueTask.CompletedTask;
            },
        };
        await using var run = new SourceRun(source, handlers, e =>
        {
            if (e.Kind == InteractionSourceEventKind.Record)
                positions[e.Partition] = e.Offset + 1;
        });
        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 3, "everything read");

        await run.StopAsync();

        Assert.True(run.Completion.IsCompletedSuccessfully);
        Assert.Equal([0, 1, 2], revoked!.Order());
        Assert.Equal([0, 1, 2], run.Events.TakeLast(3).Select(e => (e.Kind, e.Partition)).Where(e => e.Kind == InteractionSourceEventKind.PartitionRevoked).Select(e => e.Partition).Order());
        Assert.Equal(positions.ToDictionary(), Seed.Committed(cluster, Topic, "stopping", 3));
        Assert.Equal(90, positions.Values.Sum());
    }

    [Fact]
    public async Task OnAssigned_ChosenStartOffsets_AreWhereReadingStarts()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 2);
        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(20));
        Seed.Interactions(cluster, Topic, 1, TestData.Interactions(20, first: 100));
        IReadOnlyList<AssignedPartition>? offered = null;
        var handlers = new InteractionSourceHandlers
        {
            OnAssigned = (partitions, _) =>
            {
                offered = partitions;
                return ValueTask.FromResult<IReadOnlyDictionary<int, long>?>(new Dictionary<int, long> { [0] = 15 });
            },
        };

        await using var run = new SourceRun(new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "starts")), handlers);
        run.WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 2, "both caught up");

        Assert.Equal([new AssignedPartition(0, -1), new AssignedPartition(1, -1)], offered!.OrderBy(p => p.Partition));
        Assert.Equal(InteractionSourceEvent.PartitionAssigned(0, 15, -1), run.Events.First(e => e.Partition == 0));
        Assert.Equal([15L, 16, 17, 18, 19], run.Records.Where(r => r.Partition == 0).Select(r => r.Offset));
        Assert.Equal(20, run.Records.Count(r => r.Partition == 1));
    }

    [Fact]
    public async Task GetOffsetsForTime_ReturnsTheFirstOffsetAtOrAfterTheTimestamp_OrTheEnd()
    {
        using var cluster = StartTimedTopic();
        await using var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "times"));

        var atMinute5 = await source.GetOffsetsForTimeAsync([0, 1, 2], TestData.Start.AddMinutes(5), Ct);
        Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 0, [2] = 0 }, atMinute5);

        var atMinute104 = await source.GetOffsetsForTimeAsync([0, 1], TestData.Start.AddMinutes(104).AddSeconds(-1), Ct);
        Assert.Equal(new Dictionary<int, long> { [0] = 10, [1] = 4 }, atMinute104);

        var beforeAll = await source.GetOffsetsForTimeAsync([1], TestData.Start.AddDays(-1), Ct);
        Assert.Equal(0, beforeAll[1]);
        var afterAll = await source.GetOffsetsForTimeAsync([0, 1], TestData.Start.AddDays(1), Ct);
        Assert.Equal(new Dictionary<int, long> { [0] = 10, [1] = 10 }, afterAll);
        Assert.Empty(await source.GetOffsetsForTimeAsync([], TestData.Start, Ct));
    }

    [Fact]
    public async Task GetTimestamps_ReadsTheRecordAtEachOffset_LeavingOutPartitionsWithoutOne()
    {
        using var cluster = StartTimedTopic();
        await using var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "times"));

        var times = await source.GetTimestampsAsync(new Dictionary<int, long> { [0] = 7, [1] = 0, [2] = 0 }, Ct);
        Assert.Equal(new Dictionary<int, DateTimeOffset> { [0] = TestData.Start.AddMinutes(7), [1] = TestData.Start.AddMinutes(100) }, times);
        Assert.Empty(await source.GetTimestampsAsync(new Dictionary<int, long> { [0] = 10 }, Ct)); // at the end: no record

        await Assert.ThrowsAsync<ArgumentNullException>(() => source.GetTimestampsAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => source.GetTimestampsAsync(new Dictionary<int, long> { [0] = -1 }, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => source.GetTimestampsAsync(new Dictionary<int, long> { [-1] = 0 }, Ct));
    }

    [Fact]
    public async Task UnknownLibrdkafkaSetting_FailsTheFirstRead_NamingIt()
    {
        var options = new KafkaSourceOptions { BootstrapServers = "127.0.0.1:1" };
        options.Settings["no.such.setting"] = "1";
        await using var source = new KafkaInteractionSource(options);
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in source.ReadAsync(cancellationToken: Ct))
            {
            }
        });
        Assert.Contains("no.such.setting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_WhileNobodyReadsAndTheQueueIsFull_RevokesCommitsAndReturns()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 2);
        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(50));
        Seed.Interactions(cluster, Topic, 1, TestData.Interactions(50, first: 100)); // no partition can reach its end first
        var options = KafkaOptions.Source(cluster, Topic, "abandoned");
        options.EventQueueCapacity = 3;
        var source = new KafkaInteractionSource(options);
        int revoking = 0;
        var handlers = new InteractionSourceHandlers
        {
            OnRevoking = (partitions, _) =>
            {
                source.StoreOffset(0, 2);
                Interlocked.Increment(ref revoking);
                return ValueTask.CompletedTask;
            },
        };
        var enumerator = source.ReadAsync(handlers, Ct).GetAsyncEnumerator(Ct);
        Assert.True(await enumerator.MoveNextAsync());
        Eventually.Holds(() => source.Consumed >= 2, Eventually.Generous, "the queue filled up"); // partition 1 assigned, records 0 and 1

        await source.DisposeAsync().AsTask().WaitAsync(Eventually.Generous, Ct);

        Assert.Equal(1, revoking);
        Assert.Equal(2, Seed.Committed(cluster, Topic, "abandoned", 2)[0]);
        await enumerator.DisposeAsync();
    }

    [Fact]
    public async Task PublicMembers_BadArgumentsAndMisuse_Throw()
    {
        var source = new KafkaInteractionSource(new KafkaSourceOptions { BootstrapServers = "127.0.0.1:1" });
        Assert.Equal("consumerdata", source.Topic);
        Assert.Equal("consumerdata.dlq", source.DeadLetterTopic);
        Assert.Equal("callstream", source.GroupId);
        Assert.Throws<ArgumentOutOfRangeException>(() => source.StoreOffset(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => source.StoreOffset(0, -1));
        await Assert.ThrowsAsync<ArgumentNullException>(() => source.GetOffsetsForTimeAsync(null!, TestData.Start, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => source.GetOffsetsForTimeAsync([-1], TestData.Start, Ct));

        var stream = source.ReadAsync(cancellationToken: Ct);
        Assert.Throws<InvalidOperationException>(() => source.ReadAsync(cancellationToken: Ct));
        await using (var enumerator = stream.GetAsyncEnumerator(Ct))
        {
            // Nothing is reachable at 127.0.0.1:1; leaving the stream early stops the source.
        }

        await source.DisposeAsync();
        await source.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => source.ReadAsync(cancellationToken: Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => source.GetOffsetsForTimeAsync([0], TestData.Start, Ct));
        source.StoreOffset(0, 1); // ignored after disposal, as for a partition no longer owned

        var ex = Assert.Throws<ArgumentException>(() => new KafkaInteractionSource(new KafkaSourceOptions { GroupId = " " }));
        Assert.Contains("KafkaSourceOptions.GroupId", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A cluster with <see cref="Topic"/> in 3 partitions, timestamped by event time: partition 0 holds minutes
    /// 0..9, partition 1 minutes 100..109, partition 2 nothing.</summary>
    private static InProcessKafkaCluster StartTimedTopic()
    {
        var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 3, replicationFactor: 1);
        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(10), i => i.StartTime);
        Seed.Interactions(cluster, Topic, 1, TestData.Interactions(10, first: 100), i => i.StartTime);
        return cluster;
    }
}
