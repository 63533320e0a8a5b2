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
}
