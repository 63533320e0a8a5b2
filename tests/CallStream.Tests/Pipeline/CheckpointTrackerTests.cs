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
        var ticket = tracker.Begin(3, 100);
        ticket.AddPending(); // the interaction write
        ticket.AddPending(); // an alert write
        ticket.Complete();
        ticket.Release();
        Assert.False(ticket.IsDone);
        Assert.Empty(Drain(tracker));

        ticket.Release();

        Assert.True(ticket.IsDone);
        Assert.Equal([(3, 101L)], Drain(tracker));
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

    [Fact]
    public void Slots_AdvanceOverTheDonePrefix_LikeTickets()
    {
        var tracker = new CheckpointTracker();
        var s10 = tracker.BeginSlot(0, 10);
        var s11 = tracker.BeginSlot(0, 11);
        var t12 = tracker.Begin(0, 12);

        t12.Complete();
        tracker.Complete(s11);
        Assert.False(tracker.TryGetCommittable(0, out _));
        Assert.Equal(3, tracker.InFlight);

        tracker.Complete(s10);

        Assert.True(tracker.TryGetCommittable(0, out long offset));
        Assert.Equal(13, offset);
        Assert.Equal(0, tracker.InFlight);
        Assert.Equal([(0, 13L)], Drain(tracker));
    }

    [Fact]
    public void AttachedTicket_HoldsTheSlotUntilItsWritesAreDone()
    {
        var tracker = new CheckpointTracker();
        var slot = tracker.BeginSlot(2, 40);
        var next = tracker.BeginSlot(2, 41);
        var ticket = tracker.AttachTicket(slot);
        Assert.Equal(40, ticket.Offset);
        ticket.AddPending(); // an alert write
        ticket.Complete();
        tracker.Complete(next);
        Assert.False(tracker.TryGetCommittable(2, out _));

        ticket.Release();

        Assert.True(tracker.TryGetCommittable(2, out long offset));
        Assert.Equal(42, offset);
    }

    [Fact]
    public void Slot_OfARemovedPartition_IsIgnored_AndItsTicketTracksNothing()
    {
        var tracker = new CheckpointTracker();
        var first = tracker.BeginSlot(0, 1);
        var second = tracker.BeginSlot(0, 2);
        tracker.Remove(0);
        var fresh = tracker.BeginSlot(0, 7); // the partition comes back

        tracker.Complete(first);
        var ticket = tracker.AttachTicket(second);
        ticket.Complete();

        Assert.Empty(Drain(tracker));
        Assert.False(tracker.TryGetCommittable(0, out _));
        tracker.Complete(fresh);
        Assert.Equal([(0, 8L)], Drain(tracker));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomCompletionOrder_MatchesAModel(int seed)
    {
        // Up to 1,000 records in flight (the ring grows many times), offsets with gaps, slots and tickets mixed,
        // completed in random order; after every completion the commit point is one past the done prefix.
        var random = new Random(seed);
        var tracker = new CheckpointTracker();
        var offsets = new List<long>();
        var done = new List<bool>();
        var handles = new List<Action>();
        long offset = 100;
        for (int i = 0; i < 1_000; i++)
        {
            offset += random.Next(1, 3);
            offsets.Add(offset);
            done.Add(false);
            switch (random.Next(3))
            {
                case 0:
                    var ticket = tracker.Begin(5, offset);
                    handles.Add(ticket.Complete);
                    break;
                case 1:
                    var slot = tracker.BeginSlot(5, offset);
                    handles.Add(() => tracker.Complete(slot));
                    break;
                default:
                    var attached = tracker.AttachTicket(tracker.BeginSlot(5, offset));
                    handles.Add(attached.Complete);
                    break;
            }
        }

        foreach (int index in Enumerable.Range(0, offsets.Count).OrderBy(_ => random.Next()))
        {
            handles[index]();
            done[index] = true;
            int prefix = done.IndexOf(false);
            if (prefix == 0)
            {
                Assert.False(tracker.TryGetCommittable(5, out _));
            }
            else
            {
                Assert.True(tracker.TryGetCommittable(5, out long committable));
                Assert.Equal(offsets[(prefix < 0 ? offsets.Count : prefix) - 1] + 1, committable);
            }
            Assert.Equal(prefix < 0 ? 0 : offsets.Count - prefix, tracker.InFlight); // done records behind an undone one still count
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void RingReuse_BeginningWhileCompleting_MatchesAModel(int seed)
    {
        // 10,000 records, at most 100 in flight: the ring wraps around many times, so every place in it is reused by
        // records of every kind (slot, attached ticket, ticket) after records of every kind.
        var random = new Random(seed);
        var tracker = new CheckpointTracker();
        var inFlight = new List<(long Offset, Action Complete)>();
        var done = new SortedDictionary<long, bool>();
        long offset = 0;
        for (int begun = 0; begun < 10_000 || inFlight.Count > 0;)
        {
            if (begun < 10_000 && (inFlight.Count == 0 || (inFlight.Count < 100 && random.Next(2) == 0)))
            {
                offset += random.Next(1, 3);
                long o = offset;
                Action complete = random.Next(3) switch
                {
                    0 => tracker.Begin(1, o).Complete,
                    1 => tracker.AttachTicket(tracker.BeginSlot(1, o)).Complete,
                    _ => CompleteSlot(tracker, tracker.BeginSlot(1, o)),
                };
                inFlight.Add((o, complete));
                done[o] = false;
                begun++;
                continue;
            }
            int pick = random.Next(inFlight.Count);
            var (completedOffset, completeIt) = inFlight[pick];
            inFlight.RemoveAt(pick);
            completeIt();
            done[completedOffset] = true;
            long? expected = null;
            foreach (var (o, d) in done)
            {
                if (!d)
                    break;
                expected = o + 1;
            }
            if (expected is long e)
            {
                Assert.True(tracker.TryGetCommittable(1, out long committable));
                Assert.Equal(e, committable);
                foreach (long o in done.Keys.Where(k => k < e).ToList())
                    done.Remove(o);
            }
            Assert.Equal(done.Count, tracker.InFlight);
        }
    }

    [Fact]
    public void DrainAdvanced_ReportsEachPartitionOnce_WithItsLatestCommitPoint()
    {
        var tracker = new CheckpointTracker();
        tracker.Begin(0, 0).Complete();
        tracker.Begin(0, 1).Complete();
        tracker.Begin(4, 9).Complete();
        var pending = tracker.Begin(4, 10);
        var advanced = new Dictionary<int, long>();

        Assert.Equal(2, tracker.DrainAdvanced(advanced));
        Assert.Equal(new Dictionary<int, long> { [0] = 2, [4] = 10 }, advanced);
        Assert.Empty(Drain(tracker)); // nothing moved since

        pending.Complete();
        Assert.Equal([(4, 11L)], Drain(tracker));
    }

    [Fact]
    public void DrainAdvanced_DoesNotReportAPartitionRemovedBeforeTheDrain()
    {
        var tracker = new CheckpointTracker();
        tracker.Begin(1, 5).Complete();
        tracker.Begin(2, 5).Complete();

        tracker.Remove(1);

        Assert.Equal([(2, 6L)], Drain(tracker));
    }

    [Fact]
    public async Task TicketsReleasedOnAnotherThread_WakeTheWaiter_AndTheDrainingThreadGetsTheOffset()
    {
        var tracker = new CheckpointTracker();
        var ticket = tracker.Begin(0, 41);
        ticket.AddPending(); // a sink write
        ticket.Complete();
        var woken = tracker.WhenAdvanced();
        Assert.False(woken.IsCompleted);

        await Task.Run(ticket.Release, TestContext.Current.CancellationToken); // the sink's thread: it marks the ticket done and stores nothing itself

        await woken.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal([(0, 42L)], Drain(tracker));
        Assert.False(tracker.WhenAdvanced().IsCompleted);
    }

    [Fact]
    public void DrainAdvanced_ChecksItsArgument() =>
        Assert.Throws<ArgumentNullException>(() => new CheckpointTracker().DrainAdvanced(null!));

    private static List<(int, long)> Drain(CheckpointTracker tracker)
    {
        var advanced = new Dictionary<int, long>();
        tracker.DrainAdvanced(advanced);
        return [.. advanced.OrderBy(a => a.Key).Select(a => (a.Key, a.Value))];
    }

    private static Action CompleteSlot(CheckpointTracker tracker, CheckpointTracker.Slot slot) => () => tracker.Complete(slot);
}
