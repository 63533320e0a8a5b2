using System.Collections.Concurrent;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using CallStream.Kafka.Tests.Support;
using CallStream.Rules;

namespace CallStream.Kafka.Tests.Source;

/// <summary>The Kafka source as an observable, composed with DetectAlerts, against the in-process cluster.</summary>
public sealed class KafkaInteractionSourceObservableTests
{
    private const string Topic = "consumerdata";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly RuleSet Rules = RuleSet.Create(
        Rule.Named("Failed").Where(i => i.Outcome == Outcome.Failed).Warning().WithMessage("{interaction_id} failed").Build(),
        Rule.Named("BusyCustomer")
            .GroupBy(i => i.CustomerId)
            .SlidingWindow(TimeSpan.FromHours(1))
            .Having(w => w.Count() >= 3)
            .Info()
            .Suppress(TimeSpan.FromHours(1))
            .WithMessage("{customer_id}: {count(*)} contacts within an hour")
            .Build());

    [Fact]
    public async Task ToObservable_DetectAlerts_GivesTheAlertsOfTheTopicsInteractions()
    {
        const int count = 1_200;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 3, replicationFactor: 3);
        var interactions = TestData.Interactions(count, customers: 20);
        await using (var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster)))
            await sink.WriteBatchAsync(interactions, Ct);
        var expected = new List<Alert>();
        using (var engine = new RuleEngine(Rules, expected.Add))
        {
            foreach (var interaction in interactions)
                engine.Offer(interaction);
            engine.Complete();
        }

        await using var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "rx"));
        var caughtUp = new HashSet<int>();
        var alerts = await source.ToObservable()
            .TakeUntil(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp && caughtUp.Add(e.Partition) && caughtUp.Count == 3)
            .DetectAlerts(Rules)
            .ToList()
            .ToTask(Ct)
            .WaitAsync(Eventually.Generous, Ct);

        Assert.Contains(expected, a => a.Rule == "Failed");
        Assert.Contains(expected, a => a.Rule == "BusyCustomer");
        Assert.Equal(expected, alerts);
        Assert.Equal(count, source.Consumed);
    }

    [Fact]
    public async Task ToObservable_DetectAlerts_AnEmptyPartitionStopsHoldingAfterTheIdleTimeout_InVirtualTime()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 2, replicationFactor: 3);
        Seed.Interactions(cluster, Topic, 0, TestData.Interactions(10));
        var scheduler = new HistoricalScheduler();
        var seen = new ConcurrentQueue<InteractionSourceEvent>();
        var alerts = new ConcurrentQueue<Alert>();
        var every = RuleSet.Create(Rule.Named("Every").Info().WithMessage("{interaction_id}").Build());
        var options = new RuleEngineOptions { AllowedLateness = TimeSpan.Zero, IdleTimeout = TimeSpan.FromHours(1) };

        await using var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "rx-idle"));
        using var subscription = source.ToObservable().Do(seen.Enqueue).DetectAlerts(every, options, scheduler).Subscribe(alerts.Enqueue);
        Eventually.Holds(() => seen.Count(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp) == 2, Eventually.Generous, "both partitions caught up");

        // Partition 1 has delivered nothing: it holds the watermark until it has been caught up for an hour of the
        // scheduler's time, which on a HistoricalScheduler never passes until the test advances it; then every
        // partition is idle and the newest record counts.
        Assert.Empty(alerts);
        Eventually.Holds(() =>
        {
            scheduler.AdvanceBy(TimeSpan.FromHours(1));
            return alerts.Count == 10;
        }, Eventually.Generous, "the records released by the idle timer");
        Assert.Equal(TestData.Interactions(10).Select(i => i.InteractionId), alerts.Select(a => a.InteractionId));
    }

    [Fact]
    public async Task ToObservable_SecondSubscription_FailsBecauseASourceIsReadOnce()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        await using var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, Topic, "rx-once"));
        var events = source.ToObservable();
        using var first = events.Subscribe(_ => { });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await events.FirstAsync().ToTask(Ct));

        Assert.Contains("read once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToObservable_ChecksItsSource() =>
        Assert.Throws<ArgumentNullException>(() => ((KafkaInteractionSource)null!).ToObservable());
}
