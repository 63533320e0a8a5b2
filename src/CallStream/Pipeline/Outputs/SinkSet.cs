using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;

namespace CallStream.Pipeline;

/// <summary>The sinks of a pipeline, in the order they were added: their batching sinks' start, flush, failure and close.</summary>
internal sealed class SinkSet
{
    private static readonly Task Never = new TaskCompletionSource().Task;

    private readonly List<SinkHandle> _handles = [];

    /// <summary>Gets the batching alert sinks (empty until started).</summary>
    public BatchingSink<Alert>[] Alerts { get; private set; } = [];

    /// <summary>Gets the batching interaction sinks (empty until started).</summary>
    public BatchingSink<Interaction>[] Interactions { get; private set; } = [];

    /// <summary>Gets a task that completes when any sink ends (a sink ends early only when it failed for good).</summary>
    public Task Fault { get; private set; } = Never;

    public string Names => string.Join(", ", _handles.Select(s => s.Name));

    /// <exception cref="ArgumentException">The name is taken.</exception>
    public void Add(SinkHandle handle)
    {
        if (_handles.Any(s => string.Equals(s.Name, handle.Name, StringComparison.Ordinal)))
            throw new ArgumentException($"A sink named '{handle.Name}' was added already; sink names must be unique.", "name");
        _handles.Add(handle);
    }

    public void Start(TimeProvider time, ILogger logger)
    {
        foreach (var sink in _handles)
            sink.Start(time, logger);
        Alerts = [.. _handles.Select(s => s.Alerts).OfType<BatchingSink<Alert>>()];
        Interactions = [.. _handles.Select(s => s.Interactions).OfType<BatchingSink<Interaction>>()];
        Fault = _handles.Count == 0 ? Never : Task.WhenAny(_handles.Select(s => s.Completion));
    }

    /// <summary>Waits until everything handed to every sink is durable.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) =>
        _handles.Count == 0 ? Task.CompletedTask : Task.WhenAll(_handles.Select(s => s.FlushAsync(cancellationToken)));

    /// <summary>Throws the exception of the first sink that failed for good, if any.</summary>
    public void ThrowIfFailed()
    {
        foreach (var sink in _handles)
        {
            if (sink.Completion.IsFaulted)
                ExceptionDispatchInfo.Throw(sink.Completion.Exception!.InnerException!);
        }
    }

    /// <summary>Gets the exception of the first sink that failed for good, or <see langword="null"/>.</summary>
    public Exception? FirstFailure() => _handles.FirstOrDefault(s => s.Completion.IsFaulted)?.Completion.Exception!.InnerException;

    /// <summary>Disposes every sink (each flushes what it holds); returns the first failure, <paramref name="failure"/> when there was one already.</summary>
    public async Task<Exception?> CloseAsync(Exception? failure)
    {
        foreach (var sink in _handles)
        {
            await sink.DisposeAsync().ConfigureAwait(false);
            if (failure is null && sink.Completion.IsFaulted)
                failure = sink.Completion.Exception!.InnerException;
        }
        return failure;
    }

    public SinkStatistics[] GetStatistics() => [.. _handles.Select(s => s.GetStatistics())];
}
