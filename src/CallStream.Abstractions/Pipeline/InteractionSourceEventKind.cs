namespace CallStream;

/// <summary>What a <see cref="InteractionSourceEvent"/> reports.</summary>
public enum InteractionSourceEventKind
{
    /// <summary>A valid interaction was read: <see cref="InteractionSourceEvent.Partition"/>, <see cref="InteractionSourceEvent.Offset"/>,
    /// <see cref="InteractionSourceEvent.Timestamp"/> and <see cref="InteractionSourceEvent.Interaction"/> are set.</summary>
    Record = 0,

    /// <summary>A record that is not a valid interaction was set aside (for Kafka, published to the dead-letter topic).
    /// Its offset counts as processed at once: begin and complete it in the checkpoint like a record with no outputs.
    /// <see cref="InteractionSourceEvent.Reason"/> says why.</summary>
    DeadLettered = 1,

    /// <summary>The source now reads the partition. <see cref="InteractionSourceEvent.Offset"/> is where reading starts (or -1 when
    /// the source's reset policy decides) and <see cref="InteractionSourceEvent.CommittedOffset"/> the group's committed offset
    /// (or -1 when there is none).</summary>
    PartitionAssigned = 2,

    /// <summary>The source gave the partition up in an orderly way (rebalance or shutdown), after the revoking
    /// handler (<see cref="InteractionSourceHandlers.OnRevoking"/>) returned and the stored offsets were committed. No more
    /// events of the partition follow until it is assigned again.</summary>
    PartitionRevoked = 3,

    /// <summary>The source lost the partition without an orderly hand-over (for Kafka, it fell out of its consumer
    /// group): nothing was committed for it, and its next owner replays from the last committed offset.</summary>
    PartitionLost = 4,

    /// <summary>The source has read everything in the partition up to the end the broker reported
    /// (<see cref="InteractionSourceEvent.Offset"/> is that end): the partition is idle and need not hold the event-time
    /// watermark back until it turns active again.</summary>
    PartitionCaughtUp = 5,

    /// <summary>A caught-up partition may have more to read again — a new record arrived, or its broker became
    /// unreachable so the source can no longer tell — and holds the watermark back again.</summary>
    PartitionActive = 6,

    /// <summary>A bounded source (a file) has no more records: everything it will ever hold was read. A reader evaluates
    /// the events it still holds for event-time ordering, as at the end of a replay, and stops; the source ends its
    /// sequence next. <see cref="InteractionSourceEvent.Partition"/> and <see cref="InteractionSourceEvent.Offset"/> are -1.
    /// An unbounded source (Kafka) never reports it.</summary>
    EndOfInput = 7,

    /// <summary>The partition has delivered every event up to <see cref="InteractionSourceEvent.Timestamp"/> in event time,
    /// without a record to show it: a progress marker that an upstream stage wrote into a repartition topic so that the
    /// event-time watermark can move on while other keys' events are still in flight elsewhere.
    /// <see cref="InteractionSourceEvent.Offset"/> is -1.</summary>
    Progress = 8,
}
