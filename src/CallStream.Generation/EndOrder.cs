namespace CallStream.Generation;

/// <summary>Reorders interactions that come in start-time order into end-time order, streaming.</summary>
/// <remarks>
/// An interaction ends at or after it starts, so once the input has reached start time t no interaction still to come
/// can end before t: every held one that ends before t is final and is released. Memory is bounded by the interactions
/// whose contacts are still running at any start time (with the generator's durations of at most an hour, the
/// contacts of about the last hour), not by the length of the log.
/// </remarks>
internal static class EndOrder
{

    /// <summary>Yields interactions in end-time order, ties by interaction id (ordinal).</summary>
    /// <param name="startOrdered">Interactions whose start times never decrease.</param>
    /// <returns>The same interactions, by end time.</returns>
    public static IEnumerable<Interaction> Reorder(IEnumerable<Interaction> startOrdered)
    {
        var held = new PriorityQueue<Interaction, (long End, string Id)>(KeyComparer.Instance);
        foreach (var interaction in startOrdered)
        {
            long start = interaction.StartTime.UtcTicks;
            while (held.TryPeek(out _, out var next) && next.End < start)
                yield return held.Dequeue();
            held.Enqueue(interaction, (InteractionEnd.Ticks(interaction), interaction.InteractionId));
        }
        while (held.Count > 0)
            yield return held.Dequeue();
    }

    private sealed class KeyComparer : IComparer<(long End, string Id)>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare((long End, string Id) x, (long End, string Id) y)
        {
            int c = x.End.CompareTo(y.End);
            return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
        }
    }
}
