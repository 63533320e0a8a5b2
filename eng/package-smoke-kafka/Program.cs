// Kafka in, rules, Kafka out with only CallStream.Kafka and CallStream.Rules (and the in-process cluster of
// CallStream.Kafka.Testing): reads the interactions with KafkaInteractionSource, detects alerts with the Rx operator
// and the default rules, writes them with KafkaAlertSink; prints one line the script checks.
using System.Reactive.Linq;
using CallStream;
using CallStream.Kafka;
using CallStream.Rules;

const int Count = 500;
using var cluster = InProcessKafkaCluster.Start(1);
cluster.CreateTopic("consumerdata", 2);
cluster.CreateTopic("callstream-alerts", 1);
var start = new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
var sent = Enumerable.Range(0, Count).Select(n => new Interaction(
    $"i-{n}", $"c-{n % 40}", $"agent-{n % 9}", (Channel)(n % 4), start.AddSeconds(30 * n),
    durationSeconds: n % 50 == 0 ? 4000 : 120, n % 7 == 0 ? Outcome.Failed : Outcome.Resolved, satisfaction: 3)).ToList();
using (var producer = new KafkaInteractionSink(new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers }))
{
    await producer.WriteBatchAsync(sent, CancellationToken.None);
}

using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var read = new List<Interaction>();
await using (var source = new KafkaInteractionSource(new KafkaSourceOptions { BootstrapServers = cluster.BootstrapServers, GroupId = "package-smoke" }))
{
    await foreach (var e in source.ReadAsync(cancellationToken: deadline.Token))
    {
        if (e.Kind == InteractionSourceEventKind.Record)
        {
            read.Add(e.Interaction!);
            source.StoreOffset(e.Partition, e.Offset + 1);
            if (read.Count == Count)
                break;
        }
    }
}

var alerts = await read.ToObservable().DetectAlerts(DefaultRules.RuleSet).ToList();
using (var sink = new KafkaAlertSink(new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers }))
{
    await sink.WriteBatchAsync([.. alerts], deadline.Token);
}

int expected = sent.Count(i => i.DurationSeconds > 3000) + sent.Count(i => i.Outcome == Outcome.Failed && i.DurationSeconds > 1200);
int perEvent = alerts.Count(a => a.Rule is "LongCall" or "FailedLongCall");
Console.WriteLine($"package smoke (Kafka + Rules): {read.Count} read, {alerts.Count} alerts, {perEvent} per-event alerts (expected {expected})");
return perEvent == expected ? 0 : 1;
