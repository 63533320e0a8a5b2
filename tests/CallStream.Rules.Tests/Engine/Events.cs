namespace CallStream.Rules.Tests.Engine;

/// <summary>Interactions for tests, placed in event time as seconds after <see cref="T0"/>.</summary>
internal static class Events
{
    /// <summary>2024-03-01T00:00:00Z: a whole day, hour and minute, so tumbling windows start here.</summary>
    public static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static int _next;

    /// <summary>Creates an interaction starting <paramref name="seconds"/> after <see cref="T0"/>.</summary>
    public static Interaction At(
        double seconds,
        string? id = null,
        string customer = "c1",
        string agent = "a1",
        Channel channel = Channel.Voice,
        double duration = 60,
        Outcome outcome = Outcome.Resolved,
        int? satisfaction = null,
        IEnumerable<KeyValuePair<string, string>>? attributes = null) =>
        new(
            id ?? "i" + Interlocked.Increment(ref _next).ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
            customer,
            agent,
            channel,
            T0.AddTicks((long)(seconds * TimeSpan.TicksPerSecond)),
            duration,
            outcome,
            satisfaction,
            attributes);

    /// <summary>Gets the instant <paramref name="seconds"/> after <see cref="T0"/>.</summary>
    public static DateTimeOffset Time(double seconds) => T0.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));

    /// <summary>Evaluates ordered events with a <see cref="RuleEvaluator"/> and returns the alerts.</summary>
    public static List<Alert> Evaluate(RuleSet rules, IEnumerable<Interaction> events)
    {
        var evaluator = new RuleEvaluator(rules);
        var alerts = new List<Alert>();
        foreach (var e in events)
            evaluator.Evaluate(e, alerts);
        return alerts;
    }

    /// <summary>Evaluates ordered events with a single rule.</summary>
    public static List<Alert> Evaluate(Rule rule, params Interaction[] events) => Evaluate(new RuleSet([rule]), events);

    /// <summary>Runs events through a <see cref="RuleEngine"/> (ordering included) and completes it.</summary>
    public static List<Alert> RunEngine(RuleSet rules, IEnumerable<Interaction> events, RuleEngineOptions? options = null)
    {
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(rules, alerts.Add, options);
        foreach (var e in events)
            engine.Offer(e);
        engine.Complete();
        return alerts;
    }
}
