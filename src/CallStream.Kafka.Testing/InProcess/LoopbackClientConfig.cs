using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>Client settings suited to a cluster on the loopback interface (see
/// <see cref="InProcessKafkaCluster.CreateProducerConfig"/> and <see cref="InProcessKafkaCluster.CreateConsumerConfig"/>
/// for why each differs from librdkafka's default).</summary>
internal static class LoopbackClientConfig
{
    private const int FastBackoffMs = 10;
    private const int FastBackoffMaxMs = 250;

    public static ProducerConfig Producer(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        ReconnectBackoffMs = FastBackoffMs,
        ReconnectBackoffMaxMs = FastBackoffMaxMs,
        RetryBackoffMs = FastBackoffMs,
        RetryBackoffMaxMs = FastBackoffMaxMs,
    };

    public static ConsumerConfig Consumer(string bootstrapServers, string groupId) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchQueueBackoffMs = 10,
        HeartbeatIntervalMs = 500,
        SessionTimeoutMs = 3000,
        ReconnectBackoffMs = FastBackoffMs,
        ReconnectBackoffMaxMs = FastBackoffMaxMs,
        RetryBackoffMs = FastBackoffMs,
        RetryBackoffMaxMs = FastBackoffMaxMs,
    };
}
