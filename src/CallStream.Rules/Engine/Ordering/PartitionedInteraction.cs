namespace CallStream.Rules;

/// <summary>An interaction as a partitioned source delivers it: with its partition, its position there, and whether it is replayed for warm-up only.</summary>
/// <param name="Interaction">The interaction.</param>
/// <param name="Partition">The source partition (for example a Kafka partition); 0 for a single, unpartitioned source.</param>
/// <param name="Offset">The position in the partition (for example a Kafka offset), carried through for checkpointing; -1 when not known.</param>
/// <param name="WarmUp">
/// Whether the event is replayed only to rebuild state (its alerts were already emitted before a restart):
/// rules update windows and suppression as usual but emit no alert for it.
/// </param>
public readonly record struct PartitionedInteraction(Interaction Interaction, int Partition = 0, long Offset = -1, bool WarmUp = false);
