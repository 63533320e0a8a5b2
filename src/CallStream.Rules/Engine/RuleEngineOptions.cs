using System.Diagnostics.Metrics;

namespace CallStream.Rules;

/// <summary>Options of a <see cref="RuleEngine"/>: event-time ordering, metrics, and a progress callback.</summary>
public sealed class RuleEngineOptions : EventOrderingOptions
{
    /// <summary>Gets or sets the factory of the <c>CallStream</c> meter the engine reports to (events, late events, alerts by rule).</summary>
    /// <value>The default value is <see langword="null"/>: the engine creates its own <c>CallStream</c> meter and disposes it with itself.</value>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Gets or sets a callback told of each event once every rule has evaluated it (after its alerts were
    /// delivered), in release order: what a checkpointing source needs to know which offsets are done.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<PartitionedInteraction>? OnEventEvaluated { get; set; }
}
