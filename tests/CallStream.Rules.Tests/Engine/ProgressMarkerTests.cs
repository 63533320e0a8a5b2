using Microsoft.Extensions.Time.Testing;

namespace CallStream.Rules.Tests.Engine;

/// <summary>Progress markers: a partition's event time moves on without an event, as an upstream stage reports it.</summary>
public class ProgressMarkerTests
{
    private readonly List<PartitionedInteraction> _released = [];
    private readonly FakeTimeProvider _clock = new();

    private EventTimeOrderer Create() => new(_released.Add, new EventOrderingOptions
    {
        AllowedLateness = TimeSpan.FromSeconds(5),
        IdleTimeout = TimeSpan.FromSeconds(1),
        TimeProvider = _clock,
    });

    private IEnumerable<string> ReleasedIds => _released.Select(r => r.Interaction.InteractionId);

    [Fact]
    public void A_PartitionWithoutEvents_HoldsTheWatermark_UntilItsMarkerArrives()
    {
        var orderer = Create();
        orderer.AddPartition(1);
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "a"), 0));
        orderer.Offer(new PartitionedInteraction(Events.At(60, id: "b"), 0));
        Assert.Empty(_released); // partition 1 has delivered nothing: no watermark

        orderer.Advance(1, Events.Time(30));   // partition 1 reached 30 s: watermark 25 s
        Assert.Equal(["a"], ReleasedIds);
        Assert.Equal(Events.Time(25), orderer.Watermark);

        orderer.Advance(1, Events.Time(10));   // older than what it reached: nothing changes
        Assert.Equal(Events.Time(25), orderer.Watermark);

        orderer.Advance(1, Events.Time(100));  // now partition 0 (60 s) holds it: watermark 55 s
        Assert.Equal(["a"], ReleasedIds);
        Assert.Equal(Events.Time(55), orderer.Watermark);
        orderer.Offer(new PartitionedInteraction(Events.At(70, id: "c"), 0));
        Assert.Equal(["a", "b"], ReleasedIds);
    }

    [Fact]
    public void A_Marker_DoesNotEndCaughtUp_SoAnIdlePartitionStaysIdle()
    {
        var orderer = Create();
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "a"), 0));
        orderer.Offer(new PartitionedInteraction(Events.At(100, id: "b"), 1));
        orderer.MarkCaughtUp(0);
        _clock.Advance(TimeSpan.FromSeconds(2));
        orderer.Advance(0, Events.Time(1)); // a late marker of the idle partition
        Assert.Equal(["a"], ReleasedIds);
        Assert.Equal(Events.Time(95), orderer.Watermark);
    }

    [Fact]
    public void The_Engine_EvaluatesWhatAMarkerReleases()
    {
        var rules = RuleText.Parse("rule Long\n  where duration_seconds > 100\n  severity info\n").RuleSet!;
        var alerts = new List<Alert>();
        using var engine = new RuleEngine(rules, alerts.Add, new RuleEngineOptions { AllowedLateness = TimeSpan.Zero });
        engine.AddPartition(0);
        engine.AddPartition(1);
        engine.Offer(new PartitionedInteraction(Events.At(0, id: "x", duration: 500), 0));
        Assert.Empty(alerts);
        engine.Advance(1, Events.Time(0));
        Assert.Equal(["x"], alerts.Select(a => a.InteractionId));
    }
}
