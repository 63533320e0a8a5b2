namespace CallStream.Rules.Engine;

/// <summary>
/// A dedicated thread that helps <see cref="ShardedEvaluator"/> with each batch: woken when a batch is ready, it takes
/// shards to run until none is left, then sleeps again.
/// </summary>
/// <remarks>
/// A thread of its own rather than the thread pool: a batch must not wait behind other work queued on the pool, nor
/// hold a pool thread. The work it is given claims shards itself and never waits for this thread, so a wake-up that
/// comes late (the core busy with something else) or finds the batch done costs nothing but the wake-up. Background,
/// so an engine that is never disposed does not keep a process alive; <see cref="Dispose"/> ends and joins it.
/// </remarks>
internal sealed class ShardWorker : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Action _work;
    private readonly Thread _thread;
    private volatile bool _stopping;

    /// <summary>Starts the thread, asleep until the first <see cref="Wake"/>.</summary>
    /// <param name="name">The thread's name.</param>
    /// <param name="work">What to run on each wake-up; it must not throw.</param>
    public ShardWorker(string name, Action work)
    {
        _work = work;
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Gets whether the thread is still running (for tests of <see cref="Dispose"/>).</summary>
    public bool IsAlive => _thread.IsAlive;

    /// <summary>Wakes the thread to run the work once more.</summary>
    public void Wake() => _wake.Release();

    /// <summary>Ends the thread (after the work it is running, if any) and waits for it.</summary>
    public void Dispose()
    {
        _stopping = true;
        _wake.Release();
        _thread.Join();
        _wake.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _wake.Wait();
            if (_stopping)
                return;
            _work();
        }
    }
}
