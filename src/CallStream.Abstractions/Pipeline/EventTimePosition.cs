namespace CallStream;

/// <summary>
/// The event-time position of a partition at an offset the reader stores: where, in event time, the reader stood, and
/// from which offset a later reader must re-read to rebuild the state of rules that look back <see cref="Horizon"/>.
/// A source that can keep it beside its committed offset hands it back on assignment
/// (<see cref="AssignedPartition.Position"/>), so that a warm-up never has to guess the event time of a record.
/// </summary>
/// <param name="Watermark">No event at or after the stored offset that the rules evaluate in order has an earlier event time.</param>
/// <param name="Horizon">How far before <paramref name="Watermark"/> the rules look back (windows, suppression, lateness).</param>
/// <param name="WarmUpFrom">An offset such that every record before it has an event time before
/// <paramref name="Watermark"/> − <paramref name="Horizon"/>: where a warm-up starts.</param>
public readonly record struct EventTimePosition(DateTimeOffset Watermark, TimeSpan Horizon, long WarmUpFrom);
