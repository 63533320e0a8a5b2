using CallStream.Csv;

namespace CallStream.Cli.Commands;

/// <summary>
/// Reads a log on a worker thread, from construction on, in batches of <see cref="BatchSize"/> handed over through
/// a bounded queue (memory stays flat). Disposing stops the worker and waits for it, so the reader can be
/// disposed next.
/// </summary>
internal sealed class BatchReader : IAsyncDisposable
{
    // Small batches and a short queue: every interaction in flight survives the young-generation collections that
    // happen meanwhile, and with thousands in flight each of them was promoted and then collected again (11 of 12
    // collections of a million-row replay were gen-1, 0.14-0.28 s of pauses, against 0.02 s with these sizes).
    internal const int BatchSize = 1024;
    internal const int QueuedBatches = 4;

    private readonly System.Threading.Channels.Channel<Interaction[]> _queue =
        System.Threading.Channels.Channel.CreateBounded<Interaction[]>(
            new System.Threading.Channels.BoundedChannelOptions(QueuedBatches) { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _stop;
    private readonly Task _producer;

    public BatchReader(CsvInteractionReader reader, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        _producer = Task.Run(
            async () =>
            {
                try
                {
                    while (true)
                    {
                        var batch = new Interaction[BatchSize];
                        int n = Fill(reader, batch);
                        if (n > 0)
                            await _queue.Writer.WriteAsync(n == BatchSize ? batch : batch[..n], token).ConfigureAwait(false);
                        if (n < BatchSize)
                            break;
                    }
                }
                finally
                {
                    _queue.Writer.TryComplete();
                }
            },
            token);
    }

    /// <summary>
    /// Reads up to a batch of interactions: the per-row loop, in a plain method compiled optimised from its first
    /// call (an iterator or async loop would run unoptimised code for the first few hundred milliseconds).
    /// </summary>
    /// <returns>How many were read; fewer than the batch holds at the end of the input.</returns>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Fill(CsvInteractionReader reader, Interaction[] batch)
    {
        int n = 0;
        while (n < batch.Length && reader.Read() is { } interaction)
            batch[n++] = interaction;
        return n;
    }

    /// <summary>Gets the next batch, or <see langword="null"/> at the end; throws what the reading threw (strict mode, bad header, I/O).</summary>
    public async ValueTask<Interaction[]?> NextAsync()
    {
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (_queue.Reader.TryRead(out var batch))
            {
                _stop.Token.ThrowIfCancellationRequested();
                return batch;
            }
        }
        await _producer.ConfigureAwait(false);
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
