using System.Text;
using CallStream.Kafka.Tests.Support;
using CallStream.Pipeline;

namespace CallStream.Kafka.Tests.Sinks;

/// <summary>
/// CallStream's producers place each key on the partition the Java client (and Kafka Streams, ksqlDB, kafkajs) would
/// choose: murmur2 of the key's bytes, made positive, modulo the partition count. The expected partitions are computed
/// here, independently of librdkafka.
/// </summary>
public sealed class KeyPlacementTests
{
    private const int Partitions = 8;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    // Kafka's own vectors (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2).
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void JavaMurmur2_MatchesKafkasTestVectors(string key, int expected) =>
        Assert.Equal(expected, JavaPartitioner.Murmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public async Task InteractionSink_PutsEachCustomerOnTheJavaClientsPartition()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic("consumerdata", Partitions, replicationFactor: 3);
        var interactions = TestData.Interactions(2000, customers: 500);

        await using (var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster)))
            await sink.WriteBatchAsync(interactions, Ct);

        AssertJavaPlacement(RawClients.ReadAll(cluster, "consumerdata", interactions.Count), interactions.Count);
    }

    [Fact]
    public async Task AlertSink_PutsEachAlertKeyOnTheJavaClientsPartition()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic("alerts", Partitions, replicationFactor: 3);
        var alerts = Enumerable.Range(0, 400).Select(n => new Alert("rule", Severity.Warning, "key-" + n, "i-" + n, TestData.Start.AddMinutes(n), "m")).ToList();

        await using (var sink = new KafkaAlertSink(KafkaOptions.Sink(cluster, "alerts")))
            await sink.WriteBatchAsync(alerts, Ct);

        AssertJavaPlacement(RawClients.ReadAll(cluster, "alerts", alerts.Count), alerts.Count);
    }

    [Fact]
    public async Task DeadLetterProducer_PutsEachOriginalKeyOnTheJavaClientsPartition()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic("consumerdata", 1, replicationFactor: 3);
        cluster.CreateTopic("consumerdata.dlq", Partitions, replicationFactor: 3);
        var poison = Enumerable.Range(0, 100).Select(n => ((string?)("customer-" + n), (byte[]?)"{not json"u8.ToArray())).ToArray();
        Seed.Raw(cluster, "consumerdata", 0, poison);
        var source = new KafkaInteractionSource(KafkaOptions.Source(cluster, "consumerdata", "placement"));
        await using (var run = new SourceRun(source))
        {
            run.WaitFor(events => events.Any(e => e.Kind == InteractionSourceEventKind.PartitionCaughtUp), "the partition caught up");
            await run.StopAsync();
        }

        AssertJavaPlacement(RawClients.ReadAll(cluster, "consumerdata.dlq", poison.Length), poison.Length);
    }

    private static void AssertJavaPlacement(List<Confluent.Kafka.ConsumeResult<byte[]?, byte[]?>> messages, int expected)
    {
        Assert.Equal(expected, messages.Count);
        Assert.All(messages, m => Assert.Equal(JavaPartitioner.Partition(m.Message.Key!, Partitions), m.Partition.Value));
        Assert.True(messages.Select(m => m.Partition.Value).Distinct().Count() > Partitions / 2, "the keys spread over the partitions");
    }
}
