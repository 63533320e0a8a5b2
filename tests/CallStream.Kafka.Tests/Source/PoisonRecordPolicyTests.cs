using System.Diagnostics.Metrics;
using System.Reactive.Linq;
using CallStream.Generation;
using CallStream.Kafka.Tests.Support;
using CallStream.Pipeline;
using CallStream.Rules;
using CallStream.Testing.Pipeline;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka.Tests.Source;

/// <summary>What the source does with records that are not valid interactions, per <see cref="KafkaSourceOptions.PoisonRecords"/>.</summary>
public sealed class PoisonRecordPolicyTests
{
    private const string Topic = "consumerdata";

    [Fact]
    public async Task SkipAndCount_PoisonRecordsAmongValidOnes_AreCountedAndCommittedPast_NothingDeadLettered()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        cluster.CreateTopic(Topic + ".dlq", partitions: 1);
        Seed.PoisonMix(cluster, Topic);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var skippedMetric = new MetricCollector<long>(meters, "CallStream", "callstream.kafka.poison_records");
        var logs = new ListLoggerFactory();
        var options = KafkaOptions.Source(cluster, Topic, "skip");
        options.PoisonRecords = PoisonRecordPolicy.SkipAndCount;
        var source = new KafkaInteractionSource(options, logs, meters);
        var tracker = new CheckpointTracker();

        await using (var run = new SourceRun(source, onEvent: e =>
        {
            if (e.Kind is InteractionSourceEventKind.Record or InteractionSourceEventKind.DeadLettered)
                tracker.CompleteAndStore(e.Partition, e.Offset, source);
        }))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            Assert.Equal([0L, 2, 4], run.Records.Select(r => r.Offset));
            Assert.Equal([TestData.Interaction(0), TestData.Interaction(2), TestData.Interaction(4)], run.Records.Select(r => r.Interaction));
            var skipped = run.OfKind(InteractionSourceEventKind.DeadLettered);
            Assert.Equal([1L, 3], skipped.Select(e => e.Offset));
            Assert.StartsWith("invalid-json: ", skipped[0].Reason, StringComparison.Ordinal);
            Assert.Equal("no-value: the message has no value (null).", skipped[1].Reason);
            Assert.Equal(PoisonRecordPolicy.SkipAndCount, source.PoisonRecords);
            Assert.Equal(2, source.Skipped);
            Assert.Equal(0, source.DeadLettered);
            Assert.Equal(3, source.Consumed);
            await run.StopAsync();
        }

        Assert.Equal(5, Seed.Committed(cluster, Topic, "skip", 1)[0]);
        Assert.Equal(0, TopicCounts.Total(cluster, Topic + ".dlq", 1));
        Assert.Equal(2, skippedMetric.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(["invalid-json", "no-value"], skippedMetric.GetMeasurementSnapshot().Select(m => (string)m.Tags["reason"]!));
        Assert.All(skippedMetric.GetMeasurementSnapshot(), m => Assert.Equal("skipped", m.Tags["outcome"]));
        // One line stands for up to a thousand skipped records: the first is logged, the second is only counted.
        var lines = logs.Entries.Where(e => e.EventId == 4040).ToList();
        var line = Assert.Single(lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.StartsWith("Record consumerdata[0]@1 is not a valid interaction (invalid-json: ", line.Message, StringComparison.Ordinal);
        Assert.EndsWith("skipped (1 skipped so far; one line per 1000).", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SkipAndCount_InAPipeline_TheValidRecordsAlertsEqualReplayOfThemAlone()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        var rows = new InteractionGenerator(new InteractionGeneratorOptions { Seed = 7, InteractionsPerDay = 2000 }).Generate(3000).ToList();
        var messages = new List<(string? Key, byte[]? Value)>();
        int poison = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            if (i % 500 == 250)
            {
                messages.Add((rows[i].CustomerId, "{\"interactionId\": 17}"u8.ToArray()));
                poison++;
            }
            messages.Add((rows[i].CustomerId, Seed.Json(rows[i])));
        }
        Seed.Raw(cluster, Topic, 0, [.. messages]);
        var expected = rows.ToObservable().DetectAlerts(DefaultRules.RuleSet).ToEnumerable().Select(a => a.AlertId).Order().ToList();
        Assert.NotEmpty(expected);

        var options = KafkaOptions.Source(cluster, Topic, "skip-pipeline");
        options.PoisonRecords = PoisonRecordPolicy.SkipAndCount;
        await using var source = new KafkaInteractionSource(options);
        await using var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet, new InteractionPipelineOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        var alerts = MemoryStore.ForAlerts();
        pipeline.AddAlertSink("memory:alerts", alerts, new BatchingOptions { FlushInterval = TimeSpan.FromMilliseconds(20) });
        var running = Task.Run(() => pipeline.RunAsync(TestContext.Current.CancellationToken));
        Eventually.Holds(() => running.IsFaulted || pipeline.GetStatistics().Partitions.Any(p => p.CaughtUp), Eventually.Generous, "the partition read to its end");
        pipeline.Complete();
        var summary = await running.WaitAsync(Eventually.Generous, TestContext.Current.CancellationToken);

        Assert.Equal(rows.Count, summary.Consumed);
        Assert.Equal(poison, summary.DeadLettered); // set aside, as the pipeline counts it
        Assert.Equal(poison, source.Skipped);
        Assert.Equal(expected, alerts.Items.Keys.Order().ToList());
        Assert.Equal(messages.Count, Seed.Committed(cluster, Topic, "skip-pipeline", 1)[0]);
    }

    [Fact]
    public async Task Stop_APoisonRecord_FailsTheSourceNamingItsOffset_AndARestartReadsItAgain()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        Seed.Raw(cluster, Topic, 0, ("c-0", Seed.Json(TestData.Interaction(0))), ("c-1", Seed.Json(TestData.Interaction(1))));
        var options = KafkaOptions.Source(cluster, Topic, "stop");
        options.PoisonRecords = PoisonRecordPolicy.Stop;
        var source = new KafkaInteractionSource(options);
        var tracker = new CheckpointTracker();

        await using (var run = new SourceRun(source, onEvent: e =>
        {
            if (e.Kind is InteractionSourceEventKind.Record or InteractionSourceEventKind.DeadLettered)
                tracker.CompleteAndStore(e.Partition, e.Offset, source);
        }))
        {
            run.WaitForRecords(2);
            Seed.Raw(cluster, Topic, 0, ("c-2", "{not json"u8.ToArray()), ("c-3", Seed.Json(TestData.Interaction(3))));

            var error = await Assert.ThrowsAsync<KafkaException>(() => run.Completion.WaitAsync(Eventually.Generous, TestContext.Current.CancellationToken));
            Assert.StartsWith("Record consumerdata[0]@2 is not a valid interaction (invalid-json: the value is not valid JSON", error.Message, StringComparison.Ordinal);
            Assert.EndsWith("the source stopped (KafkaSourceOptions.PoisonRecords is Stop) without committing past it, so a restart reads it again.", error.Message, StringComparison.Ordinal);
            Assert.Equal(ErrorCode.Local_ValueDeserialization, error.Error.Code);
            Assert.DoesNotContain(run.Events, e => e.Offset >= 2 && e.Kind is InteractionSourceEventKind.Record or InteractionSourceEventKind.DeadLettered);
            Assert.Equal(0, source.DeadLettered + source.Skipped);
        }

        // The records before it were committed as they became durable; the poison record was not.
        Assert.Equal(2, Seed.Committed(cluster, Topic, "stop", 1)[0]);

        // Restarted with another policy, the source resumes at the poison record.
        var skipping = KafkaOptions.Source(cluster, Topic, "stop");
        skipping.PoisonRecords = PoisonRecordPolicy.SkipAndCount;
        await using (var run = new SourceRun(new KafkaInteractionSource(skipping)))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            Assert.Equal(2, Assert.Single(run.OfKind(InteractionSourceEventKind.DeadLettered)).Offset);
            Assert.Equal([3L], run.Records.Select(r => r.Offset));
            Assert.Equal(1, run.Source.Skipped);
            await run.StopAsync();
        }
    }

    [Fact]
    public void Options_PoisonRecordsDefaultsToDeadLetter_AndAnUndefinedValueIsRefusedByName()
    {
        Assert.Equal(PoisonRecordPolicy.DeadLetter, new KafkaSourceOptions().PoisonRecords);

        var error = Assert.Throws<ArgumentOutOfRangeException>(new KafkaSourceOptions { PoisonRecords = (PoisonRecordPolicy)7 }.Validate);

        Assert.Equal("PoisonRecords", error.ParamName);
        Assert.StartsWith("KafkaSourceOptions.PoisonRecords must be DeadLetter, SkipAndCount or Stop (was 7).", error.Message, StringComparison.Ordinal);
    }

}
