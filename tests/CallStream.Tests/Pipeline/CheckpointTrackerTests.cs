using CallStream.Pipeline;

namespace CallStream.Tests.Pipeline;

public class CheckpointTrackerTests
{
    [Fact]
    public void CommitPoint_MovesOnlyOverAContiguousDonePrefix()
    {
        var tracker = new CheckpointTracker();
        var t10 = tracker.Begin(0, 10);
        var t11 = tracker.Begin(0, 11);
        var t12 = tracker.Begin(0, 12);

        t12.Complete();
        t11.Complete();
        Assert.False(tracker.TryGetCommittable(0, out _));
        Assert.Equal(3, tracker.InFlight);

        t10.Complete();
        Assert.True(tracker.TryGetCommittable(0, out long offset));
        Assert.Equal(13, offset);
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public void PendingWrites_HoldTheRecordUntilReleased()
    {
        var tracker = new CheckpointTracker();
        var advanced = new List<(int, long)>();
        tracker.Advanced += (p, o) => advanced.Add((p, o));
        var ticket = tracker.Begin(3, 100);
        ticket.AddPending(); // the interaction write
        ticket.AddPending(); // an alert write
        ticket.Complete();
        ticket.Release();
        Assert.False(ticket.IsDone);
        Assert.Empty(advanced);

        ticket.Release();

        Assert.True(ticket.IsDone);
        Assert.Equal([(3, 101L)], advanced);
    }

    [Fact]
    public void Partitions_AreIndependent()
    {
        var tracker = new CheckpointTracker();
        var a = tracker.Begin(0, 5);
        var b = tracker.Begin(1, 7);
        b.Complete();
        Assert.False(tracker.TryGetCommittable(0, out _));
        Assert.True(tracker.TryGetCommittable(1, out long offset));
        Assert.Equal(8, offset);
        a.Complete();
        Assert.True(tracker.TryGetCommittable(0, out offset));
        Assert.Equal(6, offset);
    }

    [Fact]
    public void Begin_OutOfOffsetOrder_Throws()
    {
        var tracker = new CheckpointTracker();
        tracker.Begin(0, 5);
        var ex = Assert.Throws<ArgumentException>(() => tracker.Begin(0, 5));
        Assert.Contains("offset order", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Begin(0, -1));
    }

    [Fact]
    public void RemovedPartition_IgnoresLateCompletions()
    {
        var tracker = new CheckpointTracker();
        var ticket = tracker.Begin(0, 1);
        tracker.Remove(0);
        ticket.Complete();
        Assert.False(tracker.TryGetCommittable(0, out _));
    }

    [Fact]
    public void Ticket_ReleasedTooOften_Throws()
    {
        var ticket = new CheckpointTracker().Begin(0, 0);
        ticket.Complete();
        Assert.Throws<InvalidOperationException>(ticket.Release);
        Assert.Throws<InvalidOperationException>(ticket.AddPending);
    }
}
