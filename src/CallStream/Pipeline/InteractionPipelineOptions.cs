using CallStream.Rules;

namespace CallStream;

/// <summary>Options of an <see cref="InteractionPipeline"/>: event-time ordering, warm-up after a hand-over, the clock and callbacks.</summary>
public sealed class InteractionPipelineOptions
{
    /// <summary>
    /// Gets or sets which instant is an interaction's event time: its start time or its end time (start plus duration).
    /// Ordering, windows, suppression, duplicates, alerts' <see cref="Alert.TriggeredAt"/> and warm-up all use it.
    /// </summary>
    /// <value>The default value is <see cref="EventTimeMode.Start"/> (as <c>RuleEngineOptions.EventTime</c>); choose <see cref="EventTimeMode.End"/> for a feed written when each contact ends.</value>
    public EventTimeMode EventTime { get; set; } = EventTimeMode.Start;

    /// <summary>Gets or sets how far behind the newest event of the slowest partition an event may arrive and still be evaluated in order.</summary>
    /// <value>The default value is 5 seconds (as <c>RuleEngineOptions.AllowedLateness</c>).</value>
    public TimeSpan AllowedLateness { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long (wall time) a caught-up partition waits before it stops holding the watermark back.</summary>
    /// <value>The default value is 1 second (as <c>RuleEngineOptions.IdleTimeout</c>).</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets whether a partition assigned with a committed offset is first re-read from
    /// <see cref="WarmUpHorizon"/> before the committed position, to rebuild window and suppression state without
    /// emitting the alerts of those events again.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool WarmUp { get; set; } = true;

    /// <summary>
    /// Gets or sets how far (in event time) before the committed position a warm-up re-reads, or <see langword="null"/>
    /// for the rule set's need: the largest window plus suppression period of any rule, plus <see cref="AllowedLateness"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? WarmUpHorizon { get; set; }

    /// <summary>Gets or sets the clock of idle timeouts and sink flush intervals.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

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
    /// Gets or sets a callback told of each late event: one that arrived after a later event had been released, evaluated
    /// at once, out of order (on the pipeline's thread; keep it quick). Warm-up events are included.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: late events are only counted (<see cref="PipelineStatistics.Late"/>).</value>
    public Action<LateEvent>? OnLateEvent { get; set; }

    /// <summary>Checks the options and throws a message naming the option that is wrong.</summary>
    /// <exception cref="ArgumentException">An option is out of range or missing.</exception>
    public void Validate()
    {
        if (AllowedLateness < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(AllowedLateness), AllowedLateness, $"InteractionPipelineOptions.AllowedLateness must not be negative (was {AllowedLateness}).");
        if (IdleTimeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, $"InteractionPipelineOptions.IdleTimeout must not be negative (was {IdleTimeout}).");
        if (WarmUpHorizon is { } horizon && horizon < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(WarmUpHorizon), horizon, $"InteractionPipelineOptions.WarmUpHorizon must not be negative (was {horizon}).");
        if (!Enum.IsDefined(EventTime))
            throw new ArgumentOutOfRangeException(nameof(EventTime), EventTime, $"InteractionPipelineOptions.EventTime must be Start or End (was {EventTime}).");
        if (TimeProvider is null)
            throw new ArgumentException("InteractionPipelineOptions.TimeProvider must not be null.", nameof(TimeProvider));
    }
}
