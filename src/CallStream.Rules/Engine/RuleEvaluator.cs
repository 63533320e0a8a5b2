using CallStream.Rules.Engine;

namespace CallStream.Rules;

/// <summary>
/// Evaluates a rule set over events that are already in event-time order (by event time, ties by interaction id):
/// the engine behind <see cref="RuleEngine"/>, without the ordering. Use it directly when the events are known
/// to be ordered, or to warm up state (a restarted consumer re-reading events whose alerts were already stored).
/// </summary>
/// <remarks>
/// Rules are compiled once, at construction. Each event is offered to each rule in rule-set order, so alerts come
/// out in that order. State is bounded by event time: window entries, whole groups and suppression entries are
/// dropped once the newest event time has left them behind (spec point 7). An event older than the newest one
/// evaluated is still handled (see the README's notes on late events). Not thread-safe.
/// </remarks>
internal sealed class RuleEvaluator
{
    private readonly RuleRunner[] _runners;
    private readonly ExpiryAlarm[] _runnerAlarms;
    private readonly ExpiryAlarm _alarm = new();
    private readonly bool _endTime;
    private long _frontier = long.MinValue;

    /// <summary>Compiles a rule set into an evaluator.</summary>
    /// <param name="rules">The rules.</param>
    /// <param name="eventTime">Which instant of an interaction is its event time.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> is null.</exception>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine: more than 64 different conditions in its count() and rate() aggregates (type errors are caught earlier, by the <see cref="Rule"/> constructor).</exception>
    public RuleEvaluator(RuleSet rules, EventTimeMode eventTime = EventTimeMode.Start)
        : this(CompiledRuleSet.Compile(rules), eventTime)
    {
    }

    internal RuleEvaluator(CompiledRuleSet compiled, EventTimeMode eventTime = EventTimeMode.Start)
        : this(compiled, compiled.Compiled, eventTime)
    {
    }

    /// <summary>An evaluator of some of a set's rules only (one shard of <see cref="ShardedEvaluator"/>), with state, key hashes and alarms of its own.</summary>
    /// <param name="compiled">The whole rule set (<see cref="Rules"/>).</param>
    /// <param name="subset">The rules this evaluator runs, in rule-set order.</param>
    /// <param name="eventTime">Which instant of an interaction is its event time.</param>
    internal RuleEvaluator(CompiledRuleSet compiled, IReadOnlyList<CompiledRule> subset, EventTimeMode eventTime)
    {
        _endTime = eventTime == EventTimeMode.End;
        Rules = compiled.Rules;
        var hashes = new KeyHashes();
        _runnerAlarms = subset.Select(_ => new ExpiryAlarm(_alarm)).ToArray();
        _runners = subset.Select((c, i) => c.CreateRunner(_runnerAlarms[i], hashes)).ToArray();
    }

    /// <summary>Gets the rules, in evaluation order.</summary>
    public RuleSet Rules { get; }

    /// <summary>Gets the number of events evaluated (warm-up included).</summary>
    public long EventsEvaluated { get; private set; }

    /// <summary>Gets the newest event time evaluated, or <see langword="null"/> before the first event.</summary>
    public DateTimeOffset? Frontier => _frontier == long.MinValue ? null : new DateTimeOffset(_frontier, TimeSpan.Zero);

    /// <summary>Gets the number of groups holding window state, over all rules.</summary>
    public int GroupCount
    {
        get
        {
            int count = 0;
            foreach (var runner in _runners)
                count += runner.GroupCount;
            return count;
        }
    }

    /// <summary>Offers an event to every rule and adds the alerts it triggers to <paramref name="alerts"/>, in rule order.</summary>
    /// <param name="interaction">The event; events are expected in event-time order.</param>
    /// <param name="alerts">Receives the alerts.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void Evaluate(Interaction interaction, ICollection<Alert> alerts)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        ArgumentNullException.ThrowIfNull(alerts);
        Run(interaction, EventTimes.Of(interaction, _endTime), alerts);
    }

    /// <summary>Offers an event whose event time the caller has computed (<see cref="EventTimes.Of"/>, with this evaluator's mode) to every rule.</summary>
    /// <param name="interaction">The event.</param>
    /// <param name="ticks">Its event time in UTC ticks.</param>
    /// <param name="alerts">Receives the alerts; <see langword="null"/> to update state only (warm-up).</param>
    internal void Evaluate(Interaction interaction, long ticks, ICollection<Alert>? alerts) => Run(interaction, ticks, alerts);

    /// <summary>
    /// Offers an event to every rule for its effect on state only: windows, once-per-window and suppression state
    /// advance exactly as if its alerts had been emitted, but no alert is created.
    /// </summary>
    /// <param name="interaction">The event, in event-time order with the others.</param>
    /// <exception cref="ArgumentNullException"><paramref name="interaction"/> is null.</exception>
    public void WarmUp(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        Run(interaction, EventTimes.Of(interaction, _endTime), null);
    }

    /// <summary>Reads the counters and state size of every rule.</summary>
    /// <returns>One entry per rule, in rule-set order.</returns>
    public IReadOnlyList<RuleStatistics> GetStatistics() =>
        _runners.Select(r => new RuleStatistics(r.Rule.Name, r.EventsTaken, r.Candidates, r.Alerts, r.Suppressed, r.GroupCount, r.SuppressionCount)).ToArray();

    private void Run(Interaction interaction, long ticks, ICollection<Alert>? alerts)
    {
        var runners = _runners;
        for (int i = 0; i < runners.Length; i++)
            runners[i].Offer(interaction, ticks, alerts);
        EventsEvaluated++;
        if (ticks > _frontier)
        {
            _frontier = ticks;
            if (ticks >= _alarm.Due)
                Expire(ticks);
        }
    }

    /// <summary>Runs the expiry of the rules whose alarm is due at a new frontier, then sets the alarms to the next time one may drop something.</summary>
    private void Expire(long frontier)
    {
        long due = long.MaxValue;
        for (int i = 0; i < _runners.Length; i++)
        {
            var alarm = _runnerAlarms[i];
            if (frontier >= alarm.Due)
            {
                _runners[i].Expire(frontier);
                alarm.Due = _runners[i].NextExpiry;
            }
            due = Math.Min(due, alarm.Due);
        }
        _alarm.Due = due;
    }
}
