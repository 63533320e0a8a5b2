namespace CallStream.Abstractions.Tests;

/// <summary>The source events' factories, equality and text.</summary>
public sealed class InteractionSourceEventTests
{
    private static readonly Interaction Call = new("i-1", "c-1", "a-1", Channel.Voice, new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.Zero), 60, Outcome.Resolved);
    private static readonly DateTimeOffset At = new(2024, 3, 1, 9, 0, 5, TimeSpan.Zero);

    [Fact]
    public void Record_CarriesPartitionOffsetTimestampAndInteraction()
    {
        var e = InteractionSourceEvent.Record(2, 41, At, Call);
        Assert.Equal(InteractionSourceEventKind.Record, e.Kind);
        Assert.Equal((2, 41L, -1L, At, Call, (string?)null), (e.Partition, e.Offset, e.CommittedOffset, e.Timestamp, e.Interaction, e.Reason));
        Assert.Equal("record 2:41 i-1", e.ToString());
    }

    [Fact]
    public void PartitionEvents_CarryWhatTheirKindNeeds()
    {
        Assert.Equal((InteractionSourceEventKind.PartitionAssigned, 3, 10L, 7L), Parts(InteractionSourceEvent.PartitionAssigned(3, 10, 7)));
        Assert.Equal((InteractionSourceEventKind.PartitionRevoked, 3, -1L, -1L), Parts(InteractionSourceEvent.PartitionRevoked(3)));
        Assert.Equal((InteractionSourceEventKind.PartitionLost, 3, -1L, -1L), Parts(InteractionSourceEvent.PartitionLost(3)));
        Assert.Equal((InteractionSourceEventKind.PartitionCaughtUp, 3, 99L, -1L), Parts(InteractionSourceEvent.PartitionCaughtUp(3, 99)));
        var active = InteractionSourceEvent.PartitionActive(3, "its leader is unreachable");
        Assert.Equal((InteractionSourceEventKind.PartitionActive, 3, -1L, -1L), Parts(active));
        Assert.Equal("its leader is unreachable", active.Reason);
        var dead = InteractionSourceEvent.DeadLettered(1, 5, At, "invalid-json: oops");
        Assert.Equal((InteractionSourceEventKind.DeadLettered, 1, 5L, -1L), Parts(dead));
        Assert.Equal("dead-lettered 1:5: invalid-json: oops", dead.ToString());
        Assert.Null(dead.Interaction);

        static (InteractionSourceEventKind, int, long, long) Parts(InteractionSourceEvent e) => (e.Kind, e.Partition, e.Offset, e.CommittedOffset);
    }

    [Fact]
    public void Equality_IsByValue()
    {
        Assert.Equal(InteractionSourceEvent.Record(1, 2, At, Call), InteractionSourceEvent.Record(1, 2, At, Call));
        Assert.True(InteractionSourceEvent.PartitionRevoked(1) == InteractionSourceEvent.PartitionRevoked(1));
        Assert.True(InteractionSourceEvent.PartitionRevoked(1) != InteractionSourceEvent.PartitionLost(1));
        Assert.NotEqual(InteractionSourceEvent.PartitionCaughtUp(1, 5), InteractionSourceEvent.PartitionCaughtUp(1, 6));
        Assert.Equal(InteractionSourceEvent.PartitionAssigned(0, -1, -1).GetHashCode(), InteractionSourceEvent.PartitionAssigned(0, -1, -1).GetHashCode());
        Assert.False(InteractionSourceEvent.PartitionRevoked(1).Equals((object)"x"));
    }

    [Fact]
    public void Factories_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => InteractionSourceEvent.Record(0, 0, At, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionSourceEvent.Record(-1, 0, At, Call));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionSourceEvent.Record(0, -1, At, Call));
        Assert.Throws<ArgumentException>(() => InteractionSourceEvent.DeadLettered(0, 0, At, ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionSourceEvent.DeadLettered(0, -1, At, "why"));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionSourceEvent.PartitionAssigned(0, -2, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionSourceEvent.PartitionAssigned(0, -1, -2));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionSourceEvent.PartitionRevoked(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionSourceEvent.PartitionLost(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => InteractionSourceEvent.PartitionCaughtUp(0, -1));
        Assert.Throws<ArgumentNullException>(() => InteractionSourceEvent.PartitionActive(0, null!));
    }

    [Fact]
    public void SourceHandlers_DefaultToNone()
    {
        var handlers = new InteractionSourceHandlers();
        Assert.Null(handlers.OnAssigned);
        Assert.Null(handlers.OnRevoking);
        Assert.Equal(new AssignedPartition(2, 40), new AssignedPartition(2, 40));
    }
}
