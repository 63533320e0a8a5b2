using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Pipeline;

/// <summary>
/// The pipeline on the in-process cluster: a generated log produced with event-time timestamps, consumed through the
/// default rules into an NDJSON alert file and an interaction store, with faults mid-stream. Each test ends with a
/// reconciliation (printed): every row in the topic and stored, every offset committed, each alert id stored once,
/// and — with one consumer at a time — the alerts of <c>replay</c>.
/// </summary>
public sealed class KafkaPipelineTests(ITestOutputHelper output)
{
    /// <summary>Rules whose key is the message key (customer id) or the interaction: their alerts do not depend on how partitions are shared.</summary>
    private static readonly HashSet<string> PartitionAlignedRules = ["LongCall", "FailedLongCall", "FailingCustomer", "RepeatedFailures", "LongVideoCall"];

    [Fact]
    public async Task Consume_GeneratedLog_AlertsEqualReplay()
    {
        await using var scenario = await KafkaPipelineScenario.CreateAsync(output);
        scenario.Gate.SetResult();
        var pipeline = scenario.StartPipeline("single");
        await scenario.WaitAllReadAsync(pipeline);
        var summary = await pipeline.CompleteAsync();

        var r = scenario.Reconcile(summary);
        AssertAlertsEqualReplay(scenario);
        Assert.Equal(scenario.Rows.Count, r.Consumed);
        Assert.Equal(0, r.Late);
        output.WriteLine($"consume → rules → NDJSON: {summary.Consumed} records in {summary.Elapsed.TotalSeconds:0.00} s (start-up and group join included): {summary.Consumed / summary.Elapsed.TotalSeconds:0} records/s");
    }

    [Fact]
    public async Task Restart_WithProduceTimeTimestamps_WarmsUpFromFurtherBack_AlertsStillEqualReplay()
    {
        // Produced in one go, every message carries about the same timestamp: the offsets for "committed time − one
        // day" are the partitions' starts, so the warm-up re-reads everything before the committed offsets.
        await using var scenario = await KafkaPipelineScenario.CreateAsync(output, timestamps: KafkaMessageTimestamp.ProduceTime);
        var (firstSummary, secondSummary) = await RestartMidStreamAsync(scenario);

        scenario.Reconcile(firstSummary, secondSummary);
        AssertAlertsEqualReplay(scenario);
        Assert.True(secondSummary.WarmUpEvents > 0);
        Assert.All(scenario.Logs.Entries.Where(e => e.Message.StartsWith("Warm-up of partition", StringComparison.Ordinal)), e => Assert.Contains("re-reading offsets 0 to", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task BrokerOutage_MidStream_HoldsTheWatermark_LosesNothing_AlertsEqualReplay()
    {
        await using var scenario = await KafkaPipelineScenario.CreateAsync(output);
        var pipeline = scenario.StartPipeline("single");
        await scenario.WaitAsync(() => pipeline.Statistics.Consumed >= 1000, "1000 records read");

        scenario.Cluster.SetBrokerDown(2); // leader of partitions 1 and 4
        scenario.Gate.SetResult();
        // A partition read to its end before the broker went down turns active again at the source's next statistics
        // report (its leader is unreachable), so wait for that state rather than sample the one before it.
        await scenario.WaitAsync(
            () => pipeline.Statistics.Partitions is { Count: 6 } partitions && partitions.All(p => p.CaughtUp == (p.Partition % 3 != 1)),
            "the partitions of the brokers still up read to their end, those of broker 2 not caught up");
        var during = pipeline.Statistics;
        output.WriteLine($"while broker 2 is down: {during.Evaluated} evaluated, {during.Held} held, watermark {during.Watermark:o}");
        Assert.DoesNotContain(during.Partitions, p => p.CaughtUp && p.Partition % 3 == 1);
        scenario.Cluster.SetBrokerUp(2);

        await scenario.WaitAllReadAsync(pipeline);
        var summary = await pipeline.CompleteAsync();

        var r = scenario.Reconcile(summary);
        AssertAlertsEqualReplay(scenario);
        Assert.Equal(0, r.Late);
    }

    [Fact]
    public async Task LeadersMove_MidStream_LosesNothing_AlertsEqualReplay()
    {
        await using var scenario = await KafkaPipelineScenario.CreateAsync(output);
        var pipeline = scenario.StartPipeline("single");
        await scenario.WaitAsync(() => pipeline.Statistics.Consumed >= 1000, "1000 records read");

        for (int p = 0; p < scenario.Partitions; p++)
            scenario.Cluster.SetPartitionLeader(KafkaPipelineScenario.Topic, p, (p + 1) % 3 + 1);
        scenario.Gate.SetResult();
        await scenario.WaitAllReadAsync(pipeline);
        var summary = await pipeline.CompleteAsync();

        scenario.Reconcile(summary);
        AssertAlertsEqualReplay(scenario);
    }

    [Fact]
    public async Task CommitFailures_ThenRestart_ReplaysAreStoredOnce_AlertsEqualReplay()
    {
        await using var scenario = await KafkaPipelineScenario.CreateAsync(output);
        scenario.Cluster.StartRequestTracking();
        var first = scenario.StartPipeline("first");
        await scenario.WaitAsync(() => first.Statistics.Evaluated >= 1000, "1000 events evaluated");

        // Every commit fails from now on, the one on stop included: the restart reads again what the first run stored.
        scenario.Cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, [.. Enumerable.Repeat(ErrorCode.RequestTimedOut, 100)]);
        var stopping = first.StopAsync();
        scenario.Gate.SetResult();
        var firstSummary = await stopping;
        scenario.Cluster.ClearRequestErrors(KafkaApiKey.OffsetCommit);
        int commits = scenario.Cluster.GetTrackedRequests().Count(r => r.ApiKey == KafkaApiKey.OffsetCommit);
        output.WriteLine($"OffsetCommit requests of the first run: {commits}, all failed on purpose");
        Assert.True(commits >= 1);
        Assert.Contains(scenario.Logs.Entries, e => e.EventId == 4025); // "Committing offsets ... failed"

        var second = scenario.StartPipeline("second");
        await scenario.WaitAllReadAsync(second);
        var secondSummary = await second.CompleteAsync();

        var r = scenario.Reconcile(firstSummary, secondSummary);
        AssertAlertsEqualReplay(scenario);
        Assert.Equal(scenario.Rows.Count, secondSummary.Consumed); // nothing was committed: read again from the start
        Assert.Equal(firstSummary.Alerts, r.AlertDuplicatesSuppressed); // the first run's alerts, emitted again, stored once
    }

    [Fact]
    public async Task Restart_MidStream_WarmsUpFromTheCommittedPosition_AlertsEqualReplay_NoneStoredTwice()
    {
        await using var scenario = await KafkaPipelineScenario.CreateAsync(output);
        var (firstSummary, secondSummary) = await RestartMidStreamAsync(scenario);

        var r = scenario.Reconcile(firstSummary, secondSummary);
        AssertAlertsEqualReplay(scenario);
        Assert.True(secondSummary.WarmUpEvents > 0, "the second run re-read events before the committed offsets");
        Assert.True(secondSummary.AlertsNotReemitted > 0, "alerts of warm-up events were not emitted again");
        Assert.Equal(scenario.Expected.Count, r.AlertIdsStored);
    }

    [Fact]
    public async Task Rebalance_WithASecondConsumer_LosesNothing_StoresEachAlertOnce()
    {
        await using var scenario = await KafkaPipelineScenario.CreateAsync(output);
        var first = scenario.StartPipeline("first");
        await scenario.WaitAsync(() => first.Statistics.Consumed >= 1000, "1000 records read");

        var second = scenario.StartPipeline("second");
        await scenario.WaitAsync(() => second.Statistics.Partitions.Count > 0, "the second consumer getting partitions");
        scenario.Gate.SetResult();
        // The group settles with both members owning partitions (the mock may first give them all to one).
        await scenario.WaitAsync(
            () => first.Statistics.Partitions.Count > 0 && second.Statistics.Partitions.Count > 0
                && first.Statistics.Partitions.Count + second.Statistics.Partitions.Count == scenario.Partitions,
            "the partitions shared between the two");
        output.WriteLine($"first owns {string.Join(",", first.Statistics.Partitions.Select(p => p.Partition))}, second {string.Join(",", second.Statistics.Partitions.Select(p => p.Partition))}");
        await scenario.WaitAllReadAsync(first, second);
        // One after the other: the mock refuses commits during a rebalance started by a leave (see the Kafka README),
        // so the second's partitions go back to the first, which commits them when it stops.
        var secondSummary = await second.CompleteAsync();
        await scenario.WaitAllReadAsync(first);
        var summaries = new[] { await first.CompleteAsync(), secondSummary };

        var r = scenario.Reconcile(summaries);
        Assert.True(summaries.All(s => s.Consumed > 0), "both consumers read records");
        // Rules keyed by the message key see all of a key's events in one consumer: their alerts are those of replay.
        Assert.Equal(
            scenario.Expected.Where(a => PartitionAlignedRules.Contains(a.Rule)).Select(a => a.AlertId).Order(),
            scenario.StoredAlerts.Where(a => PartitionAlignedRules.Contains(a.Rule)).Select(a => a.AlertId).Order());
        output.WriteLine($"rules keyed across partitions (agent, channel): stored {scenario.StoredAlerts.Count(a => !PartitionAlignedRules.Contains(a.Rule))}, replay {scenario.Expected.Count(a => !PartitionAlignedRules.Contains(a.Rule))}");
        Assert.True(r.Replayed + r.WarmUpEvents > 0, "the hand-over re-read records");
    }

    /// <summary>Runs a first pipeline until 1000 events are evaluated (its sinks held back meanwhile), stops it, and
    /// runs a second one in the same group to the end.</summary>
    private static async Task<(PipelineSummary First, PipelineSummary Second)> RestartMidStreamAsync(KafkaPipelineScenario scenario)
    {
        var first = scenario.StartPipeline("first");
        // Evaluated, not only read: a partition that has delivered nothing yet holds every event back.
        await scenario.WaitAsync(() => first.Statistics.Evaluated >= 1000, "1000 events evaluated");
        var stopping = first.StopAsync();
        scenario.Gate.SetResult();
        var firstSummary = await stopping;

        var second = scenario.StartPipeline("second");
        await scenario.WaitAllReadAsync(second);
        return (firstSummary, await second.CompleteAsync());
    }

    private static void AssertAlertsEqualReplay(KafkaPipelineScenario scenario) =>
        Assert.Equal(scenario.Expected.Select(a => a.AlertId).Order(), scenario.StoredAlerts.Select(a => a.AlertId).Order());
}
