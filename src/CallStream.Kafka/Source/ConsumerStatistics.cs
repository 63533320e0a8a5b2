using System.Text.Json;

namespace CallStream.Kafka;

/// <summary>
/// What the source takes from librdkafka's statistics (STATISTICS.md): for each partition of the topic, whether the
/// client has a working connection to its leader, and the partition's end (high watermark) as last fetched.
/// </summary>
internal sealed class ConsumerStatistics
{
    private ConsumerStatistics(Dictionary<int, PartitionStatistics> partitions) => Partitions = partitions;

    /// <summary>Gets the partitions of the topic by number.</summary>
    public IReadOnlyDictionary<int, PartitionStatistics> Partitions { get; }

    /// <summary>Parses a statistics document for one topic.</summary>
    /// <exception cref="JsonException">The document is not JSON.</exception>
    public static ConsumerStatistics Parse(string json, string topic)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var upBrokers = new HashSet<int>();
        if (root.TryGetProperty("brokers", out var brokers) && brokers.ValueKind == JsonValueKind.Object)
        {
            foreach (var broker in brokers.EnumerateObject())
            {
                if (broker.Value.TryGetProperty("nodeid", out var id) && id.TryGetInt32(out int nodeId) && nodeId >= 0
                    && broker.Value.TryGetProperty("state", out var state) && state.ValueEquals("UP"u8))
                {
                    upBrokers.Add(nodeId);
                }
            }
        }

        var partitions = new Dictionary<int, PartitionStatistics>();
        if (root.TryGetProperty("topics", out var topics) && topics.ValueKind == JsonValueKind.Object
            && topics.TryGetProperty(topic, out var topicStats) && topicStats.TryGetProperty("partitions", out var parts)
            && parts.ValueKind == JsonValueKind.Object)
        {
            foreach (var part in parts.EnumerateObject())
            {
                var p = part.Value;
                int partition = Int(p, "partition");
                if (partition < 0)
                    continue; // librdkafka's internal UA partition
                int leader = Int(p, "leader");
                int broker = Int(p, "broker");
                bool reachable = leader >= 0 && broker >= 0 && upBrokers.Contains(broker);
                partitions[partition] = new PartitionStatistics(leader, reachable, Long(p, "hi_offset"));
            }
        }

        return new ConsumerStatistics(partitions);
    }

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt32(out int result) ? result : -1;

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt64(out long result) ? result : -1;
}

/// <summary>One partition in the statistics.</summary>
/// <param name="Leader">The leader's broker id, or -1 when unknown.</param>
/// <param name="LeaderReachable">Whether the client's connection to the broker it fetches the partition from is up.</param>
/// <param name="HighWatermark">The end of the partition as last fetched, or a negative number when unknown.</param>
internal readonly record struct PartitionStatistics(int Leader, bool LeaderReachable, long HighWatermark);
