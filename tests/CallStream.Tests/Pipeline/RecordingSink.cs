namespace CallStream.Tests.Pipeline;

/// <summary>A sink that records its batches, can be made to fail or to block, and signals each call.</summary>
internal sealed class RecordingSink<T> : IBatchedSink<T>
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<List<T>> Batches { get; } = [];

    public int Calls;

    public int FailuresToInject;

    public TaskCompletionSource? Gate;

    public Func<DateTimeOffset>? Clock;

    public List<DateTimeOffset> CallTimes { get; } = [];

    public Task NextCall
    {
        get
        {
            lock (_lock)
                return _called.Task;
        }
    }

    public async ValueTask WriteBatchAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Calls);
        lock (_lock)
        {
            if (Clock is not null)
                CallTimes.Add(Clock());
            var called = _called;
            _called = new(TaskCreationOptions.RunContinuationsAsynchronously);
            called.TrySetResult();
        }
        if (Gate is { } gate)
            await gate.Task.ConfigureAwait(false);
        if (Interlocked.Decrement(ref FailuresToInject) >= 0)
            throw new IOException("injected failure");
        lock (_lock)
            Batches.Add([.. batch]);
    }

    public List<T> All()
    {
        lock (_lock)
            return Batches.SelectMany(b => b).ToList();
    }
}
