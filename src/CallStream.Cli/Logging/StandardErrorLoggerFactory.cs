using Microsoft.Extensions.Logging;

namespace CallStream.Cli.Logging;

/// <summary>
/// Shows the library's warnings and errors (unreachable brokers, failed commits, dead letters, retried batches) as
/// one line each on standard error, <c>COMMAND: warning: message</c>; less severe entries are dropped, and a line
/// already shown is not shown again (a broker that stays down is reported once, not at every reconnect). The
/// packages log configurations and connection strings only with their secrets masked; what librdkafka itself says
/// (a broker name with its user information, say) is masked by the run's redactor, which every line written to
/// standard error passes (<see cref="Redaction.RedactingWriter"/>).
/// </summary>
/// <param name="error">Standard error.</param>
/// <param name="label">The command's name, the prefix of each line.</param>
/// <param name="minimum">The least severe level shown.</param>
internal sealed class StandardErrorLoggerFactory(TextWriter error, string label, LogLevel minimum = LogLevel.Warning) : ILoggerFactory
{
    private const int MaxRemembered = 1000;

    /// <summary>The event id of the pipeline's "Pipeline failed" entry: the command reports that failure itself, as its last line.</summary>
    private const int PipelineFailedEventId = 1012;

    private readonly Lock _lock = new();
    private readonly HashSet<string> _shown = new(StringComparer.Ordinal);

    /// <summary>Gets the least severe level shown.</summary>
    public LogLevel Minimum => minimum;

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider)
    {
        // One fixed destination; providers are not supported.
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private void Write(LogLevel level, string message, Exception? exception)
    {
        string kind = level >= LogLevel.Error ? "error" : "warning";
        string line = exception is null || message.Contains(exception.Message, StringComparison.Ordinal)
            ? $"{label}: {kind}: {message}"
            : $"{label}: {kind}: {message} ({exception.Message})";
        using var held = _lock.EnterScope();
        if (_shown.Count < MaxRemembered ? !_shown.Add(line) : _shown.Contains(line))
            return;
        error.WriteLine(line.ReplaceLineEndings(" "));
    }

    private sealed class Logger(StandardErrorLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= factory.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel) && eventId.Id != PipelineFailedEventId)
                factory.Write(logLevel, formatter(state, exception), exception);
        }
    }
}
