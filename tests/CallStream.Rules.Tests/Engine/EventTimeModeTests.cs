using System.Reactive.Linq;
using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>The event time is a setting of the pipeline: the start time (the default) or the end time, start + duration.</summary>
public class EventTimeModeTests
{
    private static readonly RuleSet Every = Set(new Rule("Every"));

    /// <summary>Two events per customer within a minute of each other by one clock and not by the other.</summary>
    private static readonly RuleSet PairWithinAMinute = Set(new Rule(
        "Pair", groupBy: Field.CustomerId, window: Sliding(TimeSpan.FromMinutes(1)), having: Ge(CountAll, Num(2))));

    private static RuleEngineOptions Mode(EventTimeMode mode) => new() { EventTime = mode };

    private static Interaction[] PairsThatDisagree() =>
    [
        // Customer "near-start": starts 50 s apart, ends 140 s apart.
        Events.At(0, id: "s1", customer: "near-start", duration: 10),
        Events.At(50, id: "s2", customer: "near-start", duration: 100),
        // Customer "near-end": starts 100 s apart, ends 10 s apart.
        Events.At(200, id: "e1", customer: "near-end", duration: 90),
        Events.At(300, id: "e2", customer: "near-end", duration: 0),
    ];

    [Fact]
    public void Options_DefaultToStartTime()
    {
        Assert.Equal(EventTimeMode.Start, new RuleEngineOptions().EventTime);
        Assert.Equal(EventTimeMode.Start, new EventOrderingOptions().EventTime);
    }

    [Fact]
    public void WindowedRule_CountsByTheChosenEventTime()
    {
        var events = PairsThatDisagree();

        var byStart = Events.RunEngine(PairWithinAMinute, events, Mode(EventTimeMode.Start));
        var byEnd = Events.RunEngine(PairWithinAMinute, events.OrderBy(EndOf), Mode(EventTimeMode.End));

        Assert.Equal("near-start", Assert.Single(byStart).Key);
        var alert = Assert.Single(byEnd);
        Assert.Equal("near-end", alert.Key);
        Assert.Equal("e2", alert.InteractionId);
        Assert.Equal(Events.Time(300), alert.TriggeredAt);
        Assert.Equal(Events.Time(240), alert.WindowStart);
        Assert.Equal(Events.Time(300), alert.WindowEnd);
    }

    [Fact]
    public void TriggeredAt_IsTheEndTimeInEndMode()
    {
        var e = Events.At(10, id: "a", duration: 2.5);

        var byStart = Assert.Single(Events.RunEngine(Every, [e], Mode(EventTimeMode.Start)));
        var byEnd = Assert.Single(Events.RunEngine(Every, [e], Mode(EventTimeMode.End)));

        Assert.Equal(Events.Time(10), byStart.TriggeredAt);
        Assert.Equal(Events.Time(12.5), byEnd.TriggeredAt);
    }

    [Fact]
    public void Events_AreReleasedInEndOrder_InEndMode()
    {
        // "long" starts first and ends last.
        Interaction[] arrivals = [Events.At(0, id: "long", duration: 100), Events.At(50, id: "short", duration: 10), Events.At(55, id: "tie", duration: 5)];

        var byStart = Events.RunEngine(Every, arrivals, Mode(EventTimeMode.Start));
        var byEnd = Events.RunEngine(Every, arrivals, Mode(EventTimeMode.End));

        Assert.Equal(["long", "short", "tie"], byStart.Select(a => a.InteractionId));
        // "short" and "tie" both end at 60 s: ties by interaction id.
        Assert.Equal(["short", "tie", "long"], byEnd.Select(a => a.InteractionId));
    }

    [Fact]
    public void FeedInEndOrder_IsOnTimeInEndMode_AndLateInStartMode()
    {
        var events = PairsThatDisagree().Concat(Enumerable.Range(0, 50).Select(i => Events.At(400 + (i * 7), duration: 120 - (i % 5 * 25)))).OrderBy(EndOf).ToList();

        using var startEngine = new RuleEngine(Every, _ => { }, Mode(EventTimeMode.Start));
        using var endEngine = new RuleEngine(Every, _ => { }, Mode(EventTimeMode.End));
        foreach (var e in events)
        {
            startEngine.Offer(e);
            endEngine.Offer(e);
        }

        Assert.Equal(0, endEngine.LateEvents);
        Assert.True(startEngine.LateEvents > 10, $"{startEngine.LateEvents} late events by start time");
    }

    [Fact]
    public void LateEvent_ReportsEventTimesInEndMode()
    {
        var late = new List<LateEvent>();
        var options = new RuleEngineOptions { EventTime = EventTimeMode.End, AllowedLateness = TimeSpan.Zero, OnLateEvent = late.Add };

        // "b" ends at 100 s and is released; "a" starts after it but ends at 70 s.
        Events.RunEngine(Every, [Events.At(40, id: "b", duration: 60), Events.At(60, id: "a", duration: 10)], options);

        var report = Assert.Single(late);
        Assert.Equal("a", report.Event.Interaction.InteractionId);
        Assert.Equal(Events.Time(70), report.EventTime);
        Assert.Equal(Events.Time(100), report.LastReleasedEventTime);
        Assert.Equal(TimeSpan.FromSeconds(30), report.Lateness);
    }

    [Fact]
    public void Suppression_RunsOnTheEndTimeInEndMode()
    {
        var rule = Set(new Rule("Any", groupBy: Field.CustomerId, suppress: TimeSpan.FromMinutes(1)));
        // Starts 90 s apart (past the suppression), ends 30 s apart (within it).
        Interaction[] events = [Events.At(0, id: "a", duration: 60), Events.At(90, id: "b", duration: 0)];

        Assert.Equal(2, Events.RunEngine(rule, events, Mode(EventTimeMode.Start)).Count);
        Assert.Equal("a", Assert.Single(Events.RunEngine(rule, events, Mode(EventTimeMode.End))).InteractionId);
    }

    [Fact]
    public void DetectAlerts_TakesTheEventTimeFromItsOptions()
    {
        Interaction[] arrivals = [Events.At(0, id: "long", duration: 100), Events.At(50, id: "short", duration: 10)];
        var alerts = new List<Alert>();

        using (arrivals.ToObservable().DetectAlerts(Every, Mode(EventTimeMode.End)).Subscribe(alerts.Add))
        {
        }

        Assert.Equal(["short", "long"], alerts.Select(a => a.InteractionId));
        Assert.Equal(Events.Time(100), alerts[1].TriggeredAt);
    }

    [Fact]
    public void UndefinedMode_IsRejectedNamingTheOption()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RuleEngine(Every, _ => { }, new RuleEngineOptions { EventTime = (EventTimeMode)7 }));
        Assert.Equal(nameof(EventOrderingOptions.EventTime), error.ParamName);
    }

    private static DateTimeOffset EndOf(Interaction e) => e.StartTime.AddSeconds(e.DurationSeconds);
}
