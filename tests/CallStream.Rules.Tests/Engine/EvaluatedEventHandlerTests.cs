using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

/// <summary>An <see cref="IEvaluatedEventHandler"/> gets each released event with the alerts it raised, in one call.</summary>
public class EvaluatedEventHandlerTests
{
    private static readonly Rule Failed = new("Failed", where: Eq(OutcomeField, Str("failed")));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EachEvent_ComesOnceWithItsOwnAlerts_TheSameAlertsAsTheAlertCallback(int seed)
    {
        var sorted = Streams.Sorted(seed);
        var rules = Streams.Rules();
        var expected = Events.Evaluate(rules, sorted);
        var handler = new Recorder();
        using (var engine = new RuleEngine(rules, handler))
        {
            foreach (var e in sorted)
                engine.Offer(e);
            engine.Complete();
        }

        Assert.Equal(sorted.Count, handler.Calls.Count);
        Assert.Equal(sorted.Select(e => e.InteractionId).Order(StringComparer.Ordinal), handler.Calls.Select(c => c.Item.Interaction.InteractionId).Order(StringComparer.Ordinal));
        Assert.All(handler.Calls, c => Assert.All(c.Alerts, a => Assert.Equal(c.Item.Interaction.InteractionId, a.InteractionId)));
        Assert.Equal(expected, handler.Calls.SelectMany(c => c.Alerts));
        Assert.DoesNotContain(handler.Calls, c => c.Duplicate);
    }

    [Fact]
    public void WarmUpEventsAndDuplicates_ComeWithoutAlerts_DuplicatesMarked()
    {
        var warm = Events.At(5, id: "w", outcome: Outcome.Failed);
        var failed = Events.At(10, id: "f", outcome: Outcome.Failed);
        var copy = new Interaction(failed.InteractionId, failed.CustomerId, failed.AgentId, failed.Channel, failed.StartTime, failed.DurationSeconds, failed.Outcome, failed.Satisfaction, failed.Attributes);
        var handler = new Recorder();
        using (var engine = new RuleEngine(Set(Failed), handler))
        {
            engine.Offer(new PartitionedInteraction(warm, 0, 0, WarmUp: true));
            engine.Offer(new PartitionedInteraction(failed, 0, 1));
            engine.Offer(new PartitionedInteraction(copy, 0, 2));
            engine.Complete();
        }

        Assert.Equal(
            [("w", 0, false), ("f", 1, false), ("f", 0, true)],
            handler.Calls.Select(c => (c.Item.Interaction.InteractionId, c.Alerts.Length, c.Duplicate)));
        Assert.Equal([0L, 1, 2], handler.Calls.Select(c => c.Item.Offset));
    }

    [Fact]
    public void Constructor_ChecksArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new RuleEngine(RuleSet.Empty, (IEvaluatedEventHandler)null!));
        Assert.Throws<ArgumentNullException>(() => new RuleEngine(null!, new Recorder()));
    }

    private sealed class Recorder : IEvaluatedEventHandler
    {
        public List<(PartitionedInteraction Item, Alert[] Alerts, bool Duplicate)> Calls { get; } = [];

        public void OnEvaluated(in PartitionedInteraction item, ReadOnlySpan<Alert> alerts, bool duplicate) =>
            Calls.Add((item, alerts.ToArray(), duplicate));
    }
}
