namespace CallStream.Rules;

/// <summary>A late event: it sorted before an event already released, so it was released at once, out of order.</summary>
/// <param name="Event">The late event.</param>
/// <param name="LastReleasedEventTime">The event time of the newest event already released when the late one arrived.</param>
/// <param name="EventTime">The late event's own event time (its start or end time, as <see cref="EventOrderingOptions.EventTime"/> says).</param>
public readonly record struct LateEvent(PartitionedInteraction Event, DateTimeOffset LastReleasedEventTime, DateTimeOffset EventTime)
{
    /// <summary>Gets how far behind the released events the late one was (zero when only its id sorted before).</summary>
    public TimeSpan Lateness => LastReleasedEventTime - EventTime;
}
