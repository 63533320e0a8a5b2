namespace CallStream.Rules;

/// <summary>What a <see cref="SourceEvent"/> carries.</summary>
public enum SourceEventKind
{
    /// <summary>An interaction read from a partition.</summary>
    Interaction,

    /// <summary>A partition was assigned: it holds the watermark until it delivers or goes idle.</summary>
    PartitionAssigned,

    /// <summary>A partition is caught up (nothing more to read for now); after the idle timeout it stops holding the watermark.</summary>
    PartitionCaughtUp,

    /// <summary>A partition has new data to read: it holds the watermark again.</summary>
    PartitionHasData,

    /// <summary>A partition was revoked: it no longer holds the watermark.</summary>
    PartitionRevoked,
}

/// <summary>
/// One notification of a partitioned source for <see cref="AlertDetection.DetectAlerts(IObservable{SourceEvent}, RuleSet, RuleEngineOptions?)"/>:
/// an interaction, or a change in a partition's state (assigned, caught up, has data, revoked). Data and signals
/// travel in one stream so that their order is kept.
/// </summary>
public readonly record struct SourceEvent
{
    private SourceEvent(SourceEventKind kind, PartitionedInteraction item)
    {
        Kind = kind;
        Item = item;
    }

    /// <summary>Gets what the notification carries.</summary>
    public SourceEventKind Kind { get; }

    /// <summary>Gets the interaction and its partition; for signals only <see cref="PartitionedInteraction.Partition"/> is set.</summary>
    public PartitionedInteraction Item { get; }

    /// <summary>Gets the partition concerned.</summary>
    public int Partition => Item.Partition;

    /// <summary>Creates the notification of an interaction.</summary>
    /// <param name="item">The interaction, its partition and offset.</param>
    /// <returns>The notification.</returns>
    /// <exception cref="ArgumentException">The item has no interaction.</exception>
    public static SourceEvent Of(PartitionedInteraction item) =>
        item.Interaction is null ? throw new ArgumentException("The event has no interaction.", nameof(item)) : new(SourceEventKind.Interaction, item);

    /// <summary>Creates the notification of an interaction.</summary>
    /// <param name="interaction">The interaction.</param>
    /// <param name="partition">Its partition.</param>
    /// <param name="offset">Its offset in the partition, or -1.</param>
    /// <returns>The notification.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="interaction"/> is null.</exception>
    public static SourceEvent Of(Interaction interaction, int partition, long offset = -1)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        return new(SourceEventKind.Interaction, new PartitionedInteraction(interaction, partition, offset));
    }

    /// <summary>Creates the notification that a partition was assigned.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The notification.</returns>
    public static SourceEvent Assigned(int partition) => Signal(SourceEventKind.PartitionAssigned, partition);

    /// <summary>Creates the notification that a partition is caught up.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The notification.</returns>
    public static SourceEvent CaughtUp(int partition) => Signal(SourceEventKind.PartitionCaughtUp, partition);

    /// <summary>Creates the notification that a partition has new data.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The notification.</returns>
    public static SourceEvent HasData(int partition) => Signal(SourceEventKind.PartitionHasData, partition);

    /// <summary>Creates the notification that a partition was revoked.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The notification.</returns>
    public static SourceEvent Revoked(int partition) => Signal(SourceEventKind.PartitionRevoked, partition);

    private static SourceEvent Signal(SourceEventKind kind, int partition) => new(kind, new PartitionedInteraction(null!, partition));
}
