using Microsoft.Extensions.Time.Testing;

namespace CallStream.Rules.Tests.Engine;

/// <summary>The "Ordering" bullets of the semantics: watermark, lateness, idle and slow partitions, completion.</summary>
public class EventTimeOrdererTests
{
    private readonly List<PartitionedInteraction> _released = [];
    private readonly List<LateEvent> _late = [];
    private readonly FakeTimeProvider _clock = new();

    private EventTimeOrderer Create(double latenessSeconds = 5, double idleSeconds = 1) => new(_released.Add, new EventOrderingOptions
    {
        AllowedLateness = TimeSpan.FromSeconds(latenessSeconds),
        IdleTimeout = TimeSpan.FromSeconds(idleSeconds),
        TimeProvider = _clock,
        OnLateEvent = _late.Add,
    });

    private IEnumerable<string> ReleasedIds => _released.Select(r => r.Interaction.InteractionId);

    [Fact]
    public void Events_AreHeldUntilTheWatermarkPassesThem()
    {
        var orderer = Create();
        orderer.Offer(Events.At(0, id: "a"));
        orderer.Offer(Events.At(3, id: "b"));
        Assert.Empty(_released);
        Assert.Equal(Events.Time(-2), orderer.Watermark);
        orderer.Offer(Events.At(5, id: "c"));   // watermark 0: "a" is at it
        Assert.Equal(["a"], ReleasedIds);
        orderer.Offer(Events.At(10, id: "d"));  // watermark 5
        Assert.Equal(["a", "b", "c"], ReleasedIds);
        Assert.Equal(1, orderer.HeldCount);
        Assert.Equal(Events.Time(5), orderer.LastReleasedEventTime);
    }

    [Fact]
    public void OutOfOrderArrivals_WithinTheLateness_AreReleasedSorted()
    {
        var orderer = Create();
        foreach (var (t, id) in new[] { (2.0, "c"), (0.0, "a"), (4.0, "e"), (1.0, "b"), (3.0, "d"), (20.0, "z") })
            orderer.Offer(Events.At(t, id: id));
        Assert.Equal(["a", "b", "c", "d", "e"], ReleasedIds);
        Assert.Equal(0, orderer.LateCount);
    }

    [Fact]
    public void Ties_AreBrokenByInteractionIdOrdinal()
    {
        var orderer = Create();
        orderer.Offer(Events.At(0, id: "b"));
        orderer.Offer(Events.At(0, id: "a"));
        orderer.Offer(Events.At(0, id: "B"));
        orderer.Offer(Events.At(0, id: "a2"));
        orderer.Complete();
        Assert.Equal(["B", "a", "a2", "b"], ReleasedIds);
    }

    [Fact]
    public void LateEvent_IsReleasedAtOnceCountedAndReported()
    {
        var orderer = Create(latenessSeconds: 2);
        orderer.Offer(Events.At(0, id: "a"));
        orderer.Offer(Events.At(10, id: "b"));   // releases a
        orderer.Offer(Events.At(20, id: "c"));   // releases b
        orderer.Offer(Events.At(4, id: "late")); // before b: late
        Assert.Equal(["a", "b", "late"], ReleasedIds);
        Assert.Equal(1, orderer.LateCount);
        var late = Assert.Single(_late);
        Assert.Equal("late", late.Event.Interaction.InteractionId);
        Assert.Equal(Events.Time(10), late.LastReleasedEventTime);
        Assert.Equal(TimeSpan.FromSeconds(6), late.Lateness);
        orderer.Complete();
        Assert.Equal(["a", "b", "late", "c"], ReleasedIds);
        Assert.Equal(4, orderer.ReleasedCount);
    }

    [Fact]
    public void LateEvent_ByIdAtTheSameInstant_IsLate()
    {
        var orderer = Create(latenessSeconds: 0);
        orderer.Offer(Events.At(0, id: "b"));
        orderer.Offer(Events.At(0, id: "a"));
        Assert.Equal(["b", "a"], ReleasedIds);
        Assert.Equal(TimeSpan.Zero, Assert.Single(_late).Lateness);
    }

    [Fact]
    public void EventBetweenWatermarkAndNewest_IsNotLate()
    {
        var orderer = Create();
        orderer.Offer(Events.At(0, id: "a"));
        orderer.Offer(Events.At(10, id: "b"));   // releases a (watermark 5)
        orderer.Offer(Events.At(6, id: "c"));    // after a: held, not late
        Assert.Equal(0, orderer.LateCount);
        orderer.Complete();
        Assert.Equal(["a", "c", "b"], ReleasedIds);
    }

    [Fact]
    public void Complete_ReleasesEverythingInOrder_AndAcceptsNothingAfter()
    {
        var orderer = Create(latenessSeconds: 3600);
        orderer.Offer(Events.At(30, id: "c"));
        orderer.Offer(Events.At(10, id: "a"));
        orderer.Offer(Events.At(20, id: "b"));
        Assert.Empty(_released);
        orderer.Complete();
        Assert.Equal(["a", "b", "c"], ReleasedIds);
        Assert.True(orderer.IsCompleted);
        Assert.Throws<InvalidOperationException>(() => orderer.Offer(Events.At(40)));
        Assert.Throws<InvalidOperationException>(() => orderer.MarkCaughtUp(0));
        orderer.Poll();
        orderer.Complete();
        Assert.Equal(3, _released.Count);
    }

    [Fact]
    public void Watermark_IsTheMinimumOverPartitions()
    {
        var orderer = Create(latenessSeconds: 0);
        orderer.AddPartition(0);
        orderer.AddPartition(1);
        orderer.Offer(new PartitionedInteraction(Events.At(10, id: "p0a"), 0));
        Assert.Null(orderer.Watermark);
        orderer.Offer(new PartitionedInteraction(Events.At(3, id: "p1a"), 1));
        Assert.Equal(Events.Time(3), orderer.Watermark);
        Assert.Equal(["p1a"], ReleasedIds);
        orderer.Offer(new PartitionedInteraction(Events.At(12, id: "p1b"), 1));
        Assert.Equal(["p1a", "p0a"], ReleasedIds);
        Assert.Equal(Events.Time(10), orderer.Watermark);
    }

    [Fact]
    public void PartitionJoiningBehind_CatchesUpInOrder_NotLate()
    {
        // Partition 1 is assigned after partition 0 released up to 90 s: its older events are its keys' first, not late,
        // and they are released in order before what partition 0 still holds.
        var orderer = Create(latenessSeconds: 5);
        orderer.AddPartition(0);
        orderer.Offer(new PartitionedInteraction(Events.At(90, id: "p0a"), 0));
        orderer.Offer(new PartitionedInteraction(Events.At(100, id: "p0b"), 0));
        Assert.Equal(["p0a"], ReleasedIds);

        orderer.AddPartition(1);
        orderer.Offer(new PartitionedInteraction(Events.At(30, id: "p1b"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(20, id: "p1a"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(110, id: "p0c"), 0));
        Assert.Equal(["p0a", "p1a"], ReleasedIds);
        orderer.Offer(new PartitionedInteraction(Events.At(120, id: "p1c"), 1));
        Assert.Equal(["p0a", "p1a", "p1b", "p0b"], ReleasedIds);
        Assert.Equal(0, orderer.LateCount);
        Assert.Empty(_late);
    }

    [Fact]
    public void PartitionJoiningBehind_IsLateAgainstWhatWasReleasedSinceItJoined()
    {
        var orderer = Create(latenessSeconds: 0);
        orderer.AddPartition(0);
        orderer.Offer(new PartitionedInteraction(Events.At(100, id: "p0a"), 0));
        orderer.AddPartition(1);
        orderer.Offer(new PartitionedInteraction(Events.At(40, id: "p1a"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(200, id: "p0b"), 0));
        orderer.Offer(new PartitionedInteraction(Events.At(50, id: "p1b"), 1));
        Assert.Equal(["p0a", "p1a", "p1b"], ReleasedIds); // watermark 50

        // Behind what was released since partition 1 joined: late. Partition 0, there before, is still held to everything.
        orderer.Offer(new PartitionedInteraction(Events.At(45, id: "p1late"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(99, id: "p0late"), 0));
        Assert.Equal(["p1late", "p0late"], _late.Select(l => l.Event.Interaction.InteractionId));
        Assert.Equal(Events.Time(50), _late[0].LastReleasedEventTime);
        Assert.Equal(Events.Time(100), _late[1].LastReleasedEventTime);
        Assert.Equal(2, orderer.LateCount);
    }

    [Fact]
    public void AssignedPartitionWithoutData_HoldsTheWatermark()
    {
        var orderer = Create();
        orderer.AddPartition(0);
        orderer.AddPartition(1);
        for (int i = 0; i < 100; i++)
            orderer.Offer(new PartitionedInteraction(Events.At(i, id: "p0-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)), 0));
        Assert.Empty(_released);
        Assert.Null(orderer.Watermark);
        Assert.Equal(2, orderer.PartitionCount);
    }

    [Fact]
    public void CaughtUpPartition_StopsHoldingTheWatermarkAfterTheIdleTimeout()
    {
        var orderer = Create();
        orderer.AddPartition(1);
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "a"), 0));
        orderer.Offer(new PartitionedInteraction(Events.At(20, id: "b"), 0));
        orderer.MarkCaughtUp(1);
        Assert.Empty(_released);
        Assert.Equal(TimeSpan.FromSeconds(1), orderer.GetTimeUntilIdle());
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        orderer.Poll();
        Assert.Empty(_released);
        Assert.Equal(TimeSpan.FromMilliseconds(1), orderer.GetTimeUntilIdle());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        orderer.Poll();
        Assert.Equal(["a"], ReleasedIds);          // watermark 20 - 5 = 15
        Assert.Equal(Events.Time(15), orderer.Watermark);
        Assert.Null(orderer.GetTimeUntilIdle());
    }

    [Fact]
    public void SlowPartition_HoldsTheWatermarkWhateverTheWallTime()
    {
        var orderer = Create();
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "slow"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(100, id: "fast"), 0));
        _clock.Advance(TimeSpan.FromHours(1));
        orderer.Poll();
        Assert.Empty(_released);
        Assert.Equal(Events.Time(-5), orderer.Watermark);
    }

    [Fact]
    public void IdlePartition_WithNewData_HoldsTheWatermarkAgain()
    {
        var orderer = Create(latenessSeconds: 0, idleSeconds: 1);
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "p1"), 1));
        orderer.MarkCaughtUp(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        orderer.Offer(new PartitionedInteraction(Events.At(10, id: "p0a"), 0));  // partition 1 idle: released
        Assert.Equal(["p1", "p0a"], ReleasedIds);
        orderer.MarkHasData(1);
        orderer.Offer(new PartitionedInteraction(Events.At(20, id: "p0b"), 0));
        Assert.Equal(["p1", "p0a"], ReleasedIds);                                // held for partition 1 at 0
        orderer.Offer(new PartitionedInteraction(Events.At(15, id: "p1b"), 1));
        Assert.Equal(["p1", "p0a", "p1b"], ReleasedIds);
    }

    [Fact]
    public void IdlePartition_AssignedBack_HoldsTheWatermarkAgain_UntilCaughtUpAnew()
    {
        // Lost or revoked and assigned back: it is read again from its commit point, so what comes next may be older than
        // what the other partitions have reached since it went idle.
        var orderer = Create(latenessSeconds: 0, idleSeconds: 1);
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "p1a"), 1));
        orderer.MarkCaughtUp(1);
        _clock.Advance(TimeSpan.FromSeconds(1));
        orderer.Offer(new PartitionedInteraction(Events.At(10, id: "p0a"), 0));  // partition 1 idle: released
        Assert.Equal(["p1a", "p0a"], ReleasedIds);
        orderer.AddPartition(1);
        orderer.Offer(new PartitionedInteraction(Events.At(20, id: "p0b"), 0));
        _clock.Advance(TimeSpan.FromSeconds(5));
        orderer.Poll();
        Assert.Equal(["p1a", "p0a"], ReleasedIds);                                // held for partition 1 at 0
        orderer.Offer(new PartitionedInteraction(Events.At(15, id: "p1b"), 1));
        Assert.Equal(["p1a", "p0a", "p1b"], ReleasedIds);
        Assert.Empty(_late);
    }

    [Fact]
    public void OfferOnACaughtUpPartition_MarksItAsHavingData()
    {
        var orderer = Create(latenessSeconds: 0, idleSeconds: 1);
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "p1a"), 1));
        orderer.MarkCaughtUp(1);
        orderer.Offer(new PartitionedInteraction(Events.At(1, id: "p1b"), 1));   // no longer caught up
        _clock.Advance(TimeSpan.FromSeconds(5));
        orderer.Offer(new PartitionedInteraction(Events.At(50, id: "p0"), 0));
        Assert.Equal(["p1a", "p1b"], ReleasedIds);
    }

    [Fact]
    public void AllPartitionsIdle_UseTheNewestStartTimeOverAll()
    {
        var orderer = Create(latenessSeconds: 5, idleSeconds: 0);
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "a"), 0));
        orderer.Offer(new PartitionedInteraction(Events.At(30, id: "b"), 1));
        orderer.MarkCaughtUp(0);
        orderer.MarkCaughtUp(1);
        Assert.Equal(Events.Time(25), orderer.Watermark);
        Assert.Equal(["a"], ReleasedIds);
    }

    [Fact]
    public void RemovedPartition_NoLongerHoldsTheWatermark()
    {
        var orderer = Create(latenessSeconds: 0);
        orderer.AddPartition(1);
        orderer.Offer(new PartitionedInteraction(Events.At(5, id: "a"), 0));
        Assert.Empty(_released);
        orderer.RemovePartition(1);
        orderer.RemovePartition(7);
        Assert.Equal(["a"], ReleasedIds);
        Assert.Equal(1, orderer.PartitionCount);
    }

    [Fact]
    public void RemovedPartition_WithHeldEvents_StillReleasesThemInOrder()
    {
        var orderer = Create(latenessSeconds: 0);
        orderer.AddPartition(0);
        orderer.AddPartition(1);
        orderer.Offer(new PartitionedInteraction(Events.At(1, id: "p1-a"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(3, id: "p1-b"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(0, id: "p0-a"), 0));
        orderer.Offer(new PartitionedInteraction(Events.At(2, id: "p0-b"), 0)); // watermark 2 (min of 3 and 2)
        Assert.Equal(["p0-a", "p1-a", "p0-b"], ReleasedIds);
        orderer.RemovePartition(1); // its "p1-b" stays held until the watermark passes it
        Assert.Equal(1, orderer.HeldCount);
        orderer.Offer(new PartitionedInteraction(Events.At(2.5, id: "p0-c"), 0));
        Assert.Equal(["p0-a", "p1-a", "p0-b", "p0-c"], ReleasedIds);
        orderer.Offer(new PartitionedInteraction(Events.At(9, id: "p0-d"), 0));
        Assert.Equal(["p0-a", "p1-a", "p0-b", "p0-c", "p1-b", "p0-d"], ReleasedIds);
        orderer.AddPartition(1); // back, with nothing held yet: holds the watermark again
        orderer.Offer(new PartitionedInteraction(Events.At(10, id: "p1-e"), 1));
        orderer.Complete();
        Assert.Equal(["p0-a", "p1-a", "p0-b", "p0-c", "p1-b", "p0-d", "p1-e"], ReleasedIds);
    }

    [Fact]
    public void SecondPartition_JoiningWhileTheFirstIsReleasing_IsMergedInOrder()
    {
        var orderer = Create(latenessSeconds: 5);
        foreach (double t in new[] { 10.0, 11, 12, 16 })
            orderer.Offer(new PartitionedInteraction(Events.At(t, id: $"p0-{t}"), 0)); // watermark 11: two released
        Assert.Equal(["p0-10", "p0-11"], ReleasedIds);
        orderer.Offer(new PartitionedInteraction(Events.At(11.5, id: "p1-11.5"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(17, id: "p1-17"), 1));
        orderer.Offer(new PartitionedInteraction(Events.At(22, id: "p1-22"), 1)); // watermark min(16, 22) - 5 = 11
        orderer.Offer(new PartitionedInteraction(Events.At(20, id: "p0-20"), 0)); // watermark 15
        Assert.Equal(["p0-10", "p0-11", "p1-11.5", "p0-12"], ReleasedIds);
        orderer.Complete();
        Assert.Equal(["p0-10", "p0-11", "p1-11.5", "p0-12", "p0-16", "p1-17", "p0-20", "p1-22"], ReleasedIds);
    }

    /// <summary>
    /// Partitions delivering in chunks (as a consumer receives fetch responses), each mostly in event-time order with
    /// some events out of order within it: every event comes out once, and what is not late comes out in (time, id)
    /// order, exactly as a model that sorts everything held.
    /// </summary>
    /// <remarks>One and two partitions take the orderer's paths for a single run (a file); events further apart than the
    /// lateness (<paramref name="spacing"/> 6 s) leave one event held at a time.</remarks>
    [Theory]
    [InlineData(1, 1, 5, 0.7)]
    [InlineData(2, 3, 5, 0.7)]
    [InlineData(3, 8, 5, 0.7)]
    [InlineData(4, 50, 5, 0.7)]
    [InlineData(5, 1, 1, 0.7)]
    [InlineData(6, 1, 1, 6)]
    [InlineData(7, 3, 2, 6)]
    [InlineData(8, 1, 2, 3)]
    public void InterleavedPartitions_ComeOutInEventTimeOrder(int seed, int chunk, int partitions, double spacing)
    {
        var random = new Random(seed);
        var perPartition = Enumerable.Range(0, partitions).Select(_ => new List<Interaction>()).ToArray();
        for (int n = 0; n < 3000; n++)
        {
            double t = n * spacing + (random.Next(10) == 0 ? -random.NextDouble() * 4 : 0); // one in ten out of order (within the lateness)
            perPartition[random.Next(partitions)].Add(Events.At(t, id: $"e{random.Next(100000):D5}"));
        }
        var orderer = Create(latenessSeconds: 5);
        var positions = new int[partitions];
        var expectedInOrder = new List<(double, string)>();
        var offered = new List<Interaction>();
        while (positions.Select((p, i) => p < perPartition[i].Count).Any(x => x))
        {
            int partition = random.Next(partitions);
            for (int k = 0; k < chunk && positions[partition] < perPartition[partition].Count; k++)
            {
                var e = perPartition[partition][positions[partition]++];
                offered.Add(e);
                orderer.Offer(new PartitionedInteraction(e, partition, positions[partition]));
            }
        }
        orderer.Complete();

        Assert.Equal(offered.Count, _released.Count);
        Assert.Equal(offered.Select(e => e.InteractionId).Order(StringComparer.Ordinal), ReleasedIds.Order(StringComparer.Ordinal));
        var late = _late.Select(l => l.Event.Interaction).ToHashSet(ReferenceEqualityComparer.Instance);
        var inOrder = _released.Where(r => !late.Contains(r.Interaction)).Select(r => r.Interaction).ToList();
        for (int i = 1; i < inOrder.Count; i++)
        {
            int byTime = inOrder[i - 1].StartTime.CompareTo(inOrder[i].StartTime);
            Assert.True(byTime < 0 || (byTime == 0 && string.CompareOrdinal(inOrder[i - 1].InteractionId, inOrder[i].InteractionId) <= 0), $"{inOrder[i - 1].InteractionId} before {inOrder[i].InteractionId}");
        }
        Assert.Equal(0, orderer.HeldCount);
    }

    [Fact]
    public void ReleasedItems_KeepPartitionOffsetAndWarmUp()
    {
        var orderer = Create(latenessSeconds: 0);
        var item = new PartitionedInteraction(Events.At(0), 3, 42, WarmUp: true);
        orderer.Offer(item);
        Assert.Equal(item, Assert.Single(_released));
    }

    [Fact]
    public void ReleaseCallback_MayNotCallBack()
    {
        EventTimeOrderer? orderer = null;
        orderer = new EventTimeOrderer(_ => orderer!.Offer(Events.At(100)), new EventOrderingOptions { AllowedLateness = TimeSpan.Zero });
        Assert.Throws<InvalidOperationException>(() => orderer.Offer(Events.At(0)));
    }

    [Fact]
    public void Constructor_ChecksArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new EventTimeOrderer(null!));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new EventTimeOrderer(_ => { }, new EventOrderingOptions { AllowedLateness = TimeSpan.FromSeconds(-1) }));
        Assert.Equal("AllowedLateness", ex.ParamName);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => new EventTimeOrderer(_ => { }, new EventOrderingOptions { IdleTimeout = TimeSpan.FromSeconds(-1) }));
        Assert.Equal("IdleTimeout", ex.ParamName);
        var nullClock = Assert.Throws<ArgumentException>(() => new EventTimeOrderer(_ => { }, new EventOrderingOptions { TimeProvider = null! }));
        Assert.Equal("TimeProvider", nullClock.ParamName);
    }

    [Fact]
    public void Offer_ChecksArguments()
    {
        var orderer = Create();
        Assert.Throws<ArgumentNullException>(() => orderer.Offer((Interaction)null!));
        Assert.Throws<ArgumentException>(() => orderer.Offer(default(PartitionedInteraction)));
    }

    [Fact]
    public void Defaults_AreFiveSecondsLatenessAndOneSecondIdle()
    {
        var options = new EventOrderingOptions();
        Assert.Equal(TimeSpan.FromSeconds(5), options.AllowedLateness);
        Assert.Equal(TimeSpan.FromSeconds(1), options.IdleTimeout);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.Null(options.OnLateEvent);
    }
}
