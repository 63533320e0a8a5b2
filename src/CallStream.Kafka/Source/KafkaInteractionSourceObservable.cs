using System.Reactive.Linq;

namespace CallStream.Kafka;

/// <summary>A Kafka topic as an observable, to compose with Rx operators such as <c>DetectAlerts</c>.</summary>
public static class KafkaInteractionSourceObservable
{
    /// <summary>
    /// Reads the source when the observable is subscribed: its records and partition events (assigned, caught up,
    /// active, revoked, lost, dead-lettered) in the order the source reports them, what
    /// <c>DetectAlerts(IObservable&lt;InteractionSourceEvent&gt;, ...)</c> takes to hold its watermark for every assigned
    /// partition. For the interactions alone: <c>.Where(e =&gt; e.Kind == InteractionSourceEventKind.Record).Select(e =&gt; e.Interaction!)</c>.
    /// </summary>
    /// <remarks>
    /// Notifications arrive on the source's reading thread, one at a time; the source reads the next record once
    /// <c>OnNext</c> returns. Disposing the subscription stops reading gracefully: the partitions are revoked (through
    /// <paramref name="handlers"/>) and the offsets stored with <see cref="KafkaInteractionSource.StoreOffset"/> are
    /// committed; dispose the source afterwards to wait for that and release its clients. To end the sequence normally
    /// (so that <c>DetectAlerts</c> evaluates what it holds), complete it with <c>TakeUntil</c>. A source fails for good
    /// through <c>OnError</c>.
    /// </remarks>
    /// <param name="source">The source; a source is read once, so a second subscription fails with an
    /// <see cref="InvalidOperationException"/> through <c>OnError</c>.</param>
    /// <param name="handlers">Callbacks for partition hand-overs (for example, where a newly assigned partition starts),
    /// or <see langword="null"/> for none.</param>
    /// <returns>The source's events.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IObservable<InteractionSourceEvent> ToObservable(this KafkaInteractionSource source, InteractionSourceHandlers? handlers = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Observable.Create<InteractionSourceEvent>(async (observer, cancellationToken) =>
        {
            await foreach (var e in source.ReadAsync(handlers, cancellationToken).ConfigureAwait(false))
                observer.OnNext(e);
        });
    }
}
