using System.Threading.Channels;

namespace CallStream.Pipeline;

/// <summary>
/// Requests to the pipeline's loop from other threads — a partition hand-over from the source's handlers, the end of a
/// finite input — and the signal that wakes the loop when one arrives.
/// </summary>
internal sealed class PipelineControl
{
    private readonly Channel<ControlRequest> _requests = System.Threading.Channels.Channel.CreateUnbounded<ControlRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _closed;

    /// <summary>Gets whether the loop has ended and answers no more requests.</summary>
    public bool IsClosed => _closed;

    public bool HasPending => _requests.Reader.TryPeek(out _);

    public void Post(ControlRequest request)
    {
        _requests.Writer.TryWrite(request);
        lock (_lock)
            _signal.TrySetResult();
    }

    public bool TryTake(out ControlRequest request) => _requests.Reader.TryRead(out request!);

    /// <summary>Gets a task that completes when the next request is posted (take it before checking <see cref="HasPending"/>).</summary>
    public Task NextSignal()
    {
        lock (_lock)
        {
            if (_signal.Task.IsCompleted)
                _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _signal.Task;
        }
    }

    /// <summary>Asks the loop to write out and store what was evaluated for partitions being revoked, and waits until it has (unless it has ended).</summary>
    public async ValueTask RevokeAsync(IReadOnlyList<int> partitions, CancellationToken cancellationToken)
    {
        if (_closed)
            return;
        var request = new ControlRequest(ControlKind.Revoke, partitions);
        Post(request);
        if (_closed)
            return; // the loop has ended and will not answer; what it stored stays stored
        await request.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the loop ended and answers what is still queued, so no one waits for it.</summary>
    public void Close()
    {
        _closed = true;
        while (_requests.Reader.TryRead(out var request))
            request.Done.TrySetResult();
    }
}

/// <summary>What a <see cref="ControlRequest"/> asks of the loop.</summary>
internal enum ControlKind
{
    /// <summary>Partitions are being revoked: write out and store what was evaluated for them.</summary>
    Revoke,

    /// <summary>The input is finished: evaluate the held events, write everything out, stop.</summary>
    Complete,
}

/// <summary>A request to the pipeline's loop, answered through <see cref="Done"/>.</summary>
internal sealed record ControlRequest(ControlKind Kind, IReadOnlyList<int> Partitions)
{
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
