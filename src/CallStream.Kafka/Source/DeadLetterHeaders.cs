namespace CallStream.Kafka;

/// <summary>
/// The headers of a dead-letter message (a record the Kafka source could not turn into an interaction, published to
/// <c>{topic}.dlq</c> with its original key and value). Header values are UTF-8 text.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>The topic the record came from.</summary>
    public const string Topic = "callstream.dlq.topic";

    /// <summary>Its partition, in decimal.</summary>
    public const string Partition = "callstream.dlq.partition";

    /// <summary>Its offset, in decimal.</summary>
    public const string Offset = "callstream.dlq.offset";

    /// <summary>Its message timestamp, ISO-8601 UTC (absent when the message had none).</summary>
    public const string Timestamp = "callstream.dlq.timestamp";

    /// <summary>The consumer group that read it.</summary>
    public const string ConsumerGroup = "callstream.dlq.group";

    /// <summary>What is wrong, as a code: <see cref="ErrorNoValue"/>, <see cref="ErrorTooLarge"/>, <see cref="ErrorInvalidUtf8"/>,
    /// <see cref="ErrorInvalidJson"/> or <see cref="ErrorInvalidInteraction"/>.</summary>
    public const string Error = "callstream.dlq.error";

    /// <summary>What is wrong, in words (for an invalid interaction: the field, the value and why).</summary>
    public const string Reason = "callstream.dlq.reason";

    /// <summary>The contract name of the offending field (for example <c>durationSeconds</c>), when one is to blame.</summary>
    public const string Field = "callstream.dlq.field";

    /// <summary>The offending value as text, when there is one.</summary>
    public const string Value = "callstream.dlq.value";

    /// <summary>The size of the original value in bytes, for <see cref="ErrorTooLarge"/> records, whose dead-letter copy keeps only the first
    /// <see cref="TruncatedValueBytes"/> bytes.</summary>
    public const string OriginalSize = "callstream.dlq.original-size";

    /// <summary>When the source set the record aside, ISO-8601 UTC.</summary>
    public const string DeadLetteredAt = "callstream.dlq.at";

    /// <summary>The <see cref="Error"/> code of a message without a value (null, a tombstone).</summary>
    public const string ErrorNoValue = "no-value";

    /// <summary>The <see cref="Error"/> code of a value larger than <see cref="KafkaSourceOptions.MaxMessageBytes"/>.</summary>
    public const string ErrorTooLarge = "too-large";

    /// <summary>The <see cref="Error"/> code of a value that is not valid UTF-8.</summary>
    public const string ErrorInvalidUtf8 = "invalid-utf8";

    /// <summary>The <see cref="Error"/> code of a value that is not valid JSON.</summary>
    public const string ErrorInvalidJson = "invalid-json";

    /// <summary>The <see cref="Error"/> code of JSON that is not a valid interaction (a missing or invalid field).</summary>
    public const string ErrorInvalidInteraction = "invalid-interaction";

    /// <summary>How many bytes of a too-large value the dead-letter copy keeps.</summary>
    public const int TruncatedValueBytes = 64 * 1024;
}
