using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;

namespace CallStream.Rules;

/// <summary>Writes an observable into an <see cref="IBatchedSink{T}"/> (for example the alerts of <see cref="AlertDetection.DetectAlerts(IObservable{Interaction}, RuleSet, RuleEngineOptions?)"/> into a file or a database).</summary>
public static class BatchedSinkObservable
{
    /// <summary>The most items a batch holds by default.</summary>
    public const int DefaultMaxBatchSize = 1000;

    /// <summary>
    /// Subscribes to <paramref name="source"/> and writes its items to <paramref name="sink"/> in batches of at most
    /// <see cref="DefaultMaxBatchSize"/> items, at least once a second while items arrive, timed on
    /// <see cref="Scheduler.Default"/>.
    /// </summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="sink">The sink.</param>
    /// <param name="cancellationToken">Unsubscribes and cancels the write in progress.</param>
    /// <returns>A task that completes when the source completed and every batch is written; it fails with the source's
    /// error or the sink's (which ends the subscription), and is cancelled by <paramref name="cancellationToken"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="sink"/> is null.</exception>
    public static Task WriteToAsync<T>(this IObservable<T> source, IBatchedSink<T> sink, CancellationToken cancellationToken = default) =>
        WriteToAsync(source, sink, DefaultMaxBatchSize, TimeSpan.FromSeconds(1), Scheduler.Default, cancellationToken);

    /// <summary>
    /// Subscribes to <paramref name="source"/> and writes its items to <paramref name="sink"/> in batches, one batch at a
    /// time and in order. A batch is written when it holds <paramref name="maxBatchSize"/> items, when
    /// <paramref name="maxDelay"/> has passed on <paramref name="scheduler"/>, and when the source completes.
    /// </summary>
    /// <remarks>Rx has no back-pressure: while the sink is slower than the source, batches wait in memory. A failed write
    /// is not retried here; wrap the sink to retry, or host the rules in <c>AddCallStream</c>, whose sinks retry with backoff.</remarks>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The items.</param>
    /// <param name="sink">The sink.</param>
    /// <param name="maxBatchSize">The most items in a batch.</param>
    /// <param name="maxDelay">The longest an item waits for its batch to fill.</param>
    /// <param name="scheduler">The scheduler that times <paramref name="maxDelay"/>.</param>
    /// <param name="cancellationToken">Unsubscribes and cancels the write in progress.</param>
    /// <returns>A task that completes when the source completed and every batch is written; it fails with the source's
    /// error or the sink's (which ends the subscription), and is cancelled by <paramref name="cancellationToken"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/>, <paramref name="sink"/> or <paramref name="scheduler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatchSize"/> or <paramref name="maxDelay"/> is not positive.</exception>
    public static Task WriteToAsync<T>(this IObservable<T> source, IBatchedSink<T> sink, int maxBatchSize, TimeSpan maxDelay, IScheduler scheduler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxDelay, TimeSpan.Zero);
        return source
            .Buffer(maxDelay, maxBatchSize, scheduler)
            .Where(static batch => batch.Count > 0)
            .Select(batch => Observable.FromAsync(ct => sink.WriteBatchAsync(batch as IReadOnlyList<T> ?? [.. batch], ct).AsTask()))
            .Concat()
            .LastOrDefaultAsync()
            .Select(static _ => Unit.Default)
            .ToTask(cancellationToken);
    }
}
