using System.Runtime.InteropServices;

namespace CallStream.Insights;

/// <summary>
/// Computes the insights report's figures in one pass over interactions and alerts, in memory bounded by the distinct
/// agents, customers, days, channels and rules rather than by the interactions: the figures
/// <see cref="InsightsReport.ComputeAsync"/> gives over an <see cref="InMemoryInsightsSource"/> holding the same
/// records, without holding them (for example a log of tens of millions of rows replayed through the rules).
/// </summary>
/// <remarks>
/// Every interaction added counts, and so does every alert: unlike a store, the accumulator remembers no ids, so drop
/// duplicates before adding (the rule engine drops an interaction id it released within its duplicate horizon). An
/// alert is joined to its interaction (alerts by channel, customers with the most alerts) only when it is added with
/// it. Not thread-safe.
/// </remarks>
public sealed class InsightsAccumulator
{
    private static readonly int[] BandStarts = [0, 5, 15, 30, 60];

    private readonly InsightsReportOptions _options;
    private readonly Totals _all = new();
    private readonly Dictionary<string, AgentTotals> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomerTotals> _customers = new(StringComparer.Ordinal);
    private int _customersWithInteractions;
    private readonly Dictionary<DateTime, Totals> _days = [];
    private readonly Dictionary<Channel, ChannelSums> _channels = [];
    private readonly long[] _resolvedPerBand = new long[BandStarts.Length];
    private readonly Dictionary<string, long> _alertsPerRule = new(StringComparer.Ordinal);
    private readonly Dictionary<(DateTime Day, Severity Severity), long> _alertsPerSeverityDay = [];
    private readonly Dictionary<Channel, long> _alertsPerChannel = [];
    private readonly Dictionary<Severity, List<AlertRecord>> _latestAlerts = [];
    private InteractionRecord? _longest;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="options">What to compute and how to label it, as for <see cref="InsightsReport.ComputeAsync"/>; <see langword="null"/> for the defaults. Copied: later changes have no effect.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public InsightsAccumulator(InsightsReportOptions? options = null)
    {
        options ??= new InsightsReportOptions();
        options.Validate();
        _options = new InsightsReportOptions
        {
            Title = options.Title,
            Source = options.Source,
            Top = options.Top,
            TopAlerts = options.TopAlerts,
            LongInteractionSeconds = options.LongInteractionSeconds,
            TimeProvider = options.TimeProvider,
        };
    }

    /// <summary>Gets how many interactions were added.</summary>
    public long Interactions => _all.Interactions;

    /// <summary>Gets how many alerts were added.</summary>
    public long Alerts { get; private set; }

    /// <summary>Adds an interaction.</summary>
    /// <param name="interaction">The interaction.</param>
    public void Add(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        double seconds = interaction.DurationSeconds;
        var outcome = interaction.Outcome;
        int? satisfaction = interaction.Satisfaction;
        _all.Add(seconds, outcome, satisfaction);

        ref var agent = ref CollectionsMarshal.GetValueRefOrAddDefault(_agents, interaction.AgentId, out _);
        agent ??= new AgentTotals();
        agent.Add(seconds, outcome, satisfaction);
        if (seconds > _options.LongInteractionSeconds)
        {
            agent.LongInteractions++;
            agent.LongestSeconds = Math.Max(agent.LongestSeconds, seconds);
        }

        ref var customer = ref CollectionsMarshal.GetValueRefOrAddDefault(_customers, interaction.CustomerId, out _);
        if (!customer.HasInteractions)
        {
            customer.HasInteractions = true;
            _customersWithInteractions++;
        }

        var day = InteractionRecord.ToStoredInstant(interaction.StartTime).Date;
        if (!_days.TryGetValue(day, out var dayTotals))
            _days.Add(day, dayTotals = new Totals());
        dayTotals.Add(seconds, outcome, satisfaction);

        if (!_channels.TryGetValue(interaction.Channel, out var channel))
            _channels.Add(interaction.Channel, channel = new ChannelSums());
        channel.Interactions++;
        channel.Seconds += seconds;

        if (outcome == Outcome.Resolved)
            _resolvedPerBand[Band(seconds)]++;

        if (_longest is null || seconds > _longest.DurationSeconds
            || (seconds == _longest.DurationSeconds && string.CompareOrdinal(interaction.InteractionId, _longest.Id) < 0))
        {
            _longest = InteractionRecord.From(interaction);
        }
    }

    /// <summary>Adds an alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <param name="interaction">
    /// The interaction whose arrival triggered it (added with <see cref="Add(Interaction)"/>), or <see langword="null"/>
    /// when it is not known: then the alert counts everywhere except in the figures joined on its interaction (alerts by
    /// channel, customers with the most alerts), as an alert whose interaction is not stored.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="interaction"/> is not the alert's interaction.</exception>
    public void Add(Alert alert, Interaction? interaction = null)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (interaction is not null && !string.Equals(interaction.InteractionId, alert.InteractionId, StringComparison.Ordinal))
            throw new ArgumentException($"The alert was triggered by interaction '{alert.InteractionId}', not '{interaction.InteractionId}'.", nameof(interaction));
        Alerts++;
        var record = AlertRecord.From(alert);
        Increment(_alertsPerRule, record.Rule);
        Increment(_alertsPerSeverityDay, (record.TriggeredAt.Date, record.Severity));
        if (interaction is not null)
        {
            Increment(_alertsPerChannel, interaction.Channel);
            CollectionsMarshal.GetValueRefOrAddDefault(_customers, interaction.CustomerId, out _).Alerts++;
        }
        AddLatest(record);
    }

    /// <summary>Computes the report's figures from everything added so far, stamped by the options' clock.</summary>
    /// <returns>The figures, with one computed note per chart.</returns>
    /// <exception cref="OverflowException">A count exceeds <see cref="int.MaxValue"/>.</exception>
    public InsightsReportFigures ToFigures() => InsightsReport.Reduce(ToAnswers(), _options);

    private DashboardAnswers ToAnswers()
    {
        var ordinal = StringComparer.Ordinal;
        int top = _options.Top;
        var agents = _agents.Select(a => (Id: a.Key, Totals: a.Value)).ToList();
        return new DashboardAnswers
        {
            Overview = _all.Interactions == 0 ? null : new DashboardOverview(
                checked((int)_all.Interactions),
                checked((int)_all.Resolved),
                checked((int)_all.Failed),
                checked((int)_all.Problematic),
                _all.Seconds,
                _all.Seconds / _all.Interactions,
                _all.AverageSatisfaction,
                (double)_all.Failed / _all.Interactions),
            Agents = _agents.Count,
            Customers = _customersWithInteractions,
            DurationPerAgent = [.. agents
                .Select(a => new AgentDuration(a.Id, checked((int)a.Totals.Interactions), a.Totals.Seconds, a.Totals.Seconds / a.Totals.Interactions))
                .OrderByDescending(a => a.TotalSeconds)
                .ThenBy(a => a.AgentId, ordinal)],
            AgentsWithLongInteractions = [.. agents
                .Where(a => a.Totals.LongInteractions > 0)
                .Select(a => new AgentLongInteractions(a.Id, checked((int)a.Totals.LongInteractions), a.Totals.LongestSeconds))
                .OrderByDescending(a => a.Interactions)
                .ThenBy(a => a.AgentId, ordinal)
                .Take(top)],
            ResolutionBands = [.. BandStarts
                .Select((from, i) => new ResolutionBand(from, checked((int)_resolvedPerBand[i])))
                .Where(b => b.Interactions > 0)],
            AlertsByRule = [.. _alertsPerRule
                .Select(r => new RuleAlerts(r.Key, checked((int)r.Value)))
                .OrderByDescending(r => r.Alerts)
                .ThenBy(r => r.Rule, ordinal)],
            AlertsPerDay = [.. _alertsPerSeverityDay
                .Select(s => new SeverityDay(s.Key.Day, s.Key.Severity, checked((int)s.Value)))
                .OrderBy(s => s.Day)],
            AlertsByChannel = [.. _alertsPerChannel
                .Select(c => new ChannelAlerts(c.Key, checked((int)c.Value)))
                .OrderByDescending(c => c.Alerts)],
            CustomersWithMostAlerts = [.. _customers
                .Where(c => c.Value.Alerts > 0)
                .Select(c => new CustomerAlerts(c.Key, checked((int)c.Value.Alerts)))
                .OrderByDescending(c => c.Alerts)
                .ThenBy(c => c.CustomerId, ordinal)
                .Take(top)],
            TopAgents = [.. agents
                .Select(a => new AgentQuality(
                    a.Id,
                    checked((int)a.Totals.Interactions),
                    checked((int)a.Totals.Resolved),
                    (double)a.Totals.Resolved / a.Totals.Interactions,
                    a.Totals.AverageSatisfaction))
                .OrderByDescending(a => a.Resolved)
                .ThenByDescending(a => a.AverageSatisfaction)
                .ThenBy(a => a.AgentId, ordinal)
                .Take(top)],
            OutcomesPerAgent = [.. agents
                .Select(a => new AgentOutcomes(a.Id, checked((int)a.Totals.Resolved), checked((int)a.Totals.Failed), checked((int)a.Totals.Problematic)))
                .OrderBy(a => a.AgentId, ordinal)],
            DurationPerChannel = [.. _channels
                .Select(c => new ChannelDuration(c.Key, checked((int)c.Value.Interactions), c.Value.Seconds, c.Value.Seconds / c.Value.Interactions))
                .OrderByDescending(c => c.TotalSeconds)],
            Longest = _longest,
            Daily = [.. _days
                .Select(d => new DailyFigures(
                    d.Key,
                    checked((int)d.Value.Interactions),
                    d.Value.Seconds / d.Value.Interactions,
                    d.Value.AverageSatisfaction,
                    checked((int)d.Value.Failed),
                    (double)d.Value.Failed / d.Value.Interactions))
                .OrderBy(d => d.Day)],
            LatestAlerts = [.. InsightsReport.SeveritiesMostSevereFirst.SelectMany(s => _latestAlerts.TryGetValue(s, out var latest) ? latest : [])],
        };
    }

    /// <summary>The band of <see cref="DashboardQueries.ResolutionTimeBands"/> a duration falls in, as an index.</summary>
    private static int Band(double seconds) =>
        seconds < 5 * 60 ? 0
        : seconds < 15 * 60 ? 1
        : seconds < 30 * 60 ? 2
        : seconds < 60 * 60 ? 3
        : 4;

    private static void Increment<TKey>(Dictionary<TKey, long> counts, TKey key)
        where TKey : notnull =>
        CollectionsMarshal.GetValueRefOrAddDefault(counts, key, out _)++;

    /// <summary>Keeps the alert if it is among the latest of its severity (<see cref="DashboardQueries.LatestAlerts"/>'s order).</summary>
    private void AddLatest(AlertRecord alert)
    {
        if (!_latestAlerts.TryGetValue(alert.Severity, out var latest))
            _latestAlerts.Add(alert.Severity, latest = new List<AlertRecord>(Math.Min(_options.TopAlerts, 64)));
        if (latest.Count == _options.TopAlerts && CompareLatestFirst(alert, latest[^1]) >= 0)
            return;
        int at = latest.BinarySearch(alert, LatestFirst.Instance);
        latest.Insert(at < 0 ? ~at : at, alert);
        if (latest.Count > _options.TopAlerts)
            latest.RemoveAt(latest.Count - 1);
    }

    private static int CompareLatestFirst(AlertRecord x, AlertRecord y)
    {
        int byTime = y.TriggeredAt.CompareTo(x.TriggeredAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(x.Id, y.Id);
    }

    private sealed class LatestFirst : IComparer<AlertRecord>
    {
        public static readonly LatestFirst Instance = new();

        public int Compare(AlertRecord? x, AlertRecord? y) => CompareLatestFirst(x!, y!);
    }

    /// <summary>Counts and sums over a set of interactions (all of them, or one day's).</summary>
    private class Totals
    {
        public long Interactions;
        public long Resolved;
        public long Failed;
        public long Problematic;
        public double Seconds;
        public long SatisfactionSum;
        public long Rated;

        /// <summary>Gets the average satisfaction over the rated interactions, computed as LINQ's average of an <c>int?</c> is.</summary>
        public double? AverageSatisfaction => Rated == 0 ? null : (double)SatisfactionSum / Rated;

        public void Add(double seconds, Outcome outcome, int? satisfaction)
        {
            Interactions++;
            switch (outcome)
            {
                case Outcome.Resolved:
                    Resolved++;
                    break;
                case Outcome.Failed:
                    Failed++;
                    break;
                case Outcome.Problematic:
                    Problematic++;
                    break;
            }
            Seconds += seconds;
            if (satisfaction is int score)
            {
                SatisfactionSum += score;
                Rated++;
            }
        }
    }

    private sealed class AgentTotals : Totals
    {
        public long LongInteractions;
        public double LongestSeconds;
    }

    private struct CustomerTotals
    {
        public bool HasInteractions;
        public long Alerts;
    }

    private sealed class ChannelSums
    {
        public long Interactions;
        public double Seconds;
    }
}
