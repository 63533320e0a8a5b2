using System.Globalization;
using CallStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.InProcess;

/// <summary>Real Confluent.Kafka producers and consumers against the in-process cluster, without faults.</summary>
public sealed class InProcessKafkaClusterMessagingTests
{
    private const string Topic = "interactions";

    [Fact]
    public void ProduceAndConsume_MultiPartitionTopic_EveryMessageArrivesOnceInPartitionOrder()
    {
        const int count = 20_000;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 6, replicationFactor: 3);

        var log = new ClientLog();
        DeliveryReports reports;
        using (var producer = KafkaClients.Producer(cluster.CreateProducerConfig(), log))
        {
            reports = KafkaClients.ProduceNumbered(producer, Topic, count);
            Assert.Equal(0, producer.Flush(Eventually.Generous));
        }

        var delivered = reports.All;
        Assert.Equal(count, delivered.Count);
        Assert.All(delivered, r => Assert.Equal(ErrorCode.NoError, r.Error.Code));
        Assert.Equal(6, delivered.Select(r => r.Partition.Value).Distinct().Count());

        using var consumer = KafkaClients.Consumer(cluster.CreateConsumerConfig("readers"), log);
        consumer.Subscribe(Topic);
        var consumed = KafkaClients.ConsumeAtLeast(consumer, count, Eventually.Generous);
        consumer.Close();

        Assert.Equal(count, consumed.Count);
        Assert.Equal(count, consumed.Select(r => r.Message.Value).Distinct().Count());

        // Per partition: offsets 0..n-1 without gap, and exactly the messages delivered there, in produce order.
        foreach (var partition in consumed.GroupBy(r => r.Partition.Value))
        {
            var offsets = partition.Select(r => r.Offset.Value).ToList();
            Assert.Equal(Enumerable.Range(0, offsets.Count).Select(i => (long)i), offsets);
            var producedHere = delivered.Where(r => r.Partition.Value == partition.Key).OrderBy(r => r.Offset.Value).Select(r => r.Message.Value);
            Assert.Equal(producedHere, partition.Select(r => r.Message.Value));
        }

        // Per key: values in the order they were produced (a key always maps to one partition).
        foreach (var key in consumed.GroupBy(r => r.Message.Key))
        {
            var values = key.Select(r => int.Parse(r.Message.Value, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(values.Order(), values);
            Assert.Single(key.Select(r => r.Partition.Value).Distinct());
        }
    }

    [Fact]
    public void IdempotentProducer_GetsProducerIdAndDeliversEachMessageOnce()
    {
        const int count = 5_000;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 4, replicationFactor: 3);
        cluster.StartRequestTracking();

        var config = cluster.CreateProducerConfig();
        config.EnableIdempotence = true;
        var log = new ClientLog();
        DeliveryReports reports;
        using (var producer = KafkaClients.Producer(config, log))
        {
            reports = KafkaClients.ProduceNumbered(producer, Topic, count);
            Assert.Equal(0, producer.Flush(Eventually.Generous));
        }

        Assert.All(reports.All, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        Assert.Contains(cluster.GetTrackedRequests(), r => r.ApiKey == KafkaApiKey.InitProducerId);
        Assert.Empty(log.Errors);

        using var consumer = KafkaClients.Consumer(cluster.CreateConsumerConfig("readers"), log);
        consumer.Subscribe(Topic);
        var consumed = KafkaClients.ConsumeAtLeast(consumer, count, Eventually.Generous);
        consumed.AddRange(KafkaClients.DrainExtra(consumer, TimeSpan.FromMilliseconds(300)));
        consumer.Close();

        Assert.Equal(count, consumed.Count);
        Assert.Equal(count, consumed.Select(r => r.Message.Value).Distinct().Count());
    }

    [Fact]
    public void ConsumerGroup_SecondMemberJoins_PartitionsAreSharedAndEachMessageIsReadByItsOwnerOnce()
    {
        const int partitions = 6;
        const int count = 3_000;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions, replicationFactor: 3);
        var log = new ClientLog();

        using var first = new ConsumerLoop(KafkaClients.Consumer(cluster.CreateConsumerConfig("shared"), log), Topic);
        Eventually.Holds(() => first.Assignment.Count == partitions, Eventually.Generous, "the first member getting all partitions");

        using var second = new ConsumerLoop(KafkaClients.Consumer(cluster.CreateConsumerConfig("shared"), log), Topic);
        Eventually.Holds(
            () => first.Assignment.Count > 0 && second.Assignment.Count > 0 && first.Assignment.Count + second.Assignment.Count == partitions,
            Eventually.Generous,
            "a rebalance sharing the partitions between both members");

        var firstPartitions = first.Assignment.Select(p => p.Partition.Value).ToHashSet();
        var secondPartitions = second.Assignment.Select(p => p.Partition.Value).ToHashSet();
        Assert.Empty(firstPartitions.Intersect(secondPartitions));
        Assert.Equal(Enumerable.Range(0, partitions), firstPartitions.Union(secondPartitions).Order());

        using (var producer = KafkaClients.Producer(cluster.CreateProducerConfig(), log))
        {
            KafkaClients.ProduceNumbered(producer, Topic, count);
            Assert.Equal(0, producer.Flush(Eventually.Generous));
        }

        Eventually.Holds(() => first.Received.Count + second.Received.Count >= count, Eventually.Generous, $"{count} messages consumed");
        first.Stop();
        second.Stop();

        Assert.Equal(count, first.Received.Count + second.Received.Count);
        Assert.All(first.Received, r => Assert.Contains(r.Partition.Value, firstPartitions));
        Assert.All(second.Received, r => Assert.Contains(r.Partition.Value, secondPartitions));
        Assert.Equal(count, first.Received.Concat(second.Received).Select(r => r.Message.Value).Distinct().Count());
    }

    [Fact]
    public void ConsumerGroup_MemberLeaves_RemainingMemberTakesOverItsPartitions()
    {
        const int partitions = 4;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions, replicationFactor: 1);
        var log = new ClientLog();

        using var stays = new ConsumerLoop(KafkaClients.Consumer(cluster.CreateConsumerConfig("shared"), log), Topic);
        using var leaves = new ConsumerLoop(KafkaClients.Consumer(cluster.CreateConsumerConfig("shared"), log), Topic);
        Eventually.Holds(
            () => stays.Assignment.Count > 0 && leaves.Assignment.Count > 0 && stays.Assignment.Count + leaves.Assignment.Count == partitions,
            Eventually.Generous,
            "both members sharing the partitions");

        leaves.Stop();
        Eventually.Holds(() => stays.Assignment.Count == partitions, Eventually.Generous, "the remaining member taking over every partition");

        using (var producer = KafkaClients.Producer(cluster.CreateProducerConfig(), log))
        {
            KafkaClients.ProduceNumbered(producer, Topic, 400);
            Assert.Equal(0, producer.Flush(Eventually.Generous));
        }

        Eventually.Holds(() => stays.Received.Count >= 400, Eventually.Generous, "400 messages consumed");
        stays.Stop();
        Assert.Equal(400, stays.Received.Count);
        Assert.Equal(partitions, stays.Received.Select(r => r.Partition.Value).Distinct().Count());
    }

    [Fact]
    public void Partition_KeepsOnlyAboutFiveMegabytes_OlderBatchesAreDroppedAndConsumersResetToTheEarliestKept()
    {
        const int count = 8_000;
        const int valueBytes = 1_000;
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1, replicationFactor: 1);
        var log = new ClientLog();
        using (var producer = KafkaClients.Producer(cluster.CreateProducerConfig(), log))
        {
            var value = new string('x', valueBytes);
            for (var i = 0; i < count; i++)
                producer.Produce(Topic, new Message<string, string> { Key = "k", Value = value });
            Assert.Equal(0, producer.Flush(Eventually.Generous));
        }

        using var consumer = KafkaClients.Consumer(cluster.CreateConsumerConfig("late"), log);
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(Topic, 0), Eventually.Generous);
        Assert.Equal(count, watermarks.High.Value);
        var keptBytes = (watermarks.High.Value - watermarks.Low.Value) * valueBytes;
        Assert.InRange(keptBytes, 3_000_000, 5_300_000);

        // Offset 0 is gone: the fetch fails with OffsetOutOfRange and auto.offset.reset=earliest moves to the oldest kept.
        consumer.Assign(new TopicPartitionOffset(Topic, 0, new Offset(0)));
        var first = KafkaClients.ConsumeAtLeast(consumer, 1, Eventually.Generous).Single();
        Assert.Equal(watermarks.Low, first.Offset);
    }
}
