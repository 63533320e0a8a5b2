namespace CallStream.Rules;

/// <summary>
/// Options of event-time ordering: how long to wait for stragglers, when a partition counts as idle, and where late
/// events are reported. The engine's (<see cref="RuleEngineOptions"/>) and the pipeline's options extend them, so each
/// setting has one name, one default and one check.
/// </summary>
public class EventOrderingOptions
{
    /// <summary>
    /// Gets or sets which instant is an interaction's event time: its start time (the default) or its end time (start
    /// plus duration). Ordering, the watermark, windows, suppression, duplicate detection and alerts'
    /// <see cref="Alert.TriggeredAt"/> all use it.
    /// </summary>
    /// <value>The default value is <see cref="EventTimeMode.Start"/>. Choose <see cref="EventTimeMode.End"/> for a live feed that emits a record when each contact ends.</value>
    public EventTimeMode EventTime { get; set; } = EventTimeMode.Start;

    /// <summary>Gets or sets how far behind the newest event time the watermark trails: events are held this long (in event time) for stragglers.</summary>
    /// <value>The default value is 5 seconds. Zero releases each event as soon as it is the oldest held; negative values are rejected.</value>
    public TimeSpan AllowedLateness { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how long (wall time) a partition must be caught up before it stops holding the watermark back.</summary>
    /// <value>The default value is 1 second. Negative values are rejected.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the wall clock used for the idle timeout (event time never uses it).</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets a callback told of each late event, before it is released.</summary>
    /// <value>The default value is <see langword="null"/>: late events are only counted.</value>
    public Action<LateEvent>? OnLateEvent { get; set; }

    /// <summary>
    /// Copies every ordering setting onto <paramref name="target"/>: options of another stage built from these (the
    /// pipeline's engine) carry each setting, including one added here later, without a field-by-field copy to keep in step.
    /// </summary>
    /// <param name="target">The options to set.</param>
    internal void CopyOrderingTo(EventOrderingOptions target)
    {
        target.EventTime = EventTime;
        target.AllowedLateness = AllowedLateness;
        target.IdleTimeout = IdleTimeout;
        target.TimeProvider = TimeProvider;
        target.OnLateEvent = OnLateEvent;
    }

    /// <summary>Checks the options and throws a message naming the option that is wrong.</summary>
    /// <exception cref="ArgumentException">An option is out of range or missing; the message names it.</exception>
    public virtual void Validate()
    {
        if (AllowedLateness < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(AllowedLateness), AllowedLateness, $"{Name(nameof(AllowedLateness))} must not be negative (was {AllowedLateness}).");
        if (IdleTimeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, $"{Name(nameof(IdleTimeout))} must not be negative (was {IdleTimeout}).");
        if (!Enum.IsDefined(EventTime))
            throw new ArgumentOutOfRangeException(nameof(EventTime), EventTime, $"{Name(nameof(EventTime))} must be {nameof(EventTimeMode.Start)} or {nameof(EventTimeMode.End)} (was {EventTime}).");
        if (TimeProvider is null)
            throw new ArgumentException($"{Name(nameof(TimeProvider))} must not be null.", nameof(TimeProvider));
    }

    /// <summary>The option's name as a user sets it, on the options type they use (for example <c>InteractionPipelineOptions.IdleTimeout</c>).</summary>
    /// <param name="option">The property's name.</param>
    /// <returns>The qualified name.</returns>
    private protected string Name(string option) => GetType().Name + "." + option;
}
