using System.Globalization;

namespace CallStream.Rules.Tests.Engine;

/// <summary>
/// The windowed aggregates compared with a naive reference that recomputes each window from the spec's definition
/// (points 4 and 5) on random event streams: few keys and values, ties, gaps longer than the window (so groups are
/// dropped and their state reused), nulls.
/// </summary>
public class WindowReferenceTests
{
    private const string Aggregates = "count(*), count(satisfaction is null), rate(outcome = 'failed'), sum(duration_seconds), avg(duration_seconds), "
        + "min(duration_seconds), max(duration_seconds), min(satisfaction), max(satisfaction), distinct(agent_id), distinct(satisfaction), "
        + "distinct(interaction_id)";

    private static readonly string[] AggregateTexts = Aggregates.Split(", ");

    [Theory]
    [InlineData(1, 60)]
    [InlineData(2, 600)]
    [InlineData(3, 3600)]
    public void SlidingWindows_InEventTimeOrder_MatchTheReference(int seed, int windowSeconds)
    {
        var events = RandomEvents(seed, 3000, windowSeconds, late: false);
        var alerts = Evaluate($"window sliding {windowSeconds}s", "count(*) >= 1", events);
        Assert.Equal(events.Count, alerts.Count);
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var window = events.Take(i + 1).Where(x => x.CustomerId == e.CustomerId && x.StartTime > e.StartTime.AddSeconds(-windowSeconds) && x.StartTime <= e.StartTime);
            AssertValues(window.ToList(), alerts[i]);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void SlidingWindows_WithLateEventsInsideTheWindow_MatchTheReference(int seed)
    {
        // The stream spans less than the window, so nothing is evicted or dropped and a late event sees every event of
        // its group at or before its time (point 7 lets the engine forget no one here).
        var events = RandomEvents(seed, 1500, 1000, late: true);
        var span = events.Max(e => e.StartTime) - events.Min(e => e.StartTime);
        Assert.True(span < TimeSpan.FromDays(1));
        var alerts = Evaluate("window sliding 1d", "count(*) >= 1", events);
        Assert.Equal(events.Count, alerts.Count);
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var window = events.Take(i + 1).Where(x => x.CustomerId == e.CustomerId && x.StartTime <= e.StartTime);
            AssertValues(window.ToList(), alerts[i]);
        }
    }

    [Theory]
    [InlineData(6, 60, 1)]
    [InlineData(7, 600, 3)]
    [InlineData(8, 3600, 7)]
    public void TumblingWindows_InEventTimeOrder_MatchTheReference(int seed, int windowSeconds, int threshold)
    {
        var events = RandomEvents(seed, 3000, windowSeconds, late: false);
        var alerts = Evaluate($"window tumbling {windowSeconds}s", $"count(*) >= {threshold}", events);
        var byEvent = alerts.ToDictionary(a => a.InteractionId);
        long window = TimeSpan.FromSeconds(windowSeconds).Ticks;
        var alerted = new HashSet<(string, long)>();
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            long k = Math.DivRem(e.StartTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks, window).Quotient;
            var group = events.Take(i + 1).Where(x => x.CustomerId == e.CustomerId && (x.StartTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / window == k).ToList();
            bool expected = group.Count >= threshold && alerted.Add((e.CustomerId, k));
            Assert.Equal(expected, byEvent.TryGetValue(e.InteractionId, out var alert));
            if (expected)
                AssertValues(group, alert!);
        }
        Assert.NotEmpty(alerts);
    }

    private static List<Alert> Evaluate(string window, string trigger, List<Interaction> events)
    {
        // Every aggregate appears in having (so in the alert's values); the trigger alone decides.
        string having = trigger + string.Concat(AggregateTexts.Select(a => $" or {a} < -1"));
        var rules = RuleSet.Parse($"""
            rule Reference
              group by customer_id
              {window}
              having {having}
            """);
        var evaluator = new RuleEvaluator(rules);
        var alerts = new List<Alert>();
        foreach (var e in events)
            evaluator.Evaluate(e, alerts);
        return alerts;
    }

    private static void AssertValues(List<Interaction> window, Alert alert)
    {
        var durations = window.Select(x => x.DurationSeconds).ToList();
        var ratings = window.Where(x => x.Satisfaction is not null).Select(x => (double)x.Satisfaction!.Value).ToList();
        double?[] expected =
        [
            window.Count,
            window.Count(x => x.Satisfaction is null),
            window.Count(x => x.Outcome == Outcome.Failed) / (double)window.Count,
            durations.Sum(),
            durations.Average(),
            durations.Min(),
            durations.Max(),
            ratings.Count == 0 ? null : ratings.Min(),
            ratings.Count == 0 ? null : ratings.Max(),
            window.Select(x => x.AgentId).Distinct().Count(),
            ratings.Distinct().Count(),
            window.Count, // every id is new: values come and go by the thousand, so unreferenced ones are forgotten
        ];
        var actual = alert.Values.ToDictionary(v => v.Expression, v => v.Value);
        for (int a = 0; a < AggregateTexts.Length; a++)
        {
            double? value = actual[AggregateTexts[a]];
            if (expected[a] is null)
                Assert.Null(value);
            else
                Assert.True(value is { } v && Math.Abs(v - expected[a]!.Value) < 1e-9, $"{AggregateTexts[a]} of {alert.InteractionId}: expected {expected[a]}, got {value}");
        }
    }

    /// <summary>
    /// Events for 3 customers and 4 agents, whole-second durations, a third without a rating, gaps from none (ties) to
    /// over two windows; with <paramref name="late"/>, an event now and then placed up to 20 s before the newest.
    /// </summary>
    private static List<Interaction> RandomEvents(int seed, int count, int windowSeconds, bool late)
    {
        var random = new Random(seed);
        var events = new List<Interaction>(count);
        double now = 0;
        for (int i = 0; i < count; i++)
        {
            double gap = late ? random.Next(3) * 0.5
                : random.Next(20) switch
                {
                    0 => 0,
                    1 => windowSeconds * (1 + random.NextDouble()),
                    _ => random.NextDouble() * windowSeconds / 8,
                };
            now += gap;
            double at = late && random.Next(8) == 0 ? Math.Max(0, now - random.Next(1, 21)) : now;
            int? satisfaction = random.Next(3) == 0 ? null : random.Next(1, 6);
            events.Add(Events.At(
                Math.Round(at, 3),
                id: "e" + i.ToString("D5", CultureInfo.InvariantCulture),
                customer: "c" + random.Next(3),
                agent: "a" + random.Next(4),
                duration: random.Next(0, 100),
                outcome: random.Next(4) == 0 ? Outcome.Failed : Outcome.Resolved,
                satisfaction: satisfaction));
        }
        return events;
    }
}
