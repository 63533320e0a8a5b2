using CallStream.Kafka;
using CallStream.Rules;
using Confluent.Kafka;

namespace CallStream.Cli.Demo;

/// <summary>The demo's in-process Kafka cluster: starting it, and counting what its topic received.</summary>
internal static class DemoCluster
{
    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers on loopback.</summary>
    /// <exception cref="CliException">The cluster cannot start here (exit code 1).</exception>
    public static InProcessKafkaCluster Start(int brokers)
    {
        try
        {
            return InProcessKafkaCluster.Start(brokers);
        }
        catch (Exception e) when (e is DllNotFoundException or PlatformNotSupportedException or InvalidOperationException)
        {
            throw CliException.Failure("cannot start the in-process Kafka cluster: " + e.Message, e);
        }
    }

    /// <summary>Creates the repartition topics the consumers of <paramref name="groupId"/> need for <paramref name="rules"/>
    /// and their readers' progress topics (see <see cref="RulePlacement"/>): the mock cluster cannot create them on request, as the forwarder does on a real one.</summary>
    public static void CreateRepartitionTopics(InProcessKafkaCluster cluster, string groupId, RuleSet rules, int partitions, int replicationFactor)
    {
        foreach (var part in RulePlacement.Plan(rules, Field.CustomerId).Repartitioned)
        {
            cluster.CreateTopic(RepartitionTopics.Name(groupId, part.Name), part.By is null ? 1 : partitions, replicationFactor);
            cluster.CreateTopic(RepartitionTopics.GroupId(groupId, part.Name) + KafkaSourceOptions.ProgressSuffix, 1, replicationFactor); // the readers' positions
        }
    }

    /// <summary>Sums the offsets a group committed over the topic's partitions: how many records it has read and stored.</summary>
    public static long CountCommitted(InProcessKafkaCluster cluster, string topic, int partitions, string groupId)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.CreateConsumerConfig(groupId)).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(30));
        return committed.Sum(c => Math.Max(0, c.Offset.Value));
    }

    /// <summary>Sums the partitions' high watermarks: how many records the topic received.</summary>
    public static long CountTopicRecords(InProcessKafkaCluster cluster, string topic, int partitions, string groupId)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.CreateConsumerConfig(groupId)).Build();
        long total = 0;
        for (int p = 0; p < partitions; p++)
            total += consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value;
        return total;
    }
}
