using System.Collections.Concurrent;

namespace CallStream.Kafka.Tests.Support;

/// <summary>Reads a source in the background as a pipeline would, recording every event in arrival order.</summary>
internal sealed class SourceRun : IAsyncDisposable
{
    private readonly ConcurrentQueue<InteractionSourceEvent> _events = new();
    private readonly CancellationTokenSource _stop = new();

    public SourceRun(KafkaInteractionSource source, InteractionSourceHandlers? handlers = null, Action<InteractionSourceEvent>? onEvent = null)
    {
        Source = source;
        Completion = Task.Run(async () =>
        {
            await foreach (var e in source.ReadAsync(handlers, _stop.Token))
            {
                _events.Enqueue(e);
                onEvent?.Invoke(e);
            }
        });
    }

    public KafkaInteractionSource Source { get; }

    public Task Completion { get; }

    public IReadOnlyList<InteractionSourceEvent> Events => [.. _events];

    public IReadOnlyList<InteractionSourceEvent> Records => [.. _events.Where(e => e.Kind == InteractionSourceEventKind.Record)];

    public IReadOnlyList<InteractionSourceEvent> OfKind(InteractionSourceEventKind kind) => [.. _events.Where(e => e.Kind == kind)];

    public void WaitFor(Func<IReadOnlyList<InteractionSourceEvent>, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.Holds(() =>
        {
            if (Completion.IsFaulted)
                throw new InvalidOperationException("The source failed.", Completion.Exception);
            return condition(Events);
        }, timeout ?? Eventually.Generous, what);

    public void WaitForRecords(int count) =>
        WaitFor(events => events.Count(e => e.Kind == InteractionSourceEventKind.Record) >= count, $"{count} records");

    /// <summary>Stops reading gracefully and waits for the stream to end.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Completion.WaitAsync(Eventually.Generous);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Completion.WaitAsync(Eventually.Generous);
        }
        catch (Exception) when (Completion.IsFaulted)
        {
            // Reported by the test that looks at Completion.
        }

        await Source.DisposeAsync();
        _stop.Dispose();
    }
}
