namespace CallStream.Cli.Commands;

/// <summary>
/// Writes alerts on a worker thread, in the order the engine delivers them: the engine collects a batch's alerts
/// (<see cref="Add"/>) and hands them over (<see cref="HandOverAsync"/>) through a bounded queue.
/// </summary>
internal sealed class AlertWriter : IAsyncDisposable
{
    private readonly System.Threading.Channels.Channel<List<Alert>> _queue =
        System.Threading.Channels.Channel.CreateBounded<List<Alert>>(
            new System.Threading.Channels.BoundedChannelOptions(BatchReader.QueuedBatches) { SingleReader = true, SingleWriter = true });

    private readonly Task _writer;
    private List<Alert> _pending = [];

    public AlertWriter(AlertOutput output, CancellationToken cancellationToken) =>
        _writer = Task.Run(
            async () =>
            {
                try
                {
                    while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        while (_queue.Reader.TryRead(out var alerts))
                        {
                            foreach (var alert in alerts)
                                output.Write(alert);
                        }
                    }
                }
                catch (Exception e)
                {
                    _queue.Writer.TryComplete(e); // the engine side stops handing over and surfaces this
                    throw;
                }
            },
            cancellationToken);

    /// <summary>Collects an alert of the current batch (the engine's callback).</summary>
    public void Add(Alert alert) => _pending.Add(alert);

    /// <summary>Hands the alerts collected so far to the writer.</summary>
    public async ValueTask HandOverAsync()
    {
        if (_pending.Count == 0)
            return;
        var alerts = _pending;
        _pending = [];
        try
        {
            await _queue.Writer.WriteAsync(alerts).ConfigureAwait(false);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            await _writer.ConfigureAwait(false); // throws the writer's exception
            throw;
        }
    }

    /// <summary>Hands over the last alerts and waits until every alert is written.</summary>
    public async Task CompleteAsync()
    {
        await HandOverAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    /// <summary>Stops the writer when the replay ends early (an error already on its way), so it does not outlive the output.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
