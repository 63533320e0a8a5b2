using CallStream.Insights;

namespace CallStream.Cli.Demo;

/// <summary>
/// An interaction sink of the demo's reconciliation: remembers every interaction the consumer delivered, by id, so the
/// demo can tell the distinct interactions consumed from redeliveries and build its report from what was consumed.
/// Thread-safe.
/// </summary>
internal sealed class InteractionTally : IBatchedSink<Interaction>
{
    private readonly Dictionary<string, Interaction> _byId = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _delivered;

    /// <summary>Gets how many distinct interactions were delivered.</summary>
    public long Distinct
    {
        get
        {
            using var held = _lock.EnterScope();
            return _byId.Count;
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
                _byId.TryAdd(interaction.InteractionId, interaction);
        }
        Interlocked.Add(ref _delivered, batch.Count);
        return ValueTask.CompletedTask;
    }

    /// <summary>Adds the distinct interactions delivered (the first delivery of each) to a report's figures.</summary>
    /// <param name="figures">The figures.</param>
    public void AddTo(InsightsAccumulator figures)
    {
        using var held = _lock.EnterScope();
        foreach (var interaction in _byId.Values)
            figures.Add(interaction);
    }

    /// <summary>Finds a delivered interaction by its id.</summary>
    /// <param name="interactionId">The interaction id.</param>
    /// <returns>Its first delivery, or <see langword="null"/> when none was delivered.</returns>
    public Interaction? Find(string interactionId)
    {
        using var held = _lock.EnterScope();
        return _byId.GetValueOrDefault(interactionId);
    }
}
