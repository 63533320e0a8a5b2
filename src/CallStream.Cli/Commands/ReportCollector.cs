using CallStream.Insights;

namespace CallStream.Cli.Commands;

/// <summary>
/// The report of a log replayed through the rules (<c>report --input</c>, <c>replay --report</c>): the figures of what
/// the rules evaluated, accumulated as it goes (<see cref="InsightsAccumulator"/>), so memory is bounded by the
/// distinct agents, customers and days, not by the rows. The pipeline hands over each interaction once the rules have
/// evaluated it, with the alerts it triggered (<see cref="InteractionPipelineOptions.OnEvaluated"/>); a duplicate the
/// rules dropped (first copy wins) is not handed over, so not counted.
/// </summary>
internal sealed class ReportCollector
{
    private readonly InsightsAccumulator _accumulator;

    /// <summary>Creates the collector.</summary>
    /// <param name="options">What the report computes and how it is labelled.</param>
    public ReportCollector(InsightsReportOptions options) => _accumulator = new InsightsAccumulator(options);

    /// <summary>Adds an evaluated interaction and the alerts it triggered (the pipeline's callback, on its thread).</summary>
    /// <param name="interaction">The interaction.</param>
    /// <param name="alerts">Its alerts, in rule-set order.</param>
    public void Add(Interaction interaction, IReadOnlyList<Alert> alerts)
    {
        _accumulator.Add(interaction);
        foreach (var alert in alerts)
            _accumulator.Add(alert, interaction);
    }

    /// <summary>Computes the figures of everything evaluated.</summary>
    /// <returns>The figures.</returns>
    public InsightsReportFigures ToFigures() => _accumulator.ToFigures();
}
