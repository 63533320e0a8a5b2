namespace CallStream.Kafka.Tests.Repartition;

/// <summary>The event times a repartition reader keeps of one repartition partition, whose source partitions interleave out of event-time order.</summary>
public class RepartitionTimeIndexTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 6, 8, 0, 0, TimeSpan.Zero);

    private static long At(int minutes) => T0.AddMinutes(minutes).UtcTicks;

    /// <summary>Offsets 0-5: source partition A's records at 10-60 min, then B's at 5-25 min (forwarded later).</summary>
    private static RepartitionTimeIndex Interleaved()
    {
        var index = RepartitionTimeIndex.From(0, null);
        int offset = 0;
        foreach (int minutes in new[] { 10, 20, 60, 5, 15, 25 })
            index.Observe(offset++, At(minutes));
        return index;
    }

    [Fact]
    public void WarmUpFrom_IsTheFirstOffsetWhoseRunningMaximumReachesTheThreshold()
    {
        var index = Interleaved();
        Assert.Equal(0, index.WarmUpFrom(At(10)));
        Assert.Equal(1, index.WarmUpFrom(At(11)));
        // B's records at 5-25 min come after A's 60 min one: nothing before offset 2 is at or after 30 min, but offsets 3-5 are older.
        Assert.Equal(2, index.WarmUpFrom(At(30)));
        Assert.Equal(long.MaxValue, index.WarmUpFrom(At(61)));
    }

    [Fact]
    public void EarliestFrom_IsTheMinimumOverTheRecordsFromAnOffsetOn_NotTheRecordBefore()
    {
        var index = Interleaved();
        Assert.Equal(At(5), index.EarliestFrom(2)); // the record at offset 2 is at 60 min, but B's later ones are older
        Assert.Equal(At(15), index.EarliestFrom(4));
        Assert.Equal(At(25), index.EarliestFrom(5));
        Assert.Equal(long.MaxValue, index.EarliestFrom(6));
    }

    [Fact]
    public void ReadingStartedMidway_WithoutAPosition_ProvesNothingBeforeIt()
    {
        var index = RepartitionTimeIndex.From(100, null);
        index.Observe(100, At(50));
        Assert.Equal(0, index.WarmUpFrom(At(40)));
    }

    [Fact]
    public void ReadingStartedAtTheStoredWarmUpOffset_KnowsTheRecordsBeforeAreOlderThanItsBound()
    {
        var position = new EventTimePosition(T0.AddMinutes(90), TimeSpan.FromMinutes(60), 100);
        var index = RepartitionTimeIndex.From(100, position);
        index.Observe(100, At(35));
        index.Observe(101, At(50));
        Assert.Equal(101, index.WarmUpFrom(At(40)));
        Assert.Equal(0, index.WarmUpFrom(At(20))); // before the bound (30 min): records before offset 100 may be later
    }

    [Fact]
    public void Prune_KeepsWhatLaterThresholdsNeed()
    {
        var index = Interleaved();
        index.Prune(At(21));
        Assert.Equal(2, index.WarmUpFrom(At(21)));
        Assert.Equal(2, index.WarmUpFrom(At(30)));
        Assert.Equal(0, index.WarmUpFrom(At(10))); // below what was kept: no longer shown
    }
}
