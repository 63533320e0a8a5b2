namespace CallStream.Rules;

/// <summary>
/// Receives each event a <see cref="RuleEngine"/> releases together with the alerts it raised, in one call: what a
/// consumer needs to write an event's outputs under its checkpoint without pairing alerts and events itself.
/// </summary>
public interface IEvaluatedEventHandler
{
    /// <summary>Called once per released event, in release (event-time) order, once every rule has evaluated it or it was dropped as a duplicate.</summary>
    /// <param name="item">The event as it was offered.</param>
    /// <param name="alerts">The alerts the event raised, in rule-set order; empty for a warm-up event or a duplicate. Valid only during the call: copy what is kept.</param>
    /// <param name="duplicate"><see langword="true"/> when the event was dropped before the rules because an interaction with the same id was released before (see <see cref="RuleEngine.DuplicateHorizon"/>).</param>
    void OnEvaluated(in PartitionedInteraction item, ReadOnlySpan<Alert> alerts, bool duplicate);
}
