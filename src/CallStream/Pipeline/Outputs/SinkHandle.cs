using Microsoft.Extensions.Logging;

namespace CallStream.Pipeline;

/// <summary>A sink as added to a pipeline, and its batching sink once the pipeline runs.</summary>
internal sealed class SinkHandle(string name, string kind, IBatchedSink<Alert>? alertSink, IBatchedSink<Interaction>? interactionSink, BatchingOptions? batching)
{
    public const string AlertsKind = "alerts";
    public const string InteractionsKind = "interactions";

    private static readonly Task Never = new TaskCompletionSource().Task;

    public string Name { get; } = name;

    public string Kind { get; } = kind;

    public BatchingOptions? Batching { get; } = batching;

    public BatchingSink<Alert>? Alerts { get; private set; }

    public BatchingSink<Interaction>? Interactions { get; private set; }

    public Task Completion => Alerts?.Completion ?? Interactions?.Completion ?? Never;

    public void Start(TimeProvider time, ILogger logger)
    {
        if (alertSink is not null)
            Alerts = new BatchingSink<Alert>(alertSink, Name, Batching, time, logger);
        else
            Interactions = new BatchingSink<Interaction>(interactionSink!, Name, Batching, time, logger);
    }

    public Task FlushAsync(CancellationToken cancellationToken) =>
        Alerts?.FlushAsync(cancellationToken) ?? Interactions?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public ValueTask DisposeAsync() => Alerts?.DisposeAsync() ?? Interactions?.DisposeAsync() ?? ValueTask.CompletedTask;

    public SinkStatistics GetStatistics()
    {
        long enqueued = Alerts?.Enqueued ?? Interactions?.Enqueued ?? 0;
        long written = Alerts?.Written ?? Interactions?.Written ?? 0;
        long rejected = Alerts?.Rejected ?? Interactions?.Rejected ?? 0;
        long? alreadyStored = ((object?)alertSink ?? interactionSink) is IDeduplicatingSink counting ? counting.AlreadyStored : null;
        return new SinkStatistics(Name, Kind, enqueued, written, Completion.IsFaulted ? enqueued - written - rejected : 0, rejected, alreadyStored);
    }
}
