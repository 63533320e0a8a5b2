using Microsoft.Extensions.Logging;

namespace CallStream.Pipeline;

/// <summary>Source-generated log messages of the pipeline.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Sink '{Sink}' failed to write a batch of {Count} item(s) (attempt {Attempt} of {MaxAttempts}); retrying in {Delay}.")]
    public static partial void BatchFailed(ILogger logger, Exception exception, string sink, int count, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Sink '{Sink}' wrote a batch of {Count} item(s) at attempt {Attempt}.")]
    public static partial void BatchRecovered(ILogger logger, string sink, int count, int attempt);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Sink '{Sink}' failed for good: a batch of {Count} item(s) could not be written in {Attempts} attempt(s). Offsets are not committed past it.")]
    public static partial void SinkFailed(ILogger logger, Exception exception, string sink, int count, int attempts);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Sink '{Sink}' refused '{Item}' for good ({Reason}): it is not stored and not retried; the checkpoint moves past it.")]
    public static partial void ItemRejected(ILogger logger, string sink, string item, string reason);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Pipeline started: {RuleCount} rule(s), sinks [{Sinks}], warm-up horizon {Horizon} (warm-up {WarmUp}).")]
    public static partial void PipelineStarted(ILogger logger, int ruleCount, string sinks, TimeSpan horizon, bool warmUp);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Pipeline stopped: {Consumed} record(s) read, {Evaluated} evaluated, {Alerts} alert(s), {WarmUp} warm-up event(s), {Held} event(s) left held for the next run, in {Elapsed}.")]
    public static partial void PipelineStopped(ILogger logger, long consumed, long evaluated, long alerts, long warmUp, int held, TimeSpan elapsed);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Pipeline failed: {Reason} Offsets are not stored past what every sink has written.")]
    public static partial void PipelineFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Partition {Partition} assigned (committed offset {Committed}, warm-up from {WarmUpFrom}).")]
    public static partial void PartitionAssigned(ILogger logger, int partition, long committed, long warmUpFrom);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Information, Message = "Partition {Partition} released: {How}.")]
    public static partial void PartitionReleased(ILogger logger, int partition, string how);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Partitions {Partitions} revoking: every sink flushed in {Elapsed}; their durable offsets are stored.")]
    public static partial void RevokeFlushed(ILogger logger, string partitions, TimeSpan elapsed);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Information, Message = "Warm-up of partition {Partition}: re-reading offsets {Start} to {Committed} (exclusive), every record before them older than {From:o} (committed position at event time {Position:o}, from {How}).")]
    public static partial void WarmUpPlanned(ILogger logger, int partition, long start, long committed, DateTimeOffset from, DateTimeOffset position, string how);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Partition {Partition} has no event-time position stored with its committed offset {Committed} (a group that ran before positions were stored, or its progress topic was deleted): estimated at event time {Position:o}, the newest of {Valid} valid interaction(s) among the {Read} records before it.")]
    public static partial void WarmUpEstimated(ILogger logger, int partition, long committed, DateTimeOffset position, int valid, int read);

    [LoggerMessage(EventId = 1032, Level = LogLevel.Warning, Message = "No warm-up for partition {Partition}: no event-time position is stored with its committed offset {Committed} and none of the {Read} records before it is a valid interaction. Window and suppression state starts empty there, so alerts may differ from an uninterrupted run.")]
    public static partial void WarmUpUnestimated(ILogger logger, int partition, long committed, int read);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Warning, Message = "No warm-up for partition(s) {Partitions}: {Reason} Window and suppression state starts empty there, so alerts may differ from an uninterrupted run.")]
    public static partial void WarmUpUnavailable(ILogger logger, Exception exception, string partitions, string reason);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Information, Message = "Input completed: every held event evaluated ({Evaluated} in all), sinks flushed; stopping.")]
    public static partial void InputCompleted(ILogger logger, long evaluated);
}
