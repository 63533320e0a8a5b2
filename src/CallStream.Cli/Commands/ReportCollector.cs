using CallStream.Insights;
using CallStream.Rules;

namespace CallStream.Cli.Commands;

/// <summary>
/// The report of a log replayed through the rules (<c>report --input</c>, <c>replay --report</c>): the figures of what
/// the rule engine evaluated, accumulated as it goes (<see cref="InsightsAccumulator"/>), so memory is bounded by the
/// distinct agents, customers and days, not by the rows. Each interaction is added once the engine has evaluated it,
/// with the alerts it triggered; a duplicate the engine dropped (first copy wins) is not counted.
/// </summary>
internal sealed class ReportCollector
{
    private readonly InsightsAccumulator _accumulator;
    private readonly List<Alert> _alertsOfEvent = [];
    private bool _duplicate;

    /// <summary>Creates the collector.</summary>
    /// <param name="options">What the report computes and how it is labelled.</param>
    public ReportCollector(InsightsReportOptions options) => _accumulator = new InsightsAccumulator(options);

    /// <summary>Hooks the collector into the options of the engine that replays the log (keeping callbacks already set).</summary>
    /// <param name="options">The engine's options, before the engine is created.</param>
    public void Attach(RuleEngineOptions options)
    {
        var onDuplicate = options.OnDuplicateEvent;
        var onEvaluated = options.OnEventEvaluated;
        options.OnDuplicateEvent = item =>
        {
            _duplicate = true;
            onDuplicate?.Invoke(item);
        };
        options.OnEventEvaluated = item =>
        {
            Evaluated(item);
            onEvaluated?.Invoke(item);
        };
    }

    /// <summary>Takes an alert from the engine; it is added with its interaction once the engine has evaluated that.</summary>
    /// <param name="alert">The alert.</param>
    public void Add(Alert alert) => _alertsOfEvent.Add(alert);

    /// <summary>Computes the figures of everything evaluated.</summary>
    /// <returns>The figures.</returns>
    public InsightsReportFigures ToFigures() => _accumulator.ToFigures();

    private void Evaluated(PartitionedInteraction item)
    {
        // The engine delivers an event's alerts, then says it evaluated the event (or, for a duplicate, that it
        // dropped it, then that it is done with it): the alerts gathered so far are this event's.
        bool duplicate = _duplicate;
        _duplicate = false;
        if (!duplicate && !item.WarmUp)
        {
            _accumulator.Add(item.Interaction);
            foreach (var alert in _alertsOfEvent)
                _accumulator.Add(alert, item.Interaction);
        }
        _alertsOfEvent.Clear();
    }
}
