using System.Diagnostics;
using System.Reactive.Linq;
using CallStream.Generation;
using CallStream.Kafka.Tests.Support;
using CallStream.Pipeline;
using CallStream.Rules;
using CallStream.Testing.Pipeline;

namespace CallStream.Kafka.Tests.Pipeline;

/// <summary>
/// Several consumers of one group, each running the whole topology (the rules grouped by the message key on the
/// records it reads, a forwarder to the repartition topics and a reader of each), store the alerts a replay of the
/// same rows raises: no rule loses or gains an alert because its groups' events were read by different consumers.
/// </summary>
public class RepartitionTests(ITestOutputHelper output)
{
    private const string Topic = "consumerdata";
    private const string Group = "callstream";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(150);

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _late = new();

    /// <summary>Rules grouped by the message key, by agent, by channel and by an attribute, and one over every event.</summary>
    private static readonly RuleSet Rules = RuleText.Parse("""
        rule CustomerBurst
          group by customer_id
          window sliding 1h
          having count(*) >= 2
          severity info
        rule AgentBusyHour
          group by agent_id
          window tumbling 1h
          having count(*) >= 5
          severity info
        rule AgentLongCalls
          where duration_seconds > 600
          group by agent_id
          window sliding 2h
          having count(*) >= 3
          severity warning
          suppress 1h
        rule ChannelFailures
          where outcome = 'failed'
          group by channel
          window sliding 30m
          having count(*) >= 3
          severity warning
          suppress 30m
        rule RegionVolume
          group by attributes.region
          window tumbling 1h
          having count(*) >= 40
          severity info
        rule Everyone
          window tumbling 1h
          having count(*) >= 120
          severity info
        rule Long
          where duration_seconds > 3000
          severity info
        """).RuleSet!;

    [Theory]
    [InlineData(1, 1, EventTimeMode.Start)]
    [InlineData(2, 8, EventTimeMode.Start)]
    [InlineData(3, 12, EventTimeMode.Start)]
    [InlineData(4, 8, EventTimeMode.Start)]
    [InlineData(2, 8, EventTimeMode.End)]
    [InlineData(4, 12, EventTimeMode.End)]
    public Task Consumers_ShareTheirGroupsThroughRepartitionTopics_AlertsEqualReplay(int consumers, int partitions, EventTimeMode eventTime) =>
        RunAsync(consumers, partitions, eventTime, Membership.Settled);

    /// <summary>Every consumer but the first joins after half of the rows were produced and forwarded: each group rebalances mid-stream.</summary>
    [Theory]
    [InlineData(2, 8, EventTimeMode.Start)]
    [InlineData(3, 12, EventTimeMode.End)]
    public Task ConsumersJoiningMidStream_AlertsEqualReplay(int consumers, int partitions, EventTimeMode eventTime) =>
        RunAsync(consumers, partitions, eventTime, Membership.JoinMidStream);

    /// <summary>
    /// The last consumer stops (every stage and its forwarder disposed) after half of the rows were read: the others take
    /// its partitions over from its commits, warming their state up from the records before.
    /// </summary>
    [Theory]
    [InlineData(2, 8, EventTimeMode.Start)]
    [InlineData(3, 12, EventTimeMode.End)]
    public Task ConsumerLeavingMidStream_AlertsEqualReplay(int consumers, int partitions, EventTimeMode eventTime) =>
        RunAsync(consumers, partitions, eventTime, Membership.LeaveMidStream);

    /// <summary>
    /// A broker is down when the rows start to arrive: the source and repartition partitions it leads stall (the
    /// forwarders wait for their writes to be acknowledged), the others are read, then it comes back.
    /// </summary>
    [Theory]
    [InlineData(2, 8, EventTimeMode.Start)]
    [InlineData(2, 8, EventTimeMode.End)]
    public Task BrokerOutage_WhileRowsFlow_AlertsEqualReplay(int consumers, int partitions, EventTimeMode eventTime) =>
        RunAsync(consumers, partitions, eventTime, Membership.BrokerOutage);

    private async Task RunAsync(int consumers, int partitions, EventTimeMode eventTime, Membership membership)
    {
        // In end mode the rows come in end order, as a contact centre writes them when each contact ends.
        var order = eventTime == EventTimeMode.End ? GenerationOrder.End : GenerationOrder.Start;
        var rows = new InteractionGenerator(new InteractionGeneratorOptions { Seed = 7, InteractionsPerDay = 3000 }).Generate(6000, order).ToList();
        var expected = rows.ToObservable().DetectAlerts(Rules, new RuleEngineOptions { EventTime = eventTime }).ToEnumerable().ToList();
        var plan = RulePlacement.Plan(Rules, Field.CustomerId);
        Assert.Equal(4, plan.Repartitioned.Count); // agent, channel, region, all

        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions, replicationFactor: 3);
        foreach (var part in plan.Repartitioned) // the mock cannot create topics through the admin API, as the forwarder does on a real cluster
            cluster.CreateTopic(RepartitionTopics.Name(Group, part.Name), part.By is null ? 1 : partitions, replicationFactor: 3);

        var alerts = MemoryStore.ForAlerts();
        var stages = new List<PipelineHandle>();
        var forwarders = new List<(KafkaRepartitionForwarder Forwarder, Task Run)>();
        using var stop = new CancellationTokenSource();
        try
        {
            async Task StartConsumerAsync(int c)
            {
                stages.Add(StartStage($"local-{c}", new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, Group)), plan.Local, eventTime, alerts));
                var forwarder = new KafkaRepartitionForwarder(KafkaOptions.Source(cluster, Topic, Group), [.. plan.Repartitioned.Select(p => p.Name)], eventTime == EventTimeMode.End);
                forwarders.Add((forwarder, forwarder.RunAsync(stop.Token)));
                await forwarder.TopicsReady.WaitAsync(Deadline, TestContext.Current.CancellationToken);
                foreach (var part in plan.Repartitioned)
                {
                    var options = KafkaOptions.Source(cluster, RepartitionTopics.Name(Group, part.Name), RepartitionTopics.GroupId(Group, part.Name));
                    stages.Add(StartStage($"{part.Name}-{c}", new KafkaRepartitionSource(options, partitions), part.Rules, eventTime, alerts));
                }
            }

            // The groups settle before rows arrive: every partition of each topic owned, and every member owning some
            // where there are enough partitions for all.
            Task SettleAsync() => WaitAsync(
                () => Settled(stages.Where(s => s.Name.StartsWith("local", StringComparison.Ordinal)).Select(s => s.Pipeline.GetStatistics().Partitions.Select(p => p.Partition).ToList()), partitions)
                    && Settled(forwarders.Select(f => f.Forwarder.AssignedPartitions.ToList()), partitions)
                    && plan.Repartitioned.All(part => Settled(
                        stages.Where(s => s.Name.StartsWith(part.Name + "-", StringComparison.Ordinal)).Select(s => ((KafkaRepartitionSource)s.Source).AssignedPartitions.ToList()),
                        part.By is null ? 1 : partitions)),
                "every group settling",
                stages,
                forwarders);

            // Every source record produced so far forwarded and committed by the forwarders' group, every source partition
            // read to its end by the local stages, then every repartition partition read to its end by the stage that owns it.
            async Task ReadEverythingAsync(string what)
            {
                var sourceEnds = TopicCounts.Ends(cluster, Topic, partitions).Select(e => e.High).ToList();
                await WaitAsync(() => TopicCounts.Committed(cluster, RepartitionTopics.ForwarderGroupId(Group), Topic, partitions).SequenceEqual(sourceEnds), $"forwarding {what}", stages, forwarders);
                await WaitAsync(
                    () => stages.Where(s => s.Name.StartsWith("local", StringComparison.Ordinal)).SelectMany(s => s.Pipeline.GetStatistics().Partitions).Where(p => p.CaughtUp).Select(p => p.Partition).Distinct().Count() == partitions,
                    $"the local stages reading {what}",
                    stages,
                    forwarders);
                foreach (var part in plan.Repartitioned)
                {
                    string topic = RepartitionTopics.Name(Group, part.Name);
                    int count = part.By is null ? 1 : partitions;
                    var ends = TopicCounts.Ends(cluster, topic, count);
                    var readers = stages.Where(s => s.Name.StartsWith(part.Name + "-", StringComparison.Ordinal)).Select(s => (KafkaRepartitionSource)s.Source).ToList();
                    await WaitAsync(
                        () => Enumerable.Range(0, count).All(q => ends[q].High == 0 || readers.Any(r => r.ReadUpTo(q) >= ends[q].High - 1)),
                        $"reading {what} from {topic}",
                        stages,
                        forwarders);
                }
            }

            var summaries = new List<(string Name, PipelineSummary Summary)>();
            int half = rows.Count / 2;
            switch (membership)
            {
                case Membership.Settled:
                    for (int c = 0; c < consumers; c++)
                        await StartConsumerAsync(c);
                    await SettleAsync();
                    await ProduceAsync(cluster, rows);
                    break;
                case Membership.JoinMidStream:
                    await StartConsumerAsync(0);
                    await SettleAsync();
                    await ProduceAsync(cluster, rows[..half]);
                    var halfEnds = TopicCounts.Ends(cluster, Topic, partitions).Select(e => e.High).ToList();
                    await WaitAsync(() => TopicCounts.Committed(cluster, RepartitionTopics.ForwarderGroupId(Group), Topic, partitions).SequenceEqual(halfEnds), "forwarding the first half", stages, forwarders);
                    for (int c = 1; c < consumers; c++)
                        await StartConsumerAsync(c);
                    await SettleAsync();
                    await ProduceAsync(cluster, rows[half..]);
                    break;
                case Membership.LeaveMidStream:
                    for (int c = 0; c < consumers; c++)
                        await StartConsumerAsync(c);
                    await SettleAsync();
                    await ProduceAsync(cluster, rows[..half]);
                    await ReadEverythingAsync("the first half");

                    // Stopped, not completed: what its stages hold is left to the next owners, through the offsets committed.
                    string leaving = $"-{consumers - 1}";
                    foreach (var stage in stages.Where(s => s.Name.EndsWith(leaving, StringComparison.Ordinal)).ToList())
                    {
                        summaries.Add((stage.Name, await stage.StopAsync()));
                        await stage.DisposeAsync();
                        stages.Remove(stage);
                    }
                    var (forwarder, run) = forwarders[^1];
                    await forwarder.DisposeAsync();
                    await run.WaitAsync(Deadline, TestContext.Current.CancellationToken);
                    forwarders.RemoveAt(forwarders.Count - 1);
                    await SettleAsync();
                    await ProduceAsync(cluster, rows[half..]);
                    break;
                case Membership.BrokerOutage:
                    for (int c = 0; c < consumers; c++)
                        await StartConsumerAsync(c);
                    await SettleAsync();
                    cluster.SetBrokerDown(2);
                    // The writes to partitions broker 2 leads wait for it (so does the producer's first batch, 2,000 rows,
                    // whose other 5/8 are readable); the local stages read from the other brokers meanwhile, and the
                    // forwarders wait for their copies to broker 2's repartition partitions to be acknowledged.
                    var producing = ProduceAsync(cluster, rows);
                    await WaitAsync(
                        () => stages.Where(s => s.Name.StartsWith("local", StringComparison.Ordinal)).Sum(s => s.Pipeline.GetStatistics().Consumed) >= 1000,
                        "the local stages reading rows of the brokers still up",
                        stages,
                        forwarders);
                    output.WriteLine($"broker 2 down: forwarded {forwarders.Sum(f => f.Forwarder.Forwarded)}; " + string.Join(", ", stages.Select(s => $"{s.Name} {s.Pipeline.GetStatistics().Consumed}")));
                    cluster.SetBrokerUp(2);
                    await producing.WaitAsync(Deadline, TestContext.Current.CancellationToken);
                    break;
            }
            await ReadEverythingAsync("every row");

            // Live, not only at the end: the markers move every repartition reader's watermark up to the events of the
            // last minutes (without them a channel that got no event would hold everything until completion).
            await WaitAsync(
                () => plan.Repartitioned.All(part =>
                    stages.Where(s => s.Name.StartsWith(part.Name + "-", StringComparison.Ordinal)).Sum(s => s.Pipeline.GetStatistics().Evaluated)
                    + summaries.Where(s => s.Name.StartsWith(part.Name + "-", StringComparison.Ordinal)).Sum(s => s.Summary.Evaluated) >= rows.Count - 50),
                "the repartition readers evaluating all but the newest events before completion",
                stages,
                forwarders);

            // Every stage evaluates what it holds at once: one completing first would leave the group and hand its
            // partitions to stages that are completing too.
            foreach (var stage in stages)
                stage.Pipeline.Complete();
            foreach (var stage in stages)
                summaries.Add((stage.Name, await stage.Run.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken)));
            foreach (var (name, summary) in summaries)
                output.WriteLine($"{name}: consumed {summary.Consumed}, evaluated {summary.Evaluated}, warm-up {summary.WarmUpEvents}, duplicates {summary.Duplicates}, late {summary.Late}, alerts {summary.Alerts}");
            output.WriteLine($"forwarded {forwarders.Sum(f => f.Forwarder.Forwarded)}, markers {forwarders.Sum(f => f.Forwarder.Markers)}; alerts {alerts.Items.Count}, replay {expected.Count}");

            foreach (var line in _late.Take(20))
                output.WriteLine(line);
            var stored = alerts.Items.Values.ToList();
            foreach (var missing in expected.ExceptBy(stored.Select(a => a.AlertId), a => a.AlertId))
                output.WriteLine($"missing: {missing.Rule} {missing.Key} {missing.TriggeredAt:O} {missing.InteractionId}");
            foreach (var extra in stored.ExceptBy(expected.Select(a => a.AlertId), a => a.AlertId))
                output.WriteLine($"extra: {extra.Rule} {extra.Key} {extra.TriggeredAt:O} {extra.InteractionId}");
            Assert.All(summaries, s => Assert.Equal(0, s.Summary.Late));
            foreach (var rule in Rules)
            {
                Assert.True(expected.Any(a => a.Rule == rule.Name), $"the data raises no {rule.Name} alert: the test would not show it");
                Assert.Equal(
                    expected.Where(a => a.Rule == rule.Name).Select(a => a.AlertId).Order(),
                    alerts.Items.Values.Where(a => a.Rule == rule.Name).Select(a => a.AlertId).Order());
            }
            Assert.Equal(expected.Select(a => a.AlertId).Order(), alerts.Items.Keys.Order());
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var (forwarder, run) in forwarders)
            {
                await forwarder.DisposeAsync();
                await run.ContinueWith(_ => { }, TaskScheduler.Default);
            }
            foreach (var stage in stages)
                await stage.DisposeAsync();
        }
    }

    public enum Membership
    {
        Settled,
        JoinMidStream,
        LeaveMidStream,
        BrokerOutage,
    }

    private static bool Settled(IEnumerable<List<int>> members, int partitions)
    {
        var owned = members.ToList();
        return owned.SelectMany(m => m).Distinct().Count() == partitions
            && (owned.Count > partitions || owned.All(m => m.Count > 0));
    }

    private static async Task ProduceAsync(InProcessKafkaCluster cluster, List<Interaction> rows)
    {
        var sinkOptions = KafkaOptions.Sink(cluster, Topic);
        sinkOptions.MessageTimestamp = KafkaMessageTimestamp.EventTime;
        await using var producer = new KafkaInteractionSink(sinkOptions);
        await using var batching = new BatchingSink<Interaction>(producer, "kafka:consumerdata", new BatchingOptions { BatchSize = 2000 });
        foreach (var interaction in rows)
            await batching.EnqueueAsync(interaction);
        await batching.FlushAsync();
    }

    private static async Task WaitAsync(Func<bool> condition, string what, List<PipelineHandle> stages, List<(KafkaRepartitionForwarder Forwarder, Task Run)> forwarders)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            foreach (var stage in stages.Where(s => s.Run.IsFaulted))
                await stage.Run;
            foreach (var (_, run) in forwarders.Where(f => f.Run.IsFaulted))
                await run;
            if (clock.Elapsed > Deadline)
            {
                Assert.Fail($"{what} did not happen within {Deadline.TotalSeconds} s; forwarded {string.Join(",", forwarders.Select(f => f.Forwarder.Forwarded))}; "
                    + string.Join("; ", stages.Select(s => s.Name + ": " + s.Pipeline.GetStatistics().Consumed)));
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Starts one pipeline of the topology, writing its alerts to the shared store.</summary>
    private PipelineHandle StartStage(string name, IInteractionSource source, RuleSet rules, EventTimeMode eventTime, MemoryStore<Alert> alerts)
    {
        // Rows arrive while the stages run: a partition that has read everything so far must not stop holding the
        // watermark before the producer reaches it (as the demo, with a long idle timeout).
        var options = new InteractionPipelineOptions { IdleTimeout = TimeSpan.FromMinutes(5), EventTime = eventTime };
        options.OnLateEvent = late => _late.Enqueue($"{name}: late {late.Event.Interaction.InteractionId} (partition {late.Event.Partition}, offset {late.Event.Offset}) at {late.EventTime:O} after {late.LastReleasedEventTime:O}");
        var pipeline = new InteractionPipeline(source, rules, options);
        pipeline.AddAlertSink("memory:alerts", alerts, new BatchingOptions { BatchSize = 200, FlushInterval = TimeSpan.FromMilliseconds(20) });
        return new PipelineHandle(name, pipeline, source);
    }
}
