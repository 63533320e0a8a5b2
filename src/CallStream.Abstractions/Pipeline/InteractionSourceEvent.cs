namespace CallStream;

/// <summary>
/// One event of an <see cref="IInteractionSource"/>: a record, a record set aside, a change in a partition's state
/// (assigned, revoked, lost, caught up, active again), or the end of a bounded input. Events of one partition arrive in order.
/// </summary>
/// <remarks>A small struct so that reading a record allocates nothing beyond the interaction itself. Members that do
/// not apply to an event's <see cref="Kind"/> hold -1, <see langword="default"/> or <see langword="null"/>.</remarks>
public readonly struct InteractionSourceEvent : IEquatable<InteractionSourceEvent>
{
    private InteractionSourceEvent(InteractionSourceEventKind kind, int partition, long offset, long committedOffset, DateTimeOffset timestamp, Interaction? interaction, string? reason, int upstream = -1, long upstreamOffset = -1)
    {
        UpstreamPartition = upstream;
        UpstreamOffset = upstreamOffset;
        Kind = kind;
        Partition = partition;
        Offset = offset;
        CommittedOffset = committedOffset;
        Timestamp = timestamp;
        Interaction = interaction;
        Reason = reason;
    }

    /// <summary>Gets what the event reports.</summary>
    public InteractionSourceEventKind Kind { get; }

    /// <summary>Gets the partition the event is about.</summary>
    public int Partition { get; }

    /// <summary>Gets the record's offset (<see cref="InteractionSourceEventKind.Record"/>, <see cref="InteractionSourceEventKind.DeadLettered"/>),
    /// the offset reading starts at (<see cref="InteractionSourceEventKind.PartitionAssigned"/>, -1 when unknown), or the end of
    /// the partition (<see cref="InteractionSourceEventKind.PartitionCaughtUp"/>); -1 otherwise.</summary>
    public long Offset { get; }

    /// <summary>Gets the consumer group's committed offset of the partition for <see cref="InteractionSourceEventKind.PartitionAssigned"/>
    /// (-1 when there is none); -1 otherwise.</summary>
    public long CommittedOffset { get; }

    /// <summary>Gets the record's timestamp as the source stored it (for Kafka, the message timestamp) for
    /// <see cref="InteractionSourceEventKind.Record"/> and <see cref="InteractionSourceEventKind.DeadLettered"/>; <see langword="default"/> otherwise.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the interaction of a <see cref="InteractionSourceEventKind.Record"/>; <see langword="null"/> otherwise.</summary>
    public Interaction? Interaction { get; }

    /// <summary>Gets why a record was set aside (<see cref="InteractionSourceEventKind.DeadLettered"/>) or why a partition turned
    /// active again (<see cref="InteractionSourceEventKind.PartitionActive"/>); <see langword="null"/> otherwise.</summary>
    public string? Reason { get; }

    /// <summary>
    /// For a record or progress marker read from a repartition topic: the partition of the source topic it came from,
    /// which the reader of that topic keeps as an input channel of its own; -1 otherwise.
    /// </summary>
    internal int UpstreamPartition { get; }

    /// <summary>
    /// For a record read from a repartition topic: its offset in the source partition, so that the reader can tell a copy
    /// forwarded again (by a forwarder that took the source partition over from before the last commit) from a new
    /// record; -1 otherwise or when the forwarder did not say.
    /// </summary>
    internal long UpstreamOffset { get; }

    /// <summary>Creates a <see cref="InteractionSourceEventKind.Record"/> event.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <param name="timestamp">The record's timestamp.</param>
    /// <param name="interaction">The interaction.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="interaction"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The partition or offset is negative.</exception>
    public static InteractionSourceEvent Record(int partition, long offset, DateTimeOffset timestamp, Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        CheckPartition(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new(InteractionSourceEventKind.Record, partition, offset, -1, timestamp, interaction, null);
    }

    /// <summary>Creates a <see cref="InteractionSourceEventKind.DeadLettered"/> event.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <param name="timestamp">The record's timestamp.</param>
    /// <param name="reason">Why the record was set aside.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The partition or offset is negative.</exception>
    public static InteractionSourceEvent DeadLettered(int partition, long offset, DateTimeOffset timestamp, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        CheckPartition(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        return new(InteractionSourceEventKind.DeadLettered, partition, offset, -1, timestamp, null, reason);
    }

    /// <summary>Creates a <see cref="InteractionSourceEventKind.PartitionAssigned"/> event.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="startOffset">Where reading starts, or -1 when the source's reset policy decides.</param>
    /// <param name="committedOffset">The group's committed offset, or -1 when there is none.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The partition is negative or an offset is below -1.</exception>
    public static InteractionSourceEvent PartitionAssigned(int partition, long startOffset, long committedOffset)
    {
        CheckPartition(partition);
        ArgumentOutOfRangeException.ThrowIfLessThan(startOffset, -1);
        ArgumentOutOfRangeException.ThrowIfLessThan(committedOffset, -1);
        return new(InteractionSourceEventKind.PartitionAssigned, partition, startOffset, committedOffset, default, null, null);
    }

    /// <summary>Creates a <see cref="InteractionSourceEventKind.PartitionRevoked"/> event.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The partition is negative.</exception>
    public static InteractionSourceEvent PartitionRevoked(int partition) => StateChange(InteractionSourceEventKind.PartitionRevoked, partition, -1, null);

    /// <summary>Creates a <see cref="InteractionSourceEventKind.PartitionLost"/> event.</summary>
    /// <param name="partition">The partition.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The partition is negative.</exception>
    public static InteractionSourceEvent PartitionLost(int partition) => StateChange(InteractionSourceEventKind.PartitionLost, partition, -1, null);

    /// <summary>Creates a <see cref="InteractionSourceEventKind.PartitionCaughtUp"/> event.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="endOffset">The end of the partition the broker reported, which the source has read up to.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The partition or offset is negative.</exception>
    public static InteractionSourceEvent PartitionCaughtUp(int partition, long endOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(endOffset);
        return StateChange(InteractionSourceEventKind.PartitionCaughtUp, partition, endOffset, null);
    }

    /// <summary>Creates a <see cref="InteractionSourceEventKind.PartitionActive"/> event.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="reason">Why the partition is no longer caught up.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The partition is negative.</exception>
    public static InteractionSourceEvent PartitionActive(int partition, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return StateChange(InteractionSourceEventKind.PartitionActive, partition, -1, reason);
    }

    /// <summary>Creates a <see cref="InteractionSourceEventKind.Progress"/> event: the partition has delivered every event up to <paramref name="eventTime"/>.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="eventTime">The event time it has reached.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partition"/> is negative.</exception>
    public static InteractionSourceEvent Progress(int partition, DateTimeOffset eventTime)
    {
        CheckPartition(partition);
        return new(InteractionSourceEventKind.Progress, partition, -1, -1, eventTime, null, null);
    }

    /// <summary>Creates a record of a repartition topic, read at <paramref name="offset"/> of <paramref name="partition"/>, that came
    /// from offset <paramref name="upstreamOffset"/> of source partition <paramref name="upstream"/>.</summary>
    internal static InteractionSourceEvent RepartitionedRecord(int partition, long offset, DateTimeOffset timestamp, Interaction interaction, int upstream, long upstreamOffset) =>
        new(InteractionSourceEventKind.Record, partition, offset, -1, timestamp, interaction, null, upstream, upstreamOffset);

    /// <summary>
    /// Creates a progress marker read at <paramref name="offset"/> of a repartition topic's <paramref name="partition"/>:
    /// source partition <paramref name="upstream"/> has been read up to <paramref name="eventTime"/>, and is caught up
    /// when <paramref name="caughtUp"/> (then <see cref="Reason"/> is "caught up").
    /// </summary>
    internal static InteractionSourceEvent UpstreamProgress(int partition, long offset, int upstream, DateTimeOffset eventTime, bool caughtUp) =>
        new(InteractionSourceEventKind.Progress, partition, offset, -1, eventTime, null, caughtUp ? CaughtUpReason : null, upstream);

    /// <summary>The <see cref="Reason"/> of a progress marker whose source partition is caught up.</summary>
    internal const string CaughtUpReason = "caught up";

    /// <summary>Creates an <see cref="InteractionSourceEventKind.EndOfInput"/> event: a bounded source has no more records.</summary>
    /// <returns>The event.</returns>
    public static InteractionSourceEvent EndOfInput() => new(InteractionSourceEventKind.EndOfInput, -1, -1, -1, default, null, null);

    /// <inheritdoc/>
    public bool Equals(InteractionSourceEvent other) =>
        Kind == other.Kind && Partition == other.Partition && Offset == other.Offset && CommittedOffset == other.CommittedOffset
        && Timestamp.Equals(other.Timestamp) && Equals(Interaction, other.Interaction) && string.Equals(Reason, other.Reason, StringComparison.Ordinal)
        && UpstreamPartition == other.UpstreamPartition && UpstreamOffset == other.UpstreamOffset;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is InteractionSourceEvent other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(HashCode.Combine(Kind, Partition, Offset, CommittedOffset, Timestamp, Interaction, Reason), UpstreamPartition, UpstreamOffset);

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        InteractionSourceEventKind.Record => $"record {Partition}:{Offset} {Interaction!.InteractionId}",
        InteractionSourceEventKind.DeadLettered => $"dead-lettered {Partition}:{Offset}: {Reason}",
        InteractionSourceEventKind.PartitionAssigned => $"assigned {Partition} from {Offset} (committed {CommittedOffset})",
        InteractionSourceEventKind.PartitionCaughtUp => $"caught up {Partition} at {Offset}",
        InteractionSourceEventKind.PartitionActive => $"active {Partition}: {Reason}",
        InteractionSourceEventKind.EndOfInput => "end of input",
        InteractionSourceEventKind.Progress => $"progress {Partition} to {Timestamp:O}",
        _ => $"{Kind} {Partition}",
    };

    /// <summary>Tells whether two events are equal.</summary>
    /// <param name="left">One event.</param>
    /// <param name="right">The other event.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(InteractionSourceEvent left, InteractionSourceEvent right) => left.Equals(right);

    /// <summary>Tells whether two events differ.</summary>
    /// <param name="left">One event.</param>
    /// <param name="right">The other event.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(InteractionSourceEvent left, InteractionSourceEvent right) => !left.Equals(right);

    private static InteractionSourceEvent StateChange(InteractionSourceEventKind kind, int partition, long offset, string? reason)
    {
        CheckPartition(partition);
        return new(kind, partition, offset, -1, default, null, reason);
    }

    private static void CheckPartition(int partition, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(partition))] string? name = null) =>
        ArgumentOutOfRangeException.ThrowIfNegative(partition, name);
}
