using System.Runtime.ExceptionServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// A dedicated thread that runs one shard's part of each batch for <see cref="ShardedEvaluator"/> when told to, and
/// reports when it is done (with the exception it threw, if any).
/// </summary>
/// <remarks>
/// A thread of its own rather than the thread pool: a batch must not wait behind other work queued on the pool (or
/// starve it, blocking a pool thread per batch), and the hand-over is two events whose short spin covers the common
/// case where the other side is about to finish. Background, so an engine that is never disposed does not keep a
/// process alive; <see cref="Dispose"/> ends and joins it.
/// </remarks>
internal sealed class ShardWorker : IDisposable
{
    private readonly ManualResetEventSlim _start = new(false);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly Action _work;
    private readonly Thread _thread;
    private ExceptionDispatchInfo? _failure;
    private volatile bool _stopping;

    /// <summary>Starts the thread, waiting for the first <see cref="Start"/>.</summary>
    /// <param name="name">The thread's name.</param>
    /// <param name="work">What to run on each <see cref="Start"/>.</param>
    public ShardWorker(string name, Action work)
    {
        _work = work;
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Gets whether the thread is still running (for tests of <see cref="Dispose"/>).</summary>
    public bool IsAlive => _thread.IsAlive;

    /// <summary>Lets the thread run the work once; call <see cref="Wait"/> before the next start.</summary>
    public void Start()
    {
        _done.Reset();
        _start.Set();
    }

    /// <summary>Waits until the work started last has ended.</summary>
    /// <returns>What the work threw, or <see langword="null"/>.</returns>
    public ExceptionDispatchInfo? Wait()
    {
        _done.Wait();
        var failure = _failure;
        _failure = null;
        return failure;
    }

    /// <summary>Ends the thread (between two runs of the work) and waits for it.</summary>
    public void Dispose()
    {
        _stopping = true;
        _start.Set();
        _thread.Join();
        _start.Dispose();
        _done.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _start.Wait();
            _start.Reset();
            if (_stopping)
                return;
            try
            {
                _work();
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            _done.Set();
        }
    }
}
