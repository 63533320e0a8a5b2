using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>Where and how a Kafka sink (<see cref="KafkaInteractionSink"/>, <see cref="KafkaAlertSink"/>) produces.</summary>
/// <remarks>The producer is idempotent (<c>enable.idempotence=true</c>, hence <c>acks=all</c>): retried sends never
/// duplicate or reorder messages within a partition. Settings that would break this are refused.</remarks>
public sealed class KafkaSinkOptions : KafkaClientOptions
{
    /// <summary>The default topic of <see cref="KafkaInteractionSink"/>: <c>consumerdata</c>.</summary>
    public const string DefaultInteractionsTopic = "consumerdata";

    /// <summary>The default topic of <see cref="KafkaAlertSink"/>: <c>callstream-alerts</c>.</summary>
    public const string DefaultAlertsTopic = "callstream-alerts";

    /// <summary>Gets or sets the topic to produce to.</summary>
    /// <value>The default value is <see langword="null"/>: <c>consumerdata</c> for interactions, <c>callstream-alerts</c> for alerts.</value>
    public string? Topic { get; set; }

    /// <summary>Gets or sets how long the producer waits for more messages to fill a batch (<c>linger.ms</c>). A write
    /// waits for its acknowledgements, so the linger adds to every write: measured on the in-process cluster, 5 ms
    /// produced about 270,000 interactions/s, 20 ms about 150,000 and 0 ms about 180,000.</summary>
    /// <value>The default value is 5 milliseconds.</value>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Gets or sets the largest record batch the producer sends to one partition, in bytes (<c>batch.size</c>).</summary>
    /// <value>The default value is 1,000,000 bytes.</value>
    public int BatchBytes { get; set; } = 1_000_000;

    /// <summary>Gets or sets the compression of record batches (<c>compression.type</c>). Every Kafka client reads
    /// uncompressed batches, and gzip too; kafkajs reads Snappy, LZ4 and zstd only with a plugin. JSON interactions
    /// compress well: measured on the in-process cluster, gzip and zstd made the bytes on the topic about 6 times
    /// smaller, Snappy and LZ4 about 4 times, at a CPU cost (gzip the largest). See the package README for the figures.</summary>
    /// <value>The default value is <see cref="CompressionType.None"/>, which every client reads.</value>
    public CompressionType Compression { get; set; } = CompressionType.None;

    /// <summary>Gets or sets how long a message may take to be acknowledged, retries included, before it counts as
    /// failed (<c>message.timeout.ms</c>); a write waits at most about this long.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets or sets which time is written as the message timestamp.</summary>
    /// <value>The default value is <see cref="KafkaMessageTimestamp.ProduceTime"/>.</value>
    public KafkaMessageTimestamp MessageTimestamp { get; set; } = KafkaMessageTimestamp.ProduceTime;

    /// <inheritdoc/>
    private protected override string OptionsName => nameof(KafkaSinkOptions);

    /// <summary>Checks the options and throws a message naming the option that is wrong.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public override void Validate()
    {
        base.Validate();
        if (Topic is not null)
            KafkaTopicName.Validate(Topic, $"{nameof(KafkaSinkOptions)}.{nameof(Topic)}");
        if (Linger < TimeSpan.Zero || Linger > TimeSpan.FromMinutes(15))
            throw new ArgumentOutOfRangeException(nameof(Linger), Linger, $"KafkaSinkOptions.Linger must be from 0 to 15 minutes (was {Linger}).");
        if (BatchBytes is < 1 or > 2_147_483_647 - 1)
            throw new ArgumentOutOfRangeException(nameof(BatchBytes), BatchBytes, $"KafkaSinkOptions.BatchBytes must be at least 1 (was {BatchBytes}).");
        if (!Enum.IsDefined(Compression))
            throw new ArgumentOutOfRangeException(nameof(Compression), Compression, "KafkaSinkOptions.Compression must be None, Gzip, Snappy, Lz4 or Zstd.");
        if (DeliveryTimeout < TimeSpan.FromMilliseconds(1) || DeliveryTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(DeliveryTimeout), DeliveryTimeout, $"KafkaSinkOptions.DeliveryTimeout must be from 1 millisecond to {int.MaxValue} milliseconds (was {DeliveryTimeout}).");
        if (!Enum.IsDefined(MessageTimestamp))
            throw new ArgumentOutOfRangeException(nameof(MessageTimestamp), MessageTimestamp, "KafkaSinkOptions.MessageTimestamp must be ProduceTime or EventTime.");
        RefuseSetting("enable.idempotence", v => v.Equals("true", StringComparison.OrdinalIgnoreCase), "the sinks are idempotent producers, so that retries never duplicate messages");
        RefuseSetting("acks", v => v is "all" or "-1", "the sinks count a message as written only when all in-sync replicas have it (acks=all)");
        RefuseSetting("transactional.id", _ => false, "the sinks are not transactional");
    }

    /// <summary>Builds the Confluent producer configuration: CallStream's tuning, then <see cref="KafkaClientOptions.Settings"/>.</summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable, or <see langword="null"/>.</param>
    /// <returns>The configuration.</returns>
    internal ProducerConfig BuildProducerConfig(Func<string, string?>? getEnvironmentVariable = null)
    {
        var config = new ProducerConfig
        {
            ClientId = "callstream-producer",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = Linger.TotalMilliseconds,
            BatchSize = BatchBytes,
            CompressionType = Compression,
            MessageTimeoutMs = (int)DeliveryTimeout.TotalMilliseconds,
            EnableDeliveryReports = true,
            DeliveryReportFields = "value,status",
            // Keys land where the Java client, Kafka Streams, ksqlDB and kafkajs put them (librdkafka's default is CRC32).
            Partitioner = Partitioner.Murmur2Random,
        };
        ApplyTo(config, getEnvironmentVariable);
        return config;
    }
}
