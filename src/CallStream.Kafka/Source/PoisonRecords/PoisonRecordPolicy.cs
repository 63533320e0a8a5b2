namespace CallStream.Kafka;

/// <summary>What the Kafka source does with a record that is not a valid interaction (<see cref="KafkaSourceOptions.PoisonRecords"/>).</summary>
/// <remarks>Every policy keeps the source at least once: the offset past a poison record is committed only once the
/// record was handled (its dead letter acknowledged, or the record counted as skipped), and never under
/// <see cref="Stop"/>.</remarks>
public enum PoisonRecordPolicy
{
    /// <summary>Publish the record, with headers saying where it came from and what is wrong, to the dead-letter topic
    /// (once per consumer group), then move on.</summary>
    DeadLetter = 0,

    /// <summary>Skip the record: log it (the first, then one in 1,000), count it (<see cref="KafkaInteractionSource.Skipped"/>
    /// and the metric <c>callstream.kafka.poison_records</c> with <c>outcome</c> = <c>skipped</c>), then move on.</summary>
    SkipAndCount = 1,

    /// <summary>Stop the source with a <see cref="Confluent.Kafka.KafkaException"/> that names the record's topic, partition,
    /// offset and what is wrong; its offset is not committed, so a restart reads it again.</summary>
    Stop = 2,
}
