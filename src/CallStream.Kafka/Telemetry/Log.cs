using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>Source-generated log messages of CallStream.Kafka. Configurations are logged only through <see cref="KafkaConfigRedactor"/>.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Kafka producer for topic '{Topic}' created: {Config}.")]
    public static partial void ProducerCreated(ILogger logger, string topic, string config);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Kafka consumer of topic '{Topic}' in group '{GroupId}' created: {Config}.")]
    public static partial void ConsumerCreated(ILogger logger, string topic, string groupId, string config);

    // The code is a structured property for log stores; the text says what happened in librdkafka's words.
#pragma warning disable SYSLIB1015 // Argument is not referenced from the logging message
    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Kafka client {Client}: {Reason}.")]
    public static partial void ClientError(ILogger logger, string client, ErrorCode code, string reason);
#pragma warning restore SYSLIB1015

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Kafka client {Client} reported a fatal error {Code}: {Reason}. The client is unusable and is recreated (producer) or stops (consumer).")]
    public static partial void FatalError(ILogger logger, string client, ErrorCode code, string reason);

    [LoggerMessage(EventId = 4005, Message = "librdkafka {Client} [{Facility}]: {Text}")]
    public static partial void Librdkafka(ILogger logger, LogLevel level, string client, string facility, string text);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "Producing to '{Topic}' was refused ({Code}: {Reason}); retrying in {Delay}.")]
    public static partial void ProduceRetry(ILogger logger, string topic, ErrorCode code, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "{Failed} of {Count} message(s) to '{Topic}' were not acknowledged; first: {FirstId} ({Code}: {Reason}).")]
    public static partial void DeliveryFailed(ILogger logger, int failed, int count, string topic, string firstId, ErrorCode code, string reason);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Partitions of '{Topic}' assigned: {Partitions}.")]
    public static partial void PartitionsAssigned(ILogger logger, string topic, string partitions);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Information, Message = "Partitions of '{Topic}' revoked: {Partitions}; committed {Offsets}.")]
    public static partial void PartitionsRevoked(ILogger logger, string topic, string partitions, string offsets);

    [LoggerMessage(EventId = 4022, Level = LogLevel.Warning, Message = "Partitions of '{Topic}' lost: {Partitions}; their records since the last commit will be read again by their next owner.")]
    public static partial void PartitionsLost(ILogger logger, string topic, string partitions);

    [LoggerMessage(EventId = 4023, Level = LogLevel.Warning, Message = "The {Handler} handler did not finish within {Timeout}; going on with the offsets stored so far.")]
    public static partial void HandlerTimedOut(ILogger logger, string handler, TimeSpan timeout);

    [LoggerMessage(EventId = 4024, Level = LogLevel.Error, Message = "The {Handler} handler failed; going on with the offsets stored so far.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string handler);

    [LoggerMessage(EventId = 4025, Level = LogLevel.Warning, Message = "Committing offsets of '{Topic}' failed ({Code}: {Reason}); the records after the last commit will be read again.")]
    public static partial void CommitFailed(ILogger logger, string topic, ErrorCode code, string reason);

    [LoggerMessage(EventId = 4026, Level = LogLevel.Warning, Message = "Could not read the committed offsets of '{Topic}' ({Reason}); reading resumes at the committed offsets, reported as unknown (-1).")]
    public static partial void CommittedUnknown(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 4027, Level = LogLevel.Warning, Message = "Consuming '{Topic}' reported {Code}: {Reason}.")]
    public static partial void ConsumeError(ILogger logger, string topic, ErrorCode code, string reason);

    [LoggerMessage(EventId = 4028, Level = LogLevel.Information, Message = "Partition {Topic}[{Partition}] is no longer caught up: {Reason}.")]
    public static partial void PartitionActive(ILogger logger, string topic, int partition, string reason);

    [LoggerMessage(EventId = 4029, Level = LogLevel.Debug, Message = "Partition {Topic}[{Partition}] is caught up at offset {Offset}.")]
    public static partial void PartitionCaughtUp(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Warning, Message = "Record {Topic}[{Partition}]@{Offset} is not a valid interaction ({Kind}: {Reason}); publishing it to '{DeadLetterTopic}'.")]
    public static partial void DeadLettering(ILogger logger, string topic, int partition, long offset, string kind, string reason, string deadLetterTopic);

    [LoggerMessage(EventId = 4031, Level = LogLevel.Error, Message = "Record {Topic}[{Partition}]@{Offset} could not be published to the dead-letter topic '{DeadLetterTopic}' ({Code}: {Reason}); the source stops so that it is not skipped.")]
    public static partial void DeadLetterFailed(ILogger logger, string topic, int partition, long offset, string deadLetterTopic, ErrorCode code, string reason);

    [LoggerMessage(EventId = 4032, Level = LogLevel.Debug, Message = "Offset {Offset} of {Topic}[{Partition}] not stored: {Reason}.")]
    public static partial void StoreSkipped(ILogger logger, long offset, string topic, int partition, string reason);

    [LoggerMessage(EventId = 4033, Level = LogLevel.Information, Message = "Offsets for {Timestamp} on '{Topic}': the brokers could not look them up by time, so the partitions were scanned: {Offsets}.")]
    public static partial void OffsetsScanned(ILogger logger, DateTimeOffset timestamp, string topic, string offsets);

    [LoggerMessage(EventId = 4034, Level = LogLevel.Information, Message = "Kafka source of '{Topic}' stopped: {Consumed} record(s) read, {DeadLettered} dead-lettered, {Skipped} skipped.")]
    public static partial void SourceStopped(ILogger logger, string topic, long consumed, long deadLettered, long skipped);

    /// <summary>
    /// Logs a line of librdkafka's own log. A broken or refused connection is reported twice by librdkafka, as a log
    /// line of facility <c>FAIL</c> and through the client's error callback; the callback's report is the one logged
    /// at Warning (<see cref="ClientError"/>), the line only at Debug.
    /// </summary>
    public static void Librdkafka(ILogger logger, LogMessage message)
    {
        var level = message.Facility == "FAIL" ? LogLevel.Debug : LevelOf(message.Level);
        if (logger.IsEnabled(level))
            Librdkafka(logger, level, message.Name, message.Facility, message.Message);
    }

    [LoggerMessage(EventId = 4035, Level = LogLevel.Debug, Message = "Record {Topic}[{Partition}]@{Offset} is not a valid interaction and was handled before (committed offset {Committed}, or found in the dead-letter topic): it is not handled again.")]
    public static partial void DeadLetterKnown(ILogger logger, string topic, int partition, long offset, long committed);

    [LoggerMessage(EventId = 4036, Level = LogLevel.Information, Message = "{Count} record(s) of '{Topic}' after the committed offsets were dead-lettered by an earlier run (found in '{DeadLetterTopic}'): they are not published again.")]
    public static partial void DeadLettersFound(ILogger logger, int count, string deadLetterTopic, string topic);

    [LoggerMessage(EventId = 4037, Level = LogLevel.Warning, Message = "The dead-letter topic '{DeadLetterTopic}' could not be read back within {Timeout}: poison records an earlier run dead-lettered after the committed offsets may be published again.")]
    public static partial void DeadLettersUnread(ILogger logger, string deadLetterTopic, TimeSpan timeout);

    [LoggerMessage(EventId = 4038, Level = LogLevel.Warning, Message = "The dead-letter topic '{DeadLetterTopic}' could not be read back ({Reason}): poison records an earlier run dead-lettered after the committed offsets may be published again.")]
    public static partial void DeadLettersUnknown(ILogger logger, string deadLetterTopic, string reason);

    [LoggerMessage(EventId = 4039, Level = LogLevel.Warning, Message = "The topic '{Topic}' does not exist ({Reason}); the source reads it once it is created.")]
    public static partial void TopicMissing(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 4040, Level = LogLevel.Warning, Message = "Record {Topic}[{Partition}]@{Offset} is not a valid interaction ({Kind}: {Reason}); skipped ({Skipped} skipped so far; one line per {Every}).")]
    public static partial void PoisonRecordSkipped(ILogger logger, string topic, int partition, long offset, string kind, string reason, long skipped, int every);

    [LoggerMessage(EventId = 4041, Level = LogLevel.Error, Message = "Record {Topic}[{Partition}]@{Offset} is not a valid interaction ({Kind}: {Reason}); the source stops without committing past it.")]
    public static partial void PoisonRecordStops(ILogger logger, string topic, int partition, long offset, string kind, string reason);

    public static LogLevel LevelOf(SyslogLevel level) => level switch
    {
        SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
        SyslogLevel.Error => LogLevel.Error,
        SyslogLevel.Warning => LogLevel.Warning,
        SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "The progress topic '{ProgressTopic}' does not exist yet: no event-time position is stored for the commits of '{Topic}'.")]
    public static partial void ProgressTopicMissing(ILogger logger, string progressTopic, string topic);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "The progress topic '{ProgressTopic}' could not be read within {Timeout}: warm-ups estimate the committed positions instead.")]
    public static partial void ProgressUnread(ILogger logger, string progressTopic, TimeSpan timeout);

    [LoggerMessage(EventId = 4052, Level = LogLevel.Warning, Message = "The progress topic '{ProgressTopic}' could not be read ({Reason}): warm-ups estimate the committed positions instead.")]
    public static partial void ProgressUnknown(ILogger logger, string progressTopic, string reason);

    [LoggerMessage(EventId = 4053, Level = LogLevel.Information, Message = "Created the progress topic '{ProgressTopic}' (compacted, 1 partition) for the event-time positions of the commits of '{Topic}'.")]
    public static partial void ProgressTopicCreated(ILogger logger, string progressTopic, string topic);

    [LoggerMessage(EventId = 4054, Level = LogLevel.Warning, Message = "The cluster did not create the progress topic '{ProgressTopic}' on request ({Reason}) but created it automatically, without compaction: set cleanup.policy=compact on it.")]
    public static partial void ProgressTopicAutoCreated(ILogger logger, string progressTopic, string reason);

    [LoggerMessage(EventId = 4055, Level = LogLevel.Error, Message = "Writing the event-time position of '{Topic}'[{Partition}] to '{ProgressTopic}' failed: {Code} {Reason}.")]
    public static partial void ProgressFailed(ILogger logger, string progressTopic, string topic, int partition, ErrorCode code, string reason);

    [LoggerMessage(EventId = 4056, Level = LogLevel.Information, Message = "Event-time positions of '{Topic}' read from '{ProgressTopic}': {Found}.")]
    public static partial void PositionsRead(ILogger logger, string topic, string progressTopic, string found);

    [LoggerMessage(EventId = 4057, Level = LogLevel.Warning, Message = "The event-time positions stored for '{Topic}'[{Partition}] ({Stored}) do not include its committed offset {Committed}: the warm-up estimates that position instead.")]
    public static partial void PositionMismatch(ILogger logger, string topic, int partition, string stored, long committed);

    [LoggerMessage(EventId = 4058, Level = LogLevel.Warning, Message = "The event-time position of '{Topic}'[{Partition}] at offset {Offset} was not written to '{ProgressTopic}' in time for the hand-over: the offset is committed without it, and the next warm-up estimates it.")]
    public static partial void PositionNotWritten(ILogger logger, string topic, int partition, long offset, string progressTopic);

    [LoggerMessage(EventId = 4059, Level = LogLevel.Warning, Message = "The cluster did not create the repartition topic '{Topic}' on request ({Reason}) but created it automatically with {Partitions} partitions (wanted {Wanted}); records and markers are placed to suit any count.")]
    public static partial void RepartitionTopicAutoCreated(ILogger logger, string topic, string reason, int partitions, int wanted);
}
