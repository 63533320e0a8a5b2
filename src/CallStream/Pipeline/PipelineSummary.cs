using CallStream.Rules;

namespace CallStream;

/// <summary>What an <see cref="InteractionPipeline"/> did, returned by <see cref="InteractionPipeline.RunAsync"/> when it stops.</summary>
/// <param name="Statistics">The final figures (the partitions are those still assigned before the source stopped; usually none).</param>
/// <param name="Elapsed">How long the run took.</param>
/// <param name="InputCompleted">Whether the run ended through <see cref="InteractionPipeline.Complete"/>, which evaluates the held events as at the end of a finite input.</param>
public sealed record PipelineSummary(PipelineStatistics Statistics, TimeSpan Elapsed, bool InputCompleted)
{
    /// <summary>Gets the records read at or after their committed offsets.</summary>
    public long Consumed => Statistics.Consumed;

    /// <summary>Gets the records set aside as not valid interactions.</summary>
    public long DeadLettered => Statistics.DeadLettered;

    /// <summary>Gets the records run through the rules for state only.</summary>
    public long WarmUpEvents => Statistics.WarmUpEvents;

    /// <summary>Gets the events the rules evaluated.</summary>
    public long Evaluated => Statistics.Evaluated;

    /// <summary>Gets the records dropped as duplicates of an interaction evaluated before.</summary>
    public long Duplicates => Statistics.Duplicates;

    /// <summary>Gets the late events.</summary>
    public long Late => Statistics.Late;

    /// <summary>Gets the alerts handed to the sinks.</summary>
    public long Alerts => Statistics.Alerts;

    /// <summary>Gets the alerts warm-up events would have raised again.</summary>
    public long AlertsNotReemitted => Statistics.AlertsNotReemitted;

    /// <summary>Gets the events left held at the stop (read again by the next run).</summary>
    public int Held => Statistics.Held;

    /// <summary>Gets the figures of each rule at the stop, in rule-set order (alerts, candidates, suppressed, groups):
    /// what a summary by rule needs. Empty when the run failed before the rules were compiled.</summary>
    public IReadOnlyList<RuleStatistics> Rules { get; init; } = [];
}
