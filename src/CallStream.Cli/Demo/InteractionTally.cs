namespace CallStream.Cli.Demo;

/// <summary>
/// An interaction sink of the demo's reconciliation: remembers the id of every interaction the consumer delivered, so
/// the demo can tell the distinct interactions consumed from redeliveries. Thread-safe.
/// </summary>
internal sealed class InteractionTally : IBatchedSink<Interaction>
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _delivered;

    /// <summary>Gets how many distinct interactions were delivered.</summary>
    public long Distinct
    {
        get
        {
            using var held = _lock.EnterScope();
            return _ids.Count;
        }
    }

    /// <summary>Gets how many interactions were delivered, redeliveries included.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <inheritdoc/>
    public ValueTask WriteBatchAsync(IReadOnlyList<Interaction> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using (_lock.EnterScope())
        {
            foreach (var interaction in batch)
                _ids.Add(interaction.InteractionId);
        }
        Interlocked.Add(ref _delivered, batch.Count);
        return ValueTask.CompletedTask;
    }

    /// <summary>Tells whether an interaction was delivered.</summary>
    /// <param name="interactionId">The id.</param>
    /// <returns><see langword="true"/> when it was.</returns>
    public bool Contains(string interactionId)
    {
        using var held = _lock.EnterScope();
        return _ids.Contains(interactionId);
    }
}
