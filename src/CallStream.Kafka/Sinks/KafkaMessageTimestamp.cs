namespace CallStream.Kafka;

/// <summary>Which time a Kafka sink writes as the message timestamp (<c>CreateTime</c>).</summary>
public enum KafkaMessageTimestamp
{
    /// <summary>The time the message is produced (Kafka's default). Safe with time-based retention.</summary>
    ProduceTime = 0,

    /// <summary>The event time: an interaction's start time, an alert's trigger time. Offsets for a timestamp then find
    /// records by event time, which a warm-up replay needs; but the broker's time-based retention also judges the
    /// records by it, so a topic with <c>retention.ms</c> deletes replayed historical events soon after they are written.</summary>
    EventTime = 1,
}
