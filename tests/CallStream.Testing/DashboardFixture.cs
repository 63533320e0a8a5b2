namespace CallStream.Testing;

/// <summary>
/// A small, hand-checked set of interactions and alerts for the dashboard's queries: five agents, six customers,
/// four channels, every outcome, unrated interactions, durations on the band and threshold edges (300, 900, 3000,
/// 3600 s), an offset and a sub-millisecond start time, a start a tenth of a millisecond before midnight, an alert
/// whose interaction is not stored, and one replayed interaction and alert (stored once).
/// </summary>
public static class DashboardFixture
{
    /// <summary>Gets the interactions, with <c>i03</c> given twice (a replay).</summary>
    public static IReadOnlyList<Interaction> Interactions { get; } = CreateInteractions();

    /// <summary>Gets the alerts, with the first given twice (a replay).</summary>
    public static IReadOnlyList<Alert> Alerts { get; } = CreateAlerts();

    /// <summary>Gets an interaction of the fixture by id.</summary>
    /// <param name="id">The interaction id, for example <c>i07</c>.</param>
    /// <returns>The interaction.</returns>
    public static Interaction Get(string id) => Interactions.First(i => i.InteractionId == id);

    private static List<Interaction> CreateInteractions()
    {
        var list = new List<Interaction>
        {
            New("i01", "c1", "a1", Channel.Voice, "2024-03-01T08:00:00Z", 120, Outcome.Resolved, 5),
            New("i02", "c1", "a1", Channel.Chat, "2024-03-01T09:30:00Z", 300, Outcome.Resolved, 4),
            New("i03", "c2", "a2", Channel.Voice, "2024-03-01T10:00:00Z", 3600, Outcome.Failed, null),
            New("i04", "c2", "a2", Channel.Email, "2024-03-01T11:00:00.0004567Z", 3001, Outcome.Problematic, 2),
            New("i05", "c3", "a3", Channel.Video, "2024-03-01T23:59:59.9999Z", 899.5, Outcome.Resolved, 3),
            New("i06", "c3", "a1", Channel.Voice, "2024-03-02T00:00:00Z", 900, Outcome.Resolved, null),
            New("i07", "c4", "a2", Channel.Voice, "2024-03-02T08:15:00+02:00", 5400, Outcome.Failed, 1),
            New("i08", "c4", "a3", Channel.Chat, "2024-03-02T12:00:00Z", 1800, Outcome.Resolved, 5),
            New("i09", "c5", "a4", Channel.Email, "2024-03-02T13:00:00Z", 3600, Outcome.Resolved, 4),
            New("i10", "c5", "a4", Channel.Chat, "2024-03-02T14:00:00Z", 45, Outcome.Problematic, null),
            New("i11", "c1", "a3", Channel.Video, "2024-03-03T09:00:00Z", 3000, Outcome.Resolved, null),
            New("i12", "c6", "a1", Channel.Voice, "2024-03-03T10:00:00Z", 7200, Outcome.Failed, 2),
            New("i13", "c6", "a5", Channel.Chat, "2024-03-03T11:00:00Z", 60, Outcome.Resolved, null,
                [new("queue", "billing"), new("region", "north.east")]),
        };
        list.Add(list[2]); // replayed
        return list;
    }

    private static List<Alert> CreateAlerts()
    {
        var list = new List<Alert>
        {
            PerEvent("long-call", Severity.Warning, "i03"),
            PerEvent("long-call", Severity.Warning, "i07"),
            PerEvent("long-call", Severity.Warning, "i12"),
            Windowed("failed-burst", Severity.Critical, "c2", "i04", 2, 0.5),
            Windowed("failed-burst", Severity.Critical, "c4", "i07", 2, 1),
            new("low-csat", Severity.Info, "a2", "i07", Get("i07").StartTime, "Agent a2: low satisfaction"),
            new("low-csat", Severity.Info, "a1", "i12", Get("i12").StartTime, "Agent a1: low satisfaction"),
            new("orphan", Severity.Info, "x", "i99", Instant("2024-03-03T12:00:00Z"), "Its interaction is not stored"),
        };
        list.Add(list[0]); // replayed
        return list;
    }

    private static Alert PerEvent(string rule, Severity severity, string interactionId) =>
        new(rule, severity, interactionId, interactionId, Get(interactionId).StartTime, $"{interactionId} took too long");

    private static Alert Windowed(string rule, Severity severity, string key, string interactionId, double count, double rate)
    {
        var end = Get(interactionId).StartTime;
        return new Alert(rule, severity, key, interactionId, end, $"Customer {key}: {count} failed contacts", end.AddHours(-1), end,
            [new("count(*)", count), new("rate(outcome = 'failed')", rate), new("avg(satisfaction)", null), new("max(attributes.wait)", 12.5)]);
    }

    private static Interaction New(
        string id, string customer, string agent, Channel channel, string start, double duration, Outcome outcome, int? satisfaction,
        KeyValuePair<string, string>[]? attributes = null) =>
        new(id, customer, agent, channel, Instant(start), duration, outcome, satisfaction, attributes);

    private static DateTimeOffset Instant(string text) =>
        Iso8601.TryParse(text, out var value) ? value : throw new FormatException(text);
}
