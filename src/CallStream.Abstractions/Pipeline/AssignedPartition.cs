namespace CallStream;

/// <summary>A partition a source was just given, passed to <see cref="InteractionSourceHandlers.OnAssigned"/>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="CommittedOffset">The consumer group's committed offset of the partition — where reading resumes
/// unless the handler says otherwise — or -1 when there is none.</param>
public readonly record struct AssignedPartition(int Partition, long CommittedOffset)
{
    /// <summary>Gets the event-time position the source stored with <see cref="CommittedOffset"/>
    /// (<see cref="IInteractionSource.StorePosition"/>), or <see langword="null"/> when it has
    /// none for exactly that offset.</summary>
    public EventTimePosition? Position { get; init; }
}
