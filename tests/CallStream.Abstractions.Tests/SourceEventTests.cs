namespace CallStream.Abstractions.Tests;

/// <summary>The source events' factories, equality and text.</summary>
public sealed class SourceEventTests
{
    private static readonly Interaction Call = new("i-1", "c-1", "a-1", Channel.Voice, new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.Zero), 60, Outcome.Resolved);
    private static readonly DateTimeOffset At = new(2024, 3, 1, 9, 0, 5, TimeSpan.Zero);

    [Fact]
    public void Record_CarriesPartitionOffsetTimestampAndInteraction()
    {
        var e = SourceEvent.Record(2, 41, At, Call);
        Assert.Equal(SourceEventKind.Record, e.Kind);
        Assert.Equal((2, 41L, -1L, At, Call, (string?)null), (e.Partition, e.Offset, e.CommittedOffset, e.Timestamp, e.Interaction, e.Reason));
        Assert.Equal("record 2:41 i-1", e.ToString());
    }

    [Fact]
    public void PartitionEvents_CarryWhatTheirKindNeeds()
    {
        Assert.Equal((SourceEventKind.PartitionAssigned, 3, 10L, 7L), Parts(SourceEvent.PartitionAssigned(3, 10, 7)));
        Assert.Equal((SourceEventKind.PartitionRevoked, 3, -1L, -1L), Parts(SourceEvent.PartitionRevoked(3)));
        Assert.Equal((SourceEventKind.PartitionLost, 3, -1L, -1L), Parts(SourceEvent.PartitionLost(3)));
        Assert.Equal((SourceEventKind.PartitionCaughtUp, 3, 99L, -1L), Parts(SourceEvent.PartitionCaughtUp(3, 99)));
        var active = SourceEvent.PartitionActive(3, "its leader is unreachable");
        Assert.Equal((SourceEventKind.PartitionActive, 3, -1L, -1L), Parts(active));
        Assert.Equal("its leader is unreachable", active.Reason);
        var dead = SourceEvent.DeadLettered(1, 5, At, "invalid-json: oops");
        Assert.Equal((SourceEventKind.DeadLettered, 1, 5L, -1L), Parts(dead));
        Assert.Equal("dead-lettered 1:5: invalid-json: oops", dead.ToString());
        Assert.Null(dead.Interaction);

        static (SourceEventKind, int, long, long) Parts(SourceEvent e) => (e.Kind, e.Partition, e.Offset, e.CommittedOffset);
    }

    [Fact]
    public void Equality_IsByValue()
    {
        Assert.Equal(SourceEvent.Record(1, 2, At, Call), SourceEvent.Record(1, 2, At, Call));
        Assert.True(SourceEvent.PartitionRevoked(1) == SourceEvent.PartitionRevoked(1));
        Assert.True(SourceEvent.PartitionRevoked(1) != SourceEvent.PartitionLost(1));
        Assert.NotEqual(SourceEvent.PartitionCaughtUp(1, 5), SourceEvent.PartitionCaughtUp(1, 6));
        Assert.Equal(SourceEvent.PartitionAssigned(0, -1, -1).GetHashCode(), SourceEvent.PartitionAssigned(0, -1, -1).GetHashCode());
        Assert.False(SourceEvent.PartitionRevoked(1).Equals((object)"x"));
    }

    [Fact]
    public void Factories_BadArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => SourceEvent.Record(0, 0, At, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => SourceEvent.Record(-1, 0, At, Call));
        Assert.Throws<ArgumentOutOfRangeException>(() => SourceEvent.Record(0, -1, At, Call));
        Assert.Throws<ArgumentException>(() => SourceEvent.DeadLettered(0, 0, At, ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => SourceEvent.DeadLettered(0, -1, At, "why"));
        Assert.Throws<ArgumentOutOfRangeException>(() => SourceEvent.PartitionAssigned(0, -2, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SourceEvent.PartitionAssigned(0, -1, -2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SourceEvent.PartitionRevoked(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SourceEvent.PartitionLost(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SourceEvent.PartitionCaughtUp(0, -1));
        Assert.Throws<ArgumentNullException>(() => SourceEvent.PartitionActive(0, null!));
    }

    [Fact]
    public void SourceHandlers_DefaultToNone()
    {
        var handlers = new SourceHandlers();
        Assert.Null(handlers.OnAssigned);
        Assert.Null(handlers.OnRevoking);
        Assert.Equal(new AssignedPartition(2, 40), new AssignedPartition(2, 40));
    }
}
