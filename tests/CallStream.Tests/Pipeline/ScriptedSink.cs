namespace CallStream.Tests.Pipeline;

/// <summary>A sink that records every call's batch and fails the calls its script says (by call number, from 1).</summary>
internal sealed class ScriptedSink<T>(Func<int, Exception?> failureOfCall) : IBatchedSink<T>
{
    private readonly Lock _lock = new();
    private readonly List<(int Calls, TaskCompletionSource Reached)> _waiters = [];

    public List<List<T>> Batches { get; } = [];

    public int Calls
    {
        get
        {
            lock (_lock)
                return Batches.Count;
        }
    }

    public ValueTask WriteBatchAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        int call;
        lock (_lock)
        {
            Batches.Add([.. batch]);
            call = Batches.Count;
            foreach (var waiter in _waiters.Where(w => w.Calls <= call))
                waiter.Reached.TrySetResult();
            _waiters.RemoveAll(w => w.Calls <= call);
        }
        return failureOfCall(call) is { } failure ? ValueTask.FromException(failure) : ValueTask.CompletedTask;
    }

    /// <summary>Completes once the sink has been called <paramref name="calls"/> times.</summary>
    public Task WaitForCallsAsync(int calls)
    {
        lock (_lock)
        {
            if (Batches.Count >= calls)
                return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((calls, reached));
            return reached.Task;
        }
    }
}
