using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Support;

/// <summary>Builds Confluent.Kafka clients for tests, capturing their logs and errors instead of printing them.</summary>
internal static class KafkaClients
{
    public static IProducer<string, string> Producer(ProducerConfig config, ClientLog log) =>
        new ProducerBuilder<string, string>(config)
            .SetLogHandler((_, m) => log.Add($"LOG {m.Level} {m.Facility}: {m.Message}"))
            .SetErrorHandler((_, e) => log.AddError(e))
            .Build();

    public static IConsumer<string, string> Consumer(ConsumerConfig config, ClientLog log, Action<IReadOnlyList<TopicPartition>>? assigned = null) =>
        new ConsumerBuilder<string, string>(config)
            .SetLogHandler((_, m) => log.Add($"LOG {m.Level} {m.Facility}: {m.Message}"))
            .SetErrorHandler((_, e) => log.AddError(e))
            .SetPartitionsAssignedHandler((_, partitions) => assigned?.Invoke(partitions))
            .Build();

    /// <summary>Produces <paramref name="count"/> messages keyed <c>k{i % keys}</c> with value <c>{i}</c>, then flushes.</summary>
    public static DeliveryReports ProduceNumbered(IProducer<string, string> producer, string topic, int count, int keys = 50, int first = 0)
    {
        var reports = new DeliveryReports();
        for (var i = first; i < first + count; i++)
            producer.Produce(topic, new Message<string, string> { Key = "k" + (i % keys), Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) }, reports.Handler);
        return reports;
    }

    /// <summary>Consumes until <paramref name="count"/> messages arrived or <paramref name="timeout"/> passed.</summary>
    public static List<ConsumeResult<string, string>> ConsumeAtLeast(IConsumer<string, string> consumer, int count, TimeSpan timeout)
    {
        var results = new List<ConsumeResult<string, string>>(count);
        var clock = Stopwatch.StartNew();
        while (results.Count < count && clock.Elapsed < timeout)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is not null && !result.IsPartitionEOF)
                results.Add(result);
        }

        return results;
    }

    /// <summary>Keeps consuming for a short quiet period to prove nothing more (no duplicate) arrives.</summary>
    public static List<ConsumeResult<string, string>> DrainExtra(IConsumer<string, string> consumer, TimeSpan quiet)
    {
        var extra = new List<ConsumeResult<string, string>>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < quiet)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(50));
            if (result is not null && !result.IsPartitionEOF)
                extra.Add(result);
        }

        return extra;
    }
}

/// <summary>Delivery reports of one batch of produce calls, collected thread-safely.</summary>
internal sealed class DeliveryReports
{
    private readonly ConcurrentQueue<DeliveryReport<string, string>> _reports = new();

    public Action<DeliveryReport<string, string>> Handler => _reports.Enqueue;

    public int Count => _reports.Count;

    public IReadOnlyList<DeliveryReport<string, string>> All => [.. _reports];

    public void WaitFor(int count, TimeSpan timeout) =>
        Eventually.Holds(() => _reports.Count >= count, timeout, $"{count} delivery reports (got {_reports.Count})");
}

/// <summary>A client's log lines and errors, for assertions and failure messages.</summary>
internal sealed class ClientLog
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<Error> _errors = new();

    public IReadOnlyList<Error> Errors => [.. _errors];

    public void Add(string line) => _lines.Enqueue(line);

    public void AddError(Error error)
    {
        _errors.Enqueue(error);
        _lines.Enqueue($"ERROR {error.Code}: {error.Reason} (fatal={error.IsFatal})");
    }

    public override string ToString() => string.Join(Environment.NewLine, _lines);
}

/// <summary>Raw byte clients, for poison messages and dead letters.</summary>
internal static class RawClients
{
    public static IProducer<byte[]?, byte[]?> Producer(InProcessKafkaCluster cluster) =>
        new ProducerBuilder<byte[]?, byte[]?>(cluster.CreateProducerConfig()).SetLogHandler((_, _) => { }).Build();

    /// <summary>Reads every message of a topic (all partitions) until <paramref name="count"/> arrived or the deadline passed.</summary>
    public static List<ConsumeResult<byte[]?, byte[]?>> ReadAll(InProcessKafkaCluster cluster, string topic, int count)
    {
        var config = cluster.CreateConsumerConfig("raw-reader-" + Guid.NewGuid().ToString("N"));
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(topic);
        var results = new List<ConsumeResult<byte[]?, byte[]?>>();
        var clock = Stopwatch.StartNew();
        while (results.Count < count && clock.Elapsed < Eventually.Generous)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is not null && !result.IsPartitionEOF)
                results.Add(result);
        }

        consumer.Close();
        return results;
    }
}

/// <summary>Exact message counts of a topic, from the partitions' ends (no consuming, no waiting).</summary>
internal static class TopicCounts
{
    public static long Total(InProcessKafkaCluster cluster, string topic, int partitions) =>
        Ends(cluster, topic, partitions).Sum(e => e.High - e.Low);

    /// <summary>The offsets a consumer group committed for each partition of a topic, in partition order (-1001: none).</summary>
    public static List<long> Committed(InProcessKafkaCluster cluster, string group, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.CreateConsumerConfig(group)).SetLogHandler((_, _) => { }).Build();
        var committed = consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), Eventually.Generous);
        return [.. committed.OrderBy(c => c.Partition.Value).Select(c => c.Offset.Value)];
    }

    public static List<(long Low, long High)> Ends(InProcessKafkaCluster cluster, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.CreateConsumerConfig("counter")).SetLogHandler((_, _) => { }).Build();
        return [.. Enumerable.Range(0, partitions).Select(p =>
        {
            var w = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Eventually.Generous);
            return (w.Low.Value, w.High.Value);
        })];
    }
}

/// <summary>Writes interactions (or raw values) to chosen partitions.</summary>
internal static class Seed
{
    public static void Interactions(InProcessKafkaCluster cluster, string topic, int partition, IEnumerable<Interaction> interactions, Func<Interaction, DateTimeOffset>? timestamp = null)
    {
        using var producer = RawClients.Producer(cluster);
        foreach (var interaction in interactions)
        {
            var value = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(interaction, CallStream.Json.CallStreamJsonContext.Default.Interaction);
            producer.Produce(new TopicPartition(topic, partition), new Message<byte[]?, byte[]?>
            {
                Key = System.Text.Encoding.UTF8.GetBytes(interaction.CustomerId),
                Value = value,
                Timestamp = timestamp is null ? Timestamp.Default : new Timestamp(timestamp(interaction)),
            });
        }

        Assert.Equal(0, producer.Flush(Eventually.Generous));
    }

    public static void Raw(InProcessKafkaCluster cluster, string topic, int partition, params (string? Key, byte[]? Value)[] messages)
    {
        using var producer = RawClients.Producer(cluster);
        foreach (var (key, value) in messages)
        {
            producer.Produce(new TopicPartition(topic, partition), new Message<byte[]?, byte[]?>
            {
                Key = key is null ? null : System.Text.Encoding.UTF8.GetBytes(key),
                Value = value,
            });
        }

        Assert.Equal(0, producer.Flush(Eventually.Generous));
    }

    /// <summary>
    /// Writes five records to partition 0: valid interactions at offsets 0, 2 and 4, a value that is not JSON at 1 and a
    /// null value at 3 — the mix the poison-record tests read.
    /// </summary>
    public static void PoisonMix(InProcessKafkaCluster cluster, string topic) =>
        Raw(cluster, topic, 0,
            ("c-0", Json(TestData.Interaction(0))),
            ("c-1", "{not json"u8.ToArray()),
            ("c-2", Json(TestData.Interaction(2))),
            ("c-3", null),
            ("c-4", Json(TestData.Interaction(4))));

    /// <summary>An interaction as the JSON a producer writes.</summary>
    public static byte[] Json(Interaction interaction) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(interaction, CallStream.Json.CallStreamJsonContext.Default.Interaction);

    /// <summary>Reads the committed offsets of a group.</summary>
    public static Dictionary<int, long> Committed(InProcessKafkaCluster cluster, string topic, string groupId, int partitions)
    {
        var config = cluster.CreateConsumerConfig(groupId);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetLogHandler((_, _) => { }).Build();
        return consumer.Committed([.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p))], Eventually.Generous)
            .ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }
}
