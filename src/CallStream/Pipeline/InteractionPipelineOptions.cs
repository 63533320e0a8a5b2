using CallStream.Rules;

namespace CallStream;

/// <summary>
/// Options of an <see cref="InteractionPipeline"/>: the event-time ordering of <see cref="EventOrderingOptions"/>
/// (<see cref="EventOrderingOptions.AllowedLateness"/>, <see cref="EventOrderingOptions.IdleTimeout"/>, whose clock
/// <see cref="EventOrderingOptions.TimeProvider"/> also times sink flush intervals, and
/// <see cref="EventOrderingOptions.OnLateEvent"/>), warm-up after a hand-over, and an alert callback.
/// </summary>
public sealed class InteractionPipelineOptions : EventOrderingOptions
{
    /// <summary>
    /// Gets or sets whether a partition assigned with a committed offset is first re-read from
    /// <see cref="WarmUpHorizon"/> before the committed position, to rebuild window and suppression state without
    /// emitting the alerts of those events again.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WarmUp { get; set; } = true;

    /// <summary>
    /// Gets or sets how far (in event time) before the committed position a warm-up re-reads, or <see langword="null"/>
    /// for the rule set's need: the largest window plus suppression period of any rule, plus
    /// <see cref="EventOrderingOptions.AllowedLateness"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? WarmUpHorizon { get; set; }

    /// <summary>Gets or sets a callback told of each alert as it is handed to the sinks (on the pipeline's thread; keep it quick).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<Alert>? OnAlert { get; set; }

    /// <summary>
    /// Gets or sets a callback told of each interaction the rules evaluated, with the alerts it raised (empty when none),
    /// as its outputs are handed to the sinks, in event-time order (on the pipeline's thread; keep it quick). Not told of
    /// warm-up events nor of duplicates dropped before the rules: what a report of the evaluated input counts.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<Interaction, IReadOnlyList<Alert>>? OnEvaluated { get; set; }

    /// <summary>
    /// Gets or sets the number of threads the rules are evaluated on (<see cref="RuleEngineOptions.EvaluationThreads"/>;
    /// 0 picks from the rules' estimated cost). Only a source without positions to store (a file) hands the engine its
    /// records a batch at a time, which is what the threads need; a Kafka source's records are offered one by one and
    /// evaluated on the pipeline's thread whatever this says.
    /// </summary>
    /// <value>The default value is 1. Negative values are rejected.</value>
    public int EvaluationThreads { get; set; } = 1;

    /// <inheritdoc/>
    public override void Validate()
    {
        base.Validate();
        if (EvaluationThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(EvaluationThreads), EvaluationThreads, $"{nameof(InteractionPipelineOptions)}.{nameof(EvaluationThreads)} must be 0 (automatic) or a number of threads (was {EvaluationThreads}).");
        if (WarmUpHorizon is { } horizon && horizon < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(WarmUpHorizon), horizon, $"{nameof(InteractionPipelineOptions)}.{nameof(WarmUpHorizon)} must not be negative (was {horizon}).");
    }
}
