using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>What and how the Kafka source (<see cref="KafkaInteractionSource"/>) reads.</summary>
/// <remarks>
/// The consumer stores offsets only when the pipeline says records are durable (<c>enable.auto.offset.store=false</c>)
/// and commits stored offsets in the background (<c>enable.auto.commit=true</c>), on revocation and on close; it
/// reports partition ends (<c>enable.partition.eof=true</c>). Settings that would break this are refused.
/// </remarks>
public sealed class KafkaSourceOptions : KafkaClientOptions
{
    /// <summary>The default topic: <c>consumerdata</c>.</summary>
    public const string DefaultTopic = "consumerdata";

    /// <summary>The default consumer group: <c>callstream</c>.</summary>
    public const string DefaultGroupId = "callstream";

    /// <summary>The suffix of the default dead-letter topic: <c>.dlq</c>.</summary>
    public const string DeadLetterSuffix = ".dlq";

    /// <summary>Gets or sets the topic to read.</summary>
    /// <value>The default value is <c>consumerdata</c>.</value>
    public string Topic { get; set; } = DefaultTopic;

    /// <summary>Gets or sets the consumer group (<c>group.id</c>): consumers of one group share the partitions, and
    /// committed offsets belong to the group.</summary>
    /// <value>The default value is <c>callstream</c>.</value>
    public string GroupId { get; set; } = DefaultGroupId;

    /// <summary>Gets or sets what the source does with a record that is not a valid interaction: publish it to
    /// <see cref="DeadLetterTopic"/>, skip and count it, or stop. Bound from configuration by name
    /// (<c>CallStream:Kafka:PoisonRecords</c> = <c>DeadLetter</c>, <c>SkipAndCount</c> or <c>Stop</c>).</summary>
    /// <value>The default value is <see cref="PoisonRecordPolicy.DeadLetter"/>.</value>
    public PoisonRecordPolicy PoisonRecords { get; set; } = PoisonRecordPolicy.DeadLetter;

    /// <summary>Gets or sets the topic records that are not valid interactions are published to, with their original
    /// key and value and headers saying where they came from and what is wrong (see <see cref="DeadLetterHeaders"/>),
    /// when <see cref="PoisonRecords"/> is <see cref="PoisonRecordPolicy.DeadLetter"/>.</summary>
    /// <value>The default value is <see langword="null"/>: the topic name followed by <c>.dlq</c> (<c>consumerdata.dlq</c>).</value>
    public string? DeadLetterTopic { get; set; }

    /// <summary>Gets or sets the compacted topic that keeps, beside each offset commit of the group, the event-time position of
    /// the pipeline there (Kafka offset commits from .NET cannot carry it), so that a warm-up after a restart re-reads from
    /// the right offset without trusting any record's timestamp. Written only by a reader that stores positions (the
    /// pipeline with warm-up on); created compacted, with one partition, when missing.</summary>
    /// <value>The default value is <see langword="null"/>: the group followed by <c>-progress</c> (<c>callstream-progress</c>).</value>
    public string? ProgressTopic { get; set; }

    /// <summary>Gets or sets the largest message value accepted, in bytes; larger records are poison records (see <see cref="PoisonRecords"/>).</summary>
    /// <value>The default value is 1 MiB (1,048,576 bytes).</value>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Gets or sets where a partition without a committed offset starts (<c>auto.offset.reset</c>).</summary>
    /// <value>The default value is <see cref="Confluent.Kafka.AutoOffsetReset.Earliest"/>: everything in the topic is read.</value>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Earliest;

    /// <summary>Gets or sets how often stored offsets are committed in the background (<c>auto.commit.interval.ms</c>);
    /// they are also committed when partitions are revoked and when the source stops.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long the source waits for <see cref="InteractionSourceHandlers.OnAssigned"/> and
    /// <see cref="InteractionSourceHandlers.OnRevoking"/>; after that it goes on with the committed offsets, or with the offsets
    /// stored so far. Keep it below the group's rebalance timeout (<c>max.poll.interval.ms</c>, 5 minutes by default).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long a request the source makes itself may take: committed offsets on assignment,
    /// partition ends, offsets for a timestamp.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how often the client reports statistics (<c>statistics.interval.ms</c>), from which the source
    /// learns that a partition's leader became unreachable (a caught-up partition then turns active again) and each
    /// partition's lag; <see cref="TimeSpan.Zero"/> turns both off.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a partition's fetcher waits before fetching again when the client's queue of
    /// fetched messages is full (<c>fetch.queue.backoff.ms</c>). librdkafka's default of 1 second leaves a fast reader idle
    /// much of the time.</summary>
    /// <value>The default value is 10 milliseconds.</value>
    public TimeSpan FetchQueueBackoff { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Gets or sets how many events the source reads ahead of its reader; when the reader falls behind, the
    /// source stops fetching until there is room (backpressure).</summary>
    /// <value>The default value is 10,000.</value>
    public int EventQueueCapacity { get; set; } = 10_000;

    /// <summary>Gets the further settings of the dead-letter producer. It also gets the connection and security settings of
    /// <see cref="KafkaClientOptions.Settings"/> (names starting with <c>security.</c>, <c>sasl.</c>, <c>ssl</c>,
    /// <c>socket.</c>, <c>reconnect.</c>, <c>retry.</c>, <c>client.</c>, <c>broker.</c>, <c>connections.</c>,
    /// <c>metadata.</c>, <c>topic.metadata.</c>, <c>api.version</c>, <c>enable.ssl</c>, <c>https.</c>, and <c>debug</c>),
    /// but not the consumer's other settings; these are applied after them.</summary>
    /// <value>The default value is an empty dictionary.</value>
    public Dictionary<string, string> DeadLetterSettings { get; } = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    private protected override string OptionsName => nameof(KafkaSourceOptions);

    /// <summary>Gets the dead-letter topic: <see cref="DeadLetterTopic"/>, or the topic name followed by <c>.dlq</c>.</summary>
    public string ResolvedDeadLetterTopic => DeadLetterTopic ?? Topic + DeadLetterSuffix;

    /// <summary>The suffix of the default progress topic: <c>-progress</c>.</summary>
    public const string ProgressSuffix = "-progress";

    /// <summary>Gets the progress topic: <see cref="ProgressTopic"/>, or the group followed by <c>-progress</c>.</summary>
    public string ResolvedProgressTopic => ProgressTopic ?? GroupId + ProgressSuffix;

    /// <summary>Checks the options and throws a message naming the option that is wrong.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public override void Validate()
    {
        base.Validate();
        KafkaTopicName.Validate(Topic, $"{nameof(KafkaSourceOptions)}.{nameof(Topic)}");
        if (string.IsNullOrWhiteSpace(GroupId))
            throw new ArgumentException("KafkaSourceOptions.GroupId must not be empty.", nameof(GroupId));
        if (DeadLetterTopic is not null)
            KafkaTopicName.Validate(DeadLetterTopic, $"{nameof(KafkaSourceOptions)}.{nameof(DeadLetterTopic)}");
        if (string.Equals(ResolvedDeadLetterTopic, Topic, StringComparison.Ordinal))
            throw new ArgumentException($"KafkaSourceOptions.DeadLetterTopic must differ from Topic (both are '{Topic}').", nameof(DeadLetterTopic));
        if (ProgressTopic is not null)
            KafkaTopicName.Validate(ProgressTopic, $"{nameof(KafkaSourceOptions)}.{nameof(ProgressTopic)}");
        if (string.Equals(ResolvedProgressTopic, Topic, StringComparison.Ordinal) || string.Equals(ResolvedProgressTopic, ResolvedDeadLetterTopic, StringComparison.Ordinal))
            throw new ArgumentException($"KafkaSourceOptions.ProgressTopic must differ from Topic and DeadLetterTopic (it is '{ResolvedProgressTopic}').", nameof(ProgressTopic));
        if (MaxMessageBytes < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxMessageBytes), MaxMessageBytes, $"KafkaSourceOptions.MaxMessageBytes must be at least 1 (was {MaxMessageBytes}).");
        if (!Enum.IsDefined(PoisonRecords))
            throw new ArgumentOutOfRangeException(nameof(PoisonRecords), PoisonRecords, $"KafkaSourceOptions.PoisonRecords must be DeadLetter, SkipAndCount or Stop (was {PoisonRecords}).");
        if (!Enum.IsDefined(AutoOffsetReset))
            throw new ArgumentOutOfRangeException(nameof(AutoOffsetReset), AutoOffsetReset, "KafkaSourceOptions.AutoOffsetReset must be Earliest, Latest or Error.");
        CheckDuration(CommitInterval, nameof(CommitInterval), TimeSpan.FromMilliseconds(1));
        CheckDuration(HandlerTimeout, nameof(HandlerTimeout), TimeSpan.FromMilliseconds(1));
        CheckDuration(RequestTimeout, nameof(RequestTimeout), TimeSpan.FromMilliseconds(1));
        CheckDuration(StatisticsInterval, nameof(StatisticsInterval), TimeSpan.Zero);
        CheckDuration(FetchQueueBackoff, nameof(FetchQueueBackoff), TimeSpan.Zero);
        if (EventQueueCapacity is < 1 or > 10_000_000)
            throw new ArgumentOutOfRangeException(nameof(EventQueueCapacity), EventQueueCapacity, $"KafkaSourceOptions.EventQueueCapacity must be from 1 to 10,000,000 (was {EventQueueCapacity}).");
        RefuseSetting("group.id", _ => false, "set KafkaSourceOptions.GroupId instead");
        RefuseSetting("auto.offset.reset", _ => false, "set KafkaSourceOptions.AutoOffsetReset instead");
        RefuseSetting("enable.auto.offset.store", v => v.Equals("false", StringComparison.OrdinalIgnoreCase), "the source stores an offset only once the records before it are durable in every sink");
        RefuseSetting("enable.auto.commit", v => v.Equals("true", StringComparison.OrdinalIgnoreCase), "the source relies on the client committing stored offsets in the background");
        RefuseSetting("enable.partition.eof", v => v.Equals("true", StringComparison.OrdinalIgnoreCase), "the source learns that a partition is caught up from its end-of-partition events");
        foreach (var (key, value) in DeadLetterSettings)
        {
            if (string.IsNullOrWhiteSpace(key) || value is null)
                throw new ArgumentException($"KafkaSourceOptions.DeadLetterSettings has a blank name or a null value ('{key}').", nameof(DeadLetterSettings));
            if (key is "enable.idempotence" && !value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException("KafkaSourceOptions.DeadLetterSettings['enable.idempotence'] must stay true: dead letters must not be duplicated by retries.", nameof(DeadLetterSettings));
        }
    }

    /// <summary>Builds the Confluent consumer configuration: CallStream's settings, then <see cref="KafkaClientOptions.Settings"/>.</summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable, or <see langword="null"/>.</param>
    /// <returns>The configuration.</returns>
    internal ConsumerConfig BuildConsumerConfig(Func<string, string?>? getEnvironmentVariable = null)
    {
        var config = new ConsumerConfig
        {
            ClientId = "callstream-consumer",
            GroupId = GroupId,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = (int)CommitInterval.TotalMilliseconds,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset,
            FetchQueueBackoffMs = (int)FetchQueueBackoff.TotalMilliseconds,
            StatisticsIntervalMs = (int)StatisticsInterval.TotalMilliseconds,
            // Headers only where they carry something: a repartition topic's source partitions and progress markers.
            ConsumeResultFields = ReadsRepartitionTopic ? "timestamp,headers" : "timestamp",
        };
        ApplyTo(config, getEnvironmentVariable);
        return config;
    }

    /// <summary>
    /// Whether <see cref="Topic"/> is a repartition topic (<see cref="RepartitionTopics"/>): records carry their source
    /// partition, and progress markers are read as <see cref="InteractionSourceEventKind.Progress"/> events. Set by
    /// <see cref="KafkaRepartitionSource"/>.
    /// </summary>
    internal bool ReadsRepartitionTopic { get; set; }

    /// <summary>Builds the configuration of the consumer that looks offsets up by time (assigns partitions itself, never commits).</summary>
    internal ConsumerConfig BuildLookupConfig()
    {
        var config = new ConsumerConfig
        {
            ClientId = "callstream-offset-lookup",
            GroupId = GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchQueueBackoffMs = (int)FetchQueueBackoff.TotalMilliseconds,
            ConsumeResultFields = "timestamp",
        };
        ApplyTo(config);
        config.EnableAutoCommit = false;
        config.EnableAutoOffsetStore = false;
        config.EnablePartitionEof = true;
        return config;
    }

    /// <summary>Builds the dead-letter producer's configuration: idempotent, then <see cref="KafkaClientOptions.Settings"/> and <see cref="DeadLetterSettings"/>.</summary>
    internal ProducerConfig BuildDeadLetterConfig()
    {
        var config = new ProducerConfig
        {
            ClientId = "callstream-dead-letters",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            EnableDeliveryReports = true,
            DeliveryReportFields = "none",
            Partitioner = Partitioner.Murmur2Random, // as the Java client places keys
        };
        config.BootstrapServers = ResolveBootstrapServers();
        foreach (var (key, value) in Settings)
        {
            if (IsConnectionSetting(key))
                config.Set(key, value);
        }

        foreach (var (key, value) in DeadLetterSettings)
            config.Set(key, value);
        return config;
    }

    /// <summary>Builds the progress producer's configuration: idempotent, acknowledged by all replicas, with the connection settings of <see cref="KafkaClientOptions.Settings"/>.</summary>
    internal ProducerConfig BuildProgressConfig()
    {
        var config = new ProducerConfig
        {
            ClientId = "callstream-progress",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 0,
            EnableDeliveryReports = true,
            DeliveryReportFields = "none",
            Partitioner = Partitioner.Murmur2Random,
        };
        config.Set("allow.auto.create.topics", "false"); // created compacted by the source, not by a metadata request
        config.BootstrapServers = ResolveBootstrapServers();
        foreach (var (key, value) in Settings)
        {
            if (IsConnectionSetting(key))
                config.Set(key, value);
        }
        return config;
    }

    private static readonly string[] ConnectionPrefixes =
    [
        "security.", "sasl.", "ssl", "socket.", "reconnect.", "retry.", "client.", "broker.", "connections.",
        "metadata.", "topic.metadata.", "api.version", "enable.ssl", "https.", "debug",
    ];

    private static bool IsConnectionSetting(string key) =>
        ConnectionPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));

    private static void CheckDuration(TimeSpan value, string name, TimeSpan min)
    {
        if (value < min || value.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(name, value, $"KafkaSourceOptions.{name} must be from {min.TotalMilliseconds} to {int.MaxValue} milliseconds (was {value}).");
    }
}
