namespace CallStream.Kafka;

/// <summary>One protocol request that reached a broker of an <see cref="InProcessKafkaCluster"/> while request tracking was on.</summary>
/// <param name="BrokerId">The id of the broker that received it (1 to the broker count).</param>
/// <param name="ApiKey">The request type.</param>
/// <param name="Timestamp">When it arrived, on librdkafka's monotonic clock (microsecond resolution); only differences between
/// timestamps are meaningful.</param>
public readonly record struct KafkaMockRequest(int BrokerId, KafkaApiKey ApiKey, TimeSpan Timestamp);
