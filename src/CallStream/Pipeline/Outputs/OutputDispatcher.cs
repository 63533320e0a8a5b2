namespace CallStream.Pipeline;

/// <summary>
/// Hands the outputs of evaluated events — the interaction and the alerts it raised — to every sink under the event's
/// checkpoint ticket, in release order, then marks the event's own processing done in the checkpoint.
/// </summary>
internal sealed class OutputDispatcher(SinkSet sinks, CheckpointTracker tracker, PipelineFigures figures, Action<Alert>? onAlert, Action<Interaction, IReadOnlyList<Alert>>? onEvaluated)
{
    private readonly List<ReleasedOutputs> _released = [];
    private BatchingSink<Alert>[] _alertSinks = [];
    private BatchingSink<Interaction>[] _interactionSinks = [];

    /// <summary>Gets whether outputs wait to be dispatched.</summary>
    public bool HasPending => _released.Count > 0;

    /// <summary>Takes the sinks once they have started.</summary>
    public void Start()
    {
        _alertSinks = sinks.Alerts;
        _interactionSinks = sinks.Interactions;
    }

    /// <summary>Gets whether an event with these outputs has anything to write (and so needs a ticket rather than a bare slot).</summary>
    public bool WritesAnything(bool interaction, bool alerts) =>
        (alerts && _alertSinks.Length > 0) || (interaction && _interactionSinks.Length > 0);

    /// <summary>Gets whether an evaluated interaction is wanted even without alerts: by an interaction sink or the evaluated-event callback.</summary>
    public bool TakesInteractions => _interactionSinks.Length > 0 || onEvaluated is not null;

    public void Add(in ReleasedOutputs released) => _released.Add(released);

    /// <summary>Enqueues every pending output; waits only when a sink's buffer is full.</summary>
    public async ValueTask DispatchAsync(CancellationToken cancellationToken)
    {
        if (_released.Count == 0)
            return;
        foreach (var released in _released)
        {
            if (released.Alerts is { } alerts)
            {
                foreach (var alert in alerts)
                {
                    figures.Alert();
                    onAlert?.Invoke(alert);
                    foreach (var sink in _alertSinks)
                        await sink.EnqueueAsync(alert, released.Ticket, cancellationToken).ConfigureAwait(false);
                }
            }
            if (released.Interaction is { } interaction)
            {
                onEvaluated?.Invoke(interaction, released.Alerts ?? []);
                foreach (var sink in _interactionSinks)
                    await sink.EnqueueAsync(interaction, released.Ticket, cancellationToken).ConfigureAwait(false);
            }
            if (released.Ticket is { } ticket)
                ticket.Complete();
            else if (released.Slot.IsTracked)
                tracker.Complete(released.Slot);
        }
        _released.Clear();
    }
}

/// <summary>An evaluated event whose outputs are to be written under its ticket, or (nothing to write) whose slot is to be
/// completed; no interaction for an event dropped as a duplicate (its first copy is the one stored). Neither ticket nor
/// slot for a source without checkpoints.</summary>
internal readonly record struct ReleasedOutputs(Interaction? Interaction, RecordTicket? Ticket, CheckpointTracker.Slot Slot, Alert[]? Alerts);
