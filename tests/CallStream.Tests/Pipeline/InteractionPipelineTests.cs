using System.Reactive.Linq;
using CallStream.Pipeline;
using CallStream.Rules;
using CallStream.Testing.Pipeline;

namespace CallStream.Tests.Pipeline;

public class InteractionPipelineTests(ITestOutputHelper output)
{
    private const int Rows = 6000;

    private static readonly List<Interaction> Log = PipelineRun.Rows(Rows);
    private static readonly List<Alert> Expected = PipelineRun.Replay(Log);

    [Fact]
    public async Task Run_ToCompletion_StoresEveryInteraction_AlertsEqualReplay_CommitsEachPartitionsEnd()
    {
        var topic = new FakeTopic(3);
        topic.Append(Log);
        await using var run = PipelineRun.Start(topic);
        await run.WaitAllReadAsync();

        var summary = await run.CompleteAsync();

        Assert.True(summary.InputCompleted);
        Assert.Equal(Rows, summary.Consumed);
        Assert.Equal(Rows, summary.Evaluated);
        Assert.Equal(0, summary.Held);
        Assert.Equal(0, summary.Late);
        Assert.Equal(Log.Select(i => i.InteractionId).Order(), run.Interactions.Items.Keys.Order());
        Assert.Equal(Expected.Select(a => a.AlertId).Order(), run.Alerts.Items.Keys.Order());
        Assert.Equal(Expected.Count, summary.Alerts);
        Assert.Equal(0, run.Alerts.Duplicates);
        for (int p = 0; p < 3; p++)
            Assert.Equal(topic.EndOf(p), topic.CommittedOf(p));
        var sinks = summary.Statistics.Sinks;
        Assert.Equal([("memory:alerts", "alerts", (long)Expected.Count), ("memory:interactions", "interactions", (long)Rows)], sinks.Select(s => (s.Name, s.Kind, s.Written)));
        Assert.All(sinks, s => Assert.Equal(s.Enqueued, s.Written));
        output.WriteLine($"{summary.Consumed} read, {summary.Evaluated} evaluated, {summary.Alerts} alerts (replay {Expected.Count})");
    }

    [Fact]
    public async Task EventTimeEnd_EndOrderedLog_NoLateEvents_AlertsEqualAnEndTimeReplay()
    {
        var endOrdered = Log.OrderBy(i => i.StartTime.AddSeconds(i.DurationSeconds)).ThenBy(i => i.InteractionId, StringComparer.Ordinal).ToList();
        var expected = endOrdered.ToObservable().DetectAlerts(DefaultRules.RuleSet, new RuleEngineOptions { EventTime = EventTimeMode.End }).ToEnumerable().ToList();
        Assert.NotEqual(Expected.Select(a => a.AlertId).Order(), expected.Select(a => a.AlertId).Order());
        var topic = new FakeTopic(3);
        topic.Append(endOrdered);
        var options = PipelineRun.Options();
        options.EventTime = EventTimeMode.End;
        await using var run = PipelineRun.Start(topic, options: options);
        await run.WaitAllReadAsync();

        var summary = await run.CompleteAsync();

        Assert.Equal(0, summary.Late);
        Assert.Equal(expected.Select(a => a.AlertId).Order(), run.Alerts.Items.Keys.Order());
        var ends = endOrdered.ToDictionary(i => i.InteractionId, i => i.StartTime.AddSeconds(i.DurationSeconds), StringComparer.Ordinal);
        Assert.All(run.Alerts.Items.Values, a => Assert.Equal(ends[a.InteractionId], a.TriggeredAt));
    }

    [Fact]
    public async Task DuplicateInteractions_AreSkippedCountedAndNotStored_LikeAReplayOfTheSameRows()
    {
        // About 5 % of the rows sent again: half unchanged, half a second later and failed (the earlier copy must win).
        var random = new Random(16);
        var rows = new List<(Interaction Row, bool Copy)>();
        foreach (var row in Log)
        {
            rows.Add((row, false));
            if (random.NextDouble() < 0.05)
            {
                var copy = random.Next(2) == 0
                    ? new Interaction(row.InteractionId, row.CustomerId, row.AgentId, row.Channel, row.StartTime, row.DurationSeconds, row.Outcome, row.Satisfaction, row.Attributes)
                    : new Interaction(row.InteractionId, row.CustomerId, row.AgentId, row.Channel, row.StartTime.AddSeconds(1), row.DurationSeconds, Outcome.Failed, row.Satisfaction, row.Attributes);
                rows.Add((copy, true));
            }
        }
        int copies = rows.Count(r => r.Copy);
        Assert.True(copies > 100);

        // The replay of the rows as a file.
        var replayed = new List<Alert>();
        using (var engine = new RuleEngine(DefaultRules.RuleSet, replayed.Add))
        {
            foreach (var (row, _) in rows)
                engine.Offer(row);
            engine.Complete();
            Assert.Equal(copies, engine.DuplicateEvents);
        }
        Assert.Equal(Expected, replayed);

        // The same rows on three partitions: every other copy on another partition than its original, so it interleaves differently.
        var topic = new FakeTopic(3);
        int n = 0;
        foreach (var (row, copy) in rows)
        {
            int partition = topic.PartitionOf(row.CustomerId);
            topic.Append(copy && n++ % 2 == 0 ? (partition + 1) % 3 : partition, row);
        }
        await using var run = PipelineRun.Start(topic);
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();

        Assert.Equal(rows.Count, summary.Consumed);
        Assert.Equal(copies, summary.Duplicates);
        Assert.Equal(Rows, summary.Evaluated);
        Assert.Equal(0, summary.Late);
        Assert.Equal(Expected.Select(a => a.AlertId).Order(), run.Alerts.Items.Keys.Order());
        Assert.Equal(Expected.Count, summary.Alerts);
        // Only the first copy is stored, and only once; the dropped copies' offsets are committed all the same.
        Assert.Equal(0, run.Interactions.Duplicates);
        Assert.All(Log, row => Assert.Equal(row, run.Interactions.Items[row.InteractionId]));
        for (int p = 0; p < 3; p++)
            Assert.Equal(topic.EndOf(p), topic.CommittedOf(p));
    }

    [Fact]
    public async Task Stop_LeavesHeldEventsUnevaluated_CommitsOnlyBeforeThem_AndTheNextRunFinishes()
    {
        var topic = new FakeTopic(3);
        topic.Append(Log);
        var alerts = MemoryStore.ForAlerts();
        var interactions = MemoryStore.ForInteractions();
        PipelineSummary first;
        await using (var run = PipelineRun.Start(topic, alerts, interactions, PipelineRun.Options(lateness: TimeSpan.FromHours(2))))
        {
            await run.WaitAllReadAsync();
            first = await run.StopAsync();
        }

        Assert.False(first.InputCompleted);
        Assert.True(first.Held > 0, "events within the allowed lateness of the newest stay held");
        Assert.Equal(Rows - first.Held, first.Evaluated);
        Assert.Equal(first.Evaluated, interactions.Items.Count);
        for (int p = 0; p < 3; p++)
        {
            long committed = topic.CommittedOf(p);
            var records = topic.Records(p);
            // Everything before the committed offset is stored; the record at it is not (it was held).
            Assert.All(records.Take((int)committed), r => Assert.True(interactions.Items.ContainsKey(r.Interaction!.InteractionId)));
            if (committed < records.Count)
                Assert.False(interactions.Items.ContainsKey(records[(int)committed].Interaction!.InteractionId));
        }

        await using (var run = PipelineRun.Start(topic, alerts, interactions))
        {
            await run.WaitAllReadAsync();
            var second = await run.CompleteAsync();
            output.WriteLine($"first run: {first.Evaluated} evaluated, {first.Held} held; second: {second.Consumed} read, {second.WarmUpEvents} warm-up, {second.Evaluated} evaluated, {second.AlertsNotReemitted} alerts not re-emitted");
            Assert.True(second.WarmUpEvents > 0);
        }

        Assert.Equal(Rows, interactions.Items.Count);
        Assert.Equal(Expected.Select(a => a.AlertId).Order(), alerts.Items.Keys.Order());
        for (int p = 0; p < 3; p++)
            Assert.Equal(topic.EndOf(p), topic.CommittedOf(p));
    }

    [Fact]
    public async Task Restart_MidStream_WarmsUpWithoutReemitting_AlertsEqualReplay()
    {
        var (alerts, first, second) = await RunInTwoHalvesAsync(warmUp: true);

        Assert.True(second.WarmUpEvents > 0);
        Assert.True(second.AlertsNotReemitted > 0, "the warm-up re-read events whose alerts were delivered before");
        Assert.Equal(Expected.Select(a => a.AlertId).Order(), alerts.Items.Keys.Order());
        Assert.Equal(0, alerts.Duplicates);
        Assert.Equal(Expected.Count, first.Alerts + second.Alerts);
    }

    [Fact]
    public async Task Restart_MidStream_WithoutWarmUp_DiffersFromReplay()
    {
        // The control of the test above: without warm-up the second run starts with empty windows and suppression.
        var (alerts, _, second) = await RunInTwoHalvesAsync(warmUp: false);

        Assert.Equal(0, second.WarmUpEvents);
        Assert.NotEqual(Expected.Select(a => a.AlertId).Order(), alerts.Items.Keys.Order());
    }

    [Fact]
    public async Task Revoke_WaitsForEverySinkToFlush_ThenCommitsWhatIsDurable()
    {
        var topic = new FakeTopic(3);
        topic.Append(Log);
        var interactions = MemoryStore.ForInteractions();
        var batching = PipelineRun.Batching;
        batching.FlushInterval = TimeSpan.FromHours(1); // only full batches and flushes are written
        await using var run = PipelineRun.Start(topic, interactions: interactions, batching: batching);
        await run.WaitAsync(s => s.Consumed > 1000, "reading 1000 records");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        interactions.Gate = gate;

        var revoke = run.Source.RevokeAsync(0);
        await run.WaitAsync(s => s.InFlight > 0, "records in flight");
        Assert.False(revoke.IsCompleted, "the revocation waits for the sinks");
        Assert.Equal(-1, topic.CommittedOf(0));

        gate.SetResult();
        await revoke;

        long committed = topic.CommittedOf(0);
        var records = topic.Records(0);
        Assert.True(committed > 0);
        Assert.All(records.Take((int)committed), r => Assert.True(interactions.Items.ContainsKey(r.Interaction!.InteractionId)));
        Assert.Equal(1, run.Source.RevokingCalls);
        await run.WaitAsync(s => s.Partitions.All(p => p.Partition != 0), "partition 0 released");
    }

    [Fact]
    public async Task Revoke_ThenAssignBack_NothingEvaluatedTwice_AlertsEqualReplay()
    {
        var topic = new FakeTopic(3);
        topic.Append(Log.Take(Rows / 2));
        await using var run = PipelineRun.Start(topic);
        await run.WaitAllReadAsync();

        await run.Source.RevokeAsync(1);
        await run.Source.AssignAsync(1);
        topic.Append(Log.Skip(Rows / 2));
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();

        output.WriteLine($"{summary.Consumed} read, {summary.Statistics.Replayed} replayed, {summary.Evaluated} evaluated, {summary.WarmUpEvents} warm-up");
        Assert.Equal(0, summary.WarmUpEvents); // the pipeline's own state already holds the partition's events
        Assert.Equal(Rows, summary.Evaluated);
        Assert.Equal(Expected.Select(a => a.AlertId).Order(), run.Alerts.Items.Keys.Order());
        Assert.Equal(0, run.Alerts.Duplicates);
        for (int p = 0; p < 3; p++)
            Assert.Equal(topic.EndOf(p), topic.CommittedOf(p));
    }

    [Fact]
    public async Task RevokeAll_ThenAssignBack_ALaggingPartitionIsNotOvertaken_NoLateEvent()
    {
        // An eager rebalance revokes every partition and assigns them back. Partition 0 lags two hours behind the others;
        // were the partitions forgotten one by one, the watermark would climb to the others' and release their held events
        // before partition 0's unread older ones, which would then be late.
        var topic = new FakeTopic(3);
        int cut = Rows / 2;
        var lagFrom = Log[cut].StartTime.AddHours(-2);
        var first = Log.Take(cut).Where(r => topic.PartitionOf(r.CustomerId) != 0 || r.StartTime < lagFrom).ToList();
        var lagging = Log.Take(cut).Where(r => topic.PartitionOf(r.CustomerId) == 0 && r.StartTime >= lagFrom).ToList();
        topic.Append(first);
        var options = PipelineRun.Options();
        options.IdleTimeout = TimeSpan.FromHours(1); // partition 0, read to its end, keeps holding the watermark
        await using var run = PipelineRun.Start(topic, options: options);
        await run.WaitAllReadAsync();
        var before = run.Pipeline.GetStatistics();

        await run.Source.RevokeAsync(0, 1, 2);
        await run.WaitAsync(s => s.Partitions.Count == 0, "every partition released");
        await run.Source.AssignAsync(0, 1, 2);
        await run.WaitAsync(s => s.Partitions.Count == 3, "every partition assigned back");
        var rebalanced = run.Pipeline.GetStatistics();
        Assert.Equal(before.Evaluated, rebalanced.Evaluated); // the rebalance itself released nothing
        topic.Append(lagging);
        topic.Append(Log.Skip(cut));
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();

        output.WriteLine($"{before.Held} held at the rebalance, {lagging.Count} rows of partition 0 after it; {summary.Evaluated} evaluated, {summary.Late} late");
        Assert.True(before.Held > 0);
        Assert.NotEmpty(lagging);
        Assert.Equal(0, summary.Late);
        Assert.Equal(Rows, summary.Evaluated);
        Assert.Equal(Expected.Select(a => a.AlertId).Order(), run.Alerts.Items.Keys.Order());
    }

    [Fact]
    public async Task Lost_ThenAssignBack_ReplaysAreNotEvaluatedTwice_NothingIsLost()
    {
        var topic = new FakeTopic(3);
        topic.Append(Log.Take(Rows / 2));
        await using var run = PipelineRun.Start(topic);
        await run.WaitAllReadAsync();
        long heldBefore = run.Pipeline.GetStatistics().Held;

        await run.Source.LoseAsync(1); // nothing committed: the partition is read again from its start
        Assert.Equal(-1, topic.CommittedOf(1));
        await run.Source.AssignAsync(1);
        topic.Append(Log.Skip(Rows / 2));
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();

        output.WriteLine($"held before the loss: {heldBefore}; {summary.Consumed} read, {summary.Statistics.Replayed} replayed, {summary.Evaluated} evaluated, late {summary.Late}");
        foreach (var missing in Expected.ExceptBy(run.Alerts.Items.Keys, a => a.AlertId))
            output.WriteLine($"missing: {missing.Rule} {missing.Key} {missing.TriggeredAt:O} {missing.InteractionId}");
        foreach (var extra in run.Alerts.Items.Values.ExceptBy(Expected.Select(a => a.AlertId), a => a.AlertId))
            output.WriteLine($"extra: {extra.Rule} {extra.Key} {extra.TriggeredAt:O} {extra.InteractionId}");
        Assert.Equal(0, summary.Late);
        Assert.True(summary.Statistics.Replayed >= Rows / 2 / 3 / 2, "the partition's records were read again");
        Assert.Equal(Rows, summary.Evaluated);
        Assert.Equal(Rows, run.Interactions.Items.Count);
        Assert.Equal(Expected.Select(a => a.AlertId).Order(), run.Alerts.Items.Keys.Order());
        for (int p = 0; p < 3; p++)
            Assert.Equal(topic.EndOf(p), topic.CommittedOf(p));
    }

    [Fact]
    public async Task Revoke_EventsReleasedWhileThePartitionIsAway_AreWrittenWhenItComesBack()
    {
        // While partition 1 is away, partitions 0 and 2 move two hours on (partition 1 has no rows there), so the
        // engine releases partition 1's held events: they are evaluated with no owner, kept, and written once it is back.
        var topic = new FakeTopic(3);
        int cut = Rows / 2;
        int sliceEnd = Log.FindIndex(r => r.StartTime >= Log[cut].StartTime.AddHours(2));
        var slice = Log.Skip(cut).Take(sliceEnd - cut).Where(r => topic.PartitionOf(r.CustomerId) != 1).ToList();
        var log = Log.Take(cut).Concat(slice).Concat(Log.Skip(sliceEnd)).ToList();
        var expected = PipelineRun.Replay(log);
        topic.Append(Log.Take(cut));
        await using var run = PipelineRun.Start(topic, options: PipelineRun.Options(lateness: TimeSpan.FromHours(1)));
        await run.WaitAllReadAsync();

        await run.Source.RevokeAsync(1); // the flush stores what was evaluated; partition 1's held events stay in the engine
        long committed1 = topic.CommittedOf(1);
        var heldOf1 = topic.Records(1).Skip((int)committed1).Select(r => r.Interaction!.InteractionId).ToList();
        topic.Append(slice);
        await run.WaitAllReadAsync();
        var away = run.Pipeline.GetStatistics();
        Assert.DoesNotContain(heldOf1, run.Interactions.Items.ContainsKey); // evaluated or not, not written under the old owner
        await run.Source.AssignAsync(1);
        topic.Append(Log.Skip(sliceEnd));
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();

        output.WriteLine($"partition 1: committed {committed1} at the revocation, {heldOf1.Count} held; while away {away.Evaluated} evaluated, {away.Held} held; replayed {summary.Statistics.Replayed}");
        Assert.NotEmpty(heldOf1);
        Assert.Equal(heldOf1.Count, summary.Statistics.Replayed);
        Assert.Equal(log.Count, summary.Evaluated); // nothing evaluated twice
        Assert.Equal(log.Select(i => i.InteractionId).Order(), run.Interactions.Items.Keys.Order()); // nothing lost
        Assert.Equal(expected.Select(a => a.AlertId).Order(), run.Alerts.Items.Keys.Order());
        for (int p = 0; p < 3; p++)
            Assert.Equal(topic.EndOf(p), topic.CommittedOf(p));
    }

    [Fact]
    public async Task IdlePartition_HoldsTheWatermarkForTheIdleTimeout_OnThePipelinesClock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var topic = new FakeTopic(2);
        var rows = Log.Take(50).ToList();
        foreach (var row in rows)
            topic.Append(0, row); // partition 1 stays empty
        var options = new InteractionPipelineOptions { IdleTimeout = TimeSpan.FromSeconds(1), AllowedLateness = TimeSpan.Zero, TimeProvider = time };
        await using var run = PipelineRun.Start(topic, options: options);
        await run.WaitAllReadAsync();
        Assert.Equal(0, run.Pipeline.GetStatistics().Evaluated); // partition 1 delivered nothing and is not idle yet

        time.Advance(TimeSpan.FromSeconds(1));
        await run.WaitAsync(s => s.Evaluated == rows.Count, "the events released once partition 1 is idle");
        var summary = await run.CompleteAsync();
        Assert.Equal(rows.Count, summary.Evaluated);
        Assert.Equal(topic.EndOf(0), topic.CommittedOf(0));
    }

    [Fact]
    public async Task SourceFailure_IsThrownByRun_AfterTheSinksAreClosed()
    {
        var alerts = MemoryStore.ForAlerts();
        await using var pipeline = new InteractionPipeline(new FailingSource(), DefaultRules.RuleSet, PipelineRun.Options());
        pipeline.AddAlertSink("alerts", alerts);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.RunAsync(TestContext.Current.CancellationToken));

        Assert.Equal("broker gone for good", error.Message);
        Assert.True(pipeline.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task SinkFailingForGood_RunThrowsWithTheIds_AndNoOffsetIsStoredPastThem()
    {
        var topic = new FakeTopic(3);
        topic.Append(Log);
        var poisoned = Log[2500];
        var interactions = MemoryStore.ForInteractions();
        interactions.FailWhen = batch => batch.Contains(poisoned);
        await using var run = PipelineRun.Start(topic, interactions: interactions);

        var error = await Assert.ThrowsAsync<SinkWriteException>(() => run.Run);

        Assert.Equal("memory:interactions", error.SinkName);
        Assert.Contains(poisoned.InteractionId, error.ItemIds);
        Assert.Contains(error.ItemIds[0], error.Message, StringComparison.Ordinal); // the first few ids are named in the message
        int partition = topic.PartitionOf(poisoned.CustomerId);
        long offset = topic.Records(partition).Select((r, i) => (r, i)).First(x => x.r.Interaction == poisoned).i;
        Assert.InRange(topic.CommittedOf(partition), -1, offset);
        for (int p = 0; p < 3; p++)
        {
            long committed = topic.CommittedOf(p);
            Assert.All(topic.Records(p).Take((int)Math.Max(committed, 0)), r => Assert.True(interactions.Items.ContainsKey(r.Interaction!.InteractionId)));
        }
        var failed = run.Pipeline.GetStatistics().Sinks.Single(s => s.Name == "memory:interactions");
        Assert.True(failed.Failed > 0);
    }

    [Fact]
    public async Task ItemsASinkRefusesForGood_AreCountedAndNotRetried_AndTheCheckpointMovesPastThem()
    {
        var topic = new FakeTopic(3);
        topic.Append(Log);
        var refused = new HashSet<string>([Log[100].InteractionId, Log[2500].InteractionId, Log[5999].InteractionId], StringComparer.Ordinal);
        var interactions = MemoryStore.ForInteractions();
        interactions.RejectWhen = i => refused.Contains(i.InteractionId);
        var batching = PipelineRun.Batching;
        batching.MaxAttempts = 1; // a retry of a refused item would fail the run
        await using var run = PipelineRun.Start(topic, interactions: interactions, batching: batching);
        await run.WaitAllReadAsync();

        var summary = await run.CompleteAsync();

        Assert.Equal(3, interactions.Refused);
        Assert.Equal(Log.Select(i => i.InteractionId).Where(id => !refused.Contains(id)).Order(), interactions.Items.Keys.Order());
        var sink = summary.Statistics.Sinks.Single(s => s.Name == "memory:interactions");
        Assert.Equal((Rows, Rows - 3L, 3L, 0L), (sink.Enqueued, sink.Written, sink.Rejected, sink.Failed));
        for (int p = 0; p < 3; p++)
            Assert.Equal(topic.EndOf(p), topic.CommittedOf(p));
    }

    [Fact]
    public async Task SinkStatistics_AlreadyStored_IsWhatTheStoreHeldBefore()
    {
        var alerts = MemoryStore.ForAlerts();
        var interactions = MemoryStore.ForInteractions();
        var rows = Log.Take(2000).ToList();
        var expected = PipelineRun.Replay(rows);
        var first = new FakeTopic(2);
        first.Append(rows);
        var second = new FakeTopic(2); // the same records on a topic with nothing committed: everything is read again
        second.Append(rows);

        PipelineSummary before, again;
        await using (var run = PipelineRun.Start(first, alerts, interactions))
        {
            await run.WaitAllReadAsync();
            before = await run.CompleteAsync();
        }
        await using (var run = PipelineRun.Start(second, alerts, interactions))
        {
            await run.WaitAllReadAsync();
            again = await run.CompleteAsync();
        }

        Assert.True(expected.Count > 0);
        Assert.Equal([(expected.Count, 0L), (rows.Count, 0L)], before.Statistics.Sinks.Select(s => (s.Written, s.AlreadyStored!.Value)));
        Assert.Equal([(expected.Count, (long)expected.Count), (rows.Count, rows.Count)], again.Statistics.Sinks.Select(s => (s.Written, s.AlreadyStored!.Value)));
    }

    [Fact]
    public async Task SinkStatistics_AlreadyStored_IsNull_WhenTheSinkDoesNotTell()
    {
        var topic = new FakeTopic(1);
        topic.Append(Log.Take(50));
        await using var pipeline = new InteractionPipeline(new FakeInteractionSource(topic), DefaultRules.RuleSet, PipelineRun.Options());
        pipeline.AddInteractionSink("recording", new RecordingSink<Interaction>());
        pipeline.AddInteractionSink("memory", MemoryStore.ForInteractions());

        Assert.Equal([("recording", (long?)null), ("memory", 0L)], pipeline.GetStatistics().Sinks.Select(s => (s.Name, s.AlreadyStored)));
    }

    [Fact]
    public async Task DeadLetteredRecords_CompleteAtOnce_AndAreCounted()
    {
        var topic = new FakeTopic(2);
        var rows = Log.Take(200).ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            topic.Append(i % 2, rows[i]);
            if (i % 50 == 0)
                topic.AppendPoison(i % 2, "invalid-json: test", rows[i].StartTime);
        }
        await using var run = PipelineRun.Start(topic);
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();

        Assert.Equal(4, summary.DeadLettered);
        Assert.Equal(200, summary.Consumed);
        Assert.Equal(topic.EndOf(0), topic.CommittedOf(0));
        Assert.Equal(topic.EndOf(1), topic.CommittedOf(1));
    }

    [Fact]
    public async Task OnAlert_SeesEachAlert_AndStatisticsCountThem()
    {
        var topic = new FakeTopic(2);
        topic.Append(Log.Take(2000));
        var seen = new List<Alert>();
        var options = PipelineRun.Options();
        options.OnAlert = seen.Add;
        await using var run = PipelineRun.Start(topic, options: options);
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();

        var expected = PipelineRun.Replay(Log.Take(2000));
        Assert.Equal(expected.Select(a => a.AlertId).Order(), seen.Select(a => a.AlertId).Order());
        Assert.Equal(summary.Alerts, seen.Count);
    }

    [Fact]
    public async Task OnLateEvent_IsToldOfEachLateEvent_AsTheRuleEngineIs()
    {
        var topic = new FakeTopic(1);
        var rows = Log.Take(200).ToList();
        topic.Append(rows.Skip(100));
        topic.Append(rows.Take(100));
        var late = new List<LateEvent>();
        var options = PipelineRun.Options(lateness: TimeSpan.Zero);
        options.OnLateEvent = late.Add;
        await using var run = PipelineRun.Start(topic, options: options);
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();

        Assert.True(summary.Late > 0);
        Assert.Equal(summary.Late, late.Count);
        Assert.All(late, e => Assert.True(e.EventTime == e.Event.Interaction.StartTime && e.EventTime <= e.LastReleasedEventTime));
    }

    [Fact]
    public async Task SlowSink_SlowsReading_ThePipelineReadsNoFurtherThanItsQueuesHold()
    {
        var topic = new FakeTopic(3);
        topic.Append(Log);
        var interactions = MemoryStore.ForInteractions();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        interactions.Gate = gate;
        var batching = new BatchingOptions { BatchSize = 50, QueueCapacity = 200, FlushInterval = TimeSpan.FromMilliseconds(5) };
        await using var run = PipelineRun.Start(topic, interactions: interactions, batching: batching);

        // One batch is being written (held at the gate), the queue is full, and one more write waits for room.
        await run.WaitAsync(s => s.Sinks.Single(k => k.Kind == "interactions").Enqueued == 50 + 200 + 1, "the interaction sink's queue filling up");
        var blocked = run.Pipeline.GetStatistics();
        int read = run.Source.Yielded.Count(e => e.Kind == InteractionSourceEventKind.Record);
        output.WriteLine($"blocked: {read} records read, {blocked.Evaluated} evaluated, {blocked.Held} held");
        Assert.Equal(blocked.Consumed, read); // the source is pulled only as fast as the sinks take
        Assert.True(read < Rows / 2);

        gate.SetResult();
        await run.WaitAllReadAsync();
        var summary = await run.CompleteAsync();
        Assert.Equal(Rows, interactions.Items.Count);
        Assert.Equal(Rows, summary.Evaluated);
    }

    [Fact]
    public async Task Metrics_GoToTheCallStreamMeterOfTheFactory()
    {
        using var meterFactory = new TestMeterFactory();
        var measurements = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meterFactory.Meters.Contains(instrument.Meter) && instrument.Name.StartsWith("callstream.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measurements.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.Start();
        var topic2 = new FakeTopic(2);
        topic2.Append(Log.Take(1000));
        var expectedAlerts = PipelineRun.Replay(Log.Take(1000)).Count;
        await using var second = new InteractionPipeline(new FakeInteractionSource(topic2), DefaultRules.RuleSet, PipelineRun.Options(), meterFactory: meterFactory);
        second.AddAlertSink("alerts", MemoryStore.ForAlerts());
        using var stop = new CancellationTokenSource();
        var running = second.RunAsync(stop.Token);
        while (second.GetStatistics() is var s && !(s.Partitions.Count == 2 && s.Partitions.All(p => p.CaughtUp)))
            await Task.Delay(2, TestContext.Current.CancellationToken);
        second.Complete();
        await running;

        Assert.NotEmpty(meterFactory.Meters);
        Assert.All(meterFactory.Meters, m => Assert.Equal("CallStream", m.Name));
        Assert.Equal(1000, measurements.GetValueOrDefault("callstream.pipeline.records"));
        Assert.Equal(expectedAlerts, measurements.GetValueOrDefault("callstream.rules.alerts"));
        // One instrument per fact: the engine counts the alerts, the source the records it set aside.
        Assert.DoesNotContain(measurements.Keys, name => name is "callstream.pipeline.alerts" or "callstream.pipeline.dead_lettered");
    }

    [Fact]
    public async Task Complete_BeforeTheRunStarts_StopsItAtOnce()
    {
        var topic = new FakeTopic(2);
        topic.Append(Log.Take(100));
        await using var pipeline = new InteractionPipeline(new FakeInteractionSource(topic), DefaultRules.RuleSet, PipelineRun.Options());
        pipeline.Complete();
        var summary = await pipeline.RunAsync(TestContext.Current.CancellationToken);
        Assert.True(summary.InputCompleted);
        Assert.Equal(0, summary.Evaluated);
        Assert.Equal(-1, topic.CommittedOf(0));
    }

    [Fact]
    public async Task Dispose_StopsARunningPipelineGracefully()
    {
        var topic = new FakeTopic(2);
        topic.Append(Log.Take(500));
        await using var run = PipelineRun.Start(topic);
        await run.WaitAllReadAsync();

        await run.Pipeline.DisposeAsync();

        var summary = await run.Run;
        Assert.False(summary.InputCompleted);
        Assert.Equal(500, summary.Consumed);
        Assert.Equal(summary.Evaluated, run.Interactions.Items.Count);
        Assert.Equal(summary.Evaluated, topic.CommittedOf(0) + topic.CommittedOf(1));
        Assert.True(run.Pipeline.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public void Constructor_ChecksArguments()
    {
        var source = new FakeInteractionSource(new FakeTopic(1));
        Assert.Throws<ArgumentNullException>(() => new InteractionPipeline(null!, DefaultRules.RuleSet));
        Assert.Throws<ArgumentNullException>(() => new InteractionPipeline(source, null!));
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new InteractionPipeline(source, DefaultRules.RuleSet, new InteractionPipelineOptions { AllowedLateness = TimeSpan.FromSeconds(-1) }));
        Assert.Contains("AllowedLateness", bad.Message, StringComparison.Ordinal);
        var threads = Assert.Throws<ArgumentOutOfRangeException>(() => new InteractionPipeline(source, DefaultRules.RuleSet, new InteractionPipelineOptions { EvaluationThreads = -1 }));
        Assert.Contains("InteractionPipelineOptions.EvaluationThreads", threads.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddSink_ChecksNamesAndState()
    {
        var topic = new FakeTopic(1);
        await using var pipeline = new InteractionPipeline(new FakeInteractionSource(topic), DefaultRules.RuleSet, PipelineRun.Options());
        pipeline.AddAlertSink("a", MemoryStore.ForAlerts());
        Assert.Throws<ArgumentException>(() => pipeline.AddInteractionSink("a", MemoryStore.ForInteractions()));
        Assert.Throws<ArgumentException>(() => pipeline.AddAlertSink(" ", MemoryStore.ForAlerts()));
        Assert.Throws<ArgumentNullException>(() => pipeline.AddAlertSink("b", null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => pipeline.AddAlertSink("c", MemoryStore.ForAlerts(), new BatchingOptions { BatchSize = 0 }));

        using var stop = new CancellationTokenSource();
        var running = pipeline.RunAsync(stop.Token);
        Assert.Throws<InvalidOperationException>(() => pipeline.AddAlertSink("d", MemoryStore.ForAlerts()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.RunAsync(stop.Token));
        await stop.CancelAsync();
        var summary = await running;
        Assert.Equal(0, summary.Consumed);
    }

    [Fact]
    public void WarmUpHorizon_IsTheLargestWindowPlusSuppressionPlusLateness()
    {
        // Default rules: the day-long tumbling windows (FailingCustomer, AgentFailureRate, AgentLowSatisfaction) are the largest.
        Assert.Equal(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(5), InteractionPipeline.GetWarmUpHorizon(DefaultRules.RuleSet, TimeSpan.FromSeconds(5)));
        var rules = RuleSet.Parse("rule R\n  where outcome = 'failed'\n  group by customer_id\n  window sliding 1h\n  having count(*) >= 5\n  suppress 2h\n");
        Assert.Equal(TimeSpan.FromHours(3), InteractionPipeline.GetWarmUpHorizon(rules, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMinutes(7), new InteractionPipeline(new FakeInteractionSource(new FakeTopic(1)), rules, new InteractionPipelineOptions { WarmUpHorizon = TimeSpan.FromMinutes(7) }).WarmUpHorizon);
    }

    private async Task<(MemoryStore<Alert> Alerts, PipelineSummary First, PipelineSummary Second)> RunInTwoHalvesAsync(bool warmUp)
    {
        var topic = new FakeTopic(3);
        topic.Append(Log.Take(Rows / 2));
        var alerts = MemoryStore.ForAlerts();
        var interactions = MemoryStore.ForInteractions();
        PipelineSummary first, second;
        await using (var run = PipelineRun.Start(topic, alerts, interactions, PipelineRun.Options(warmUp)))
        {
            await run.WaitAllReadAsync();
            first = await run.StopAsync();
        }
        topic.Append(Log.Skip(Rows / 2));
        await using (var run = PipelineRun.Start(topic, alerts, interactions, PipelineRun.Options(warmUp)))
        {
            await run.WaitAllReadAsync();
            second = await run.CompleteAsync();
        }
        output.WriteLine($"warm-up {warmUp}: first run {first.Evaluated} evaluated, {first.Alerts} alerts, {first.Held} held; second {second.WarmUpEvents} warm-up, {second.Evaluated} evaluated, {second.Alerts} alerts, {second.AlertsNotReemitted} not re-emitted; stored {alerts.Items.Count} alerts, replay {Expected.Count}");
        Assert.Equal(Rows, interactions.Items.Count);
        return (alerts, first, second);
    }

    private sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public List<System.Diagnostics.Metrics.Meter> Meters { get; } = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options.Name, options.Version, options.Tags, scope: this);
            lock (Meters)
                Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Meters)
                meter.Dispose();
        }
    }

    private sealed class FailingSource : IInteractionSource
    {
        public IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default) => Read();

        public void StoreOffset(int partition, long nextOffset)
        {
        }

        public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>());

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static async IAsyncEnumerable<InteractionSourceEvent> Read()
        {
            yield return InteractionSourceEvent.PartitionAssigned(0, 0, -1);
            yield return InteractionSourceEvent.Record(0, 0, Log[0].StartTime, Log[0]);
            await Task.Yield();
            throw new InvalidOperationException("broker gone for good");
        }
    }
}
