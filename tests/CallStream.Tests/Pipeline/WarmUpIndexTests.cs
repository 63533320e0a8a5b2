using CallStream.Pipeline;

namespace CallStream.Tests.Pipeline;

/// <summary>The per-partition structures behind each commit's event-time position: the warm-up offset and the in-flight minimum.</summary>
public sealed class WarmUpIndexTests
{
    [Fact]
    public void WarmUpFrom_IsTheLatestSampleBeforeWhichEveryRecordIsOlder_EvenWhenOneRecordIsFarAhead()
    {
        var index = new WarmUpIndex();
        index.Start(0, long.MinValue);
        for (long offset = 0; offset < 1000; offset++)
            index.Observe(offset, offset == 300 ? 1_000_000 : offset); // offset 300: a record stamped far in the future

        // Samples every 64 records (offsets 63, 127, …): every record before 255 is older than 260; a sample after 300
        // sees the record at 300 and never qualifies.
        Assert.Equal(255, index.WarmUpFrom(260));
        Assert.Equal(255, index.WarmUpFrom(999));
        Assert.Equal(0, index.WarmUpFrom(0));
        Assert.Equal(1000, index.Next);
    }

    [Fact]
    public void Start_WithABound_VouchesForTheRecordsBeforeIt()
    {
        var index = new WarmUpIndex();
        index.Start(500, boundTicks: 100);
        for (long offset = 500; offset < 700; offset++)
            index.Observe(offset, 200 + offset);

        Assert.Equal(500, index.WarmUpFrom(100)); // nothing earlier is known to be older than 100
        Assert.Equal(500, index.WarmUpFrom(50)); // no sample qualifies: where this index started
        Assert.Equal(563, index.WarmUpFrom(765)); // the records 500..562 are all before 763
    }

    [Fact]
    public void Prune_AndThinning_KeepAnswersValid_AndMemoryBounded()
    {
        var index = new WarmUpIndex();
        index.Expect(long.MinValue);
        const long Records = (WarmUpIndex.MaxSamples + 10L) * WarmUpIndex.InitialSpacing * 2;
        for (long offset = 10; offset < 10 + Records; offset++)
            index.Observe(offset, offset);
        Assert.True(index.Count <= WarmUpIndex.MaxSamples, $"{index.Count} samples");

        long threshold = Records / 2;
        long from = index.WarmUpFrom(threshold);
        Assert.InRange(from, threshold - 8 * WarmUpIndex.InitialSpacing, threshold); // a spacing or so early (thinned), never late
        index.Prune(threshold);
        Assert.Equal(from, index.WarmUpFrom(threshold));
        Assert.True(index.WarmUpFrom(threshold + 1000) >= from);
    }

    [Fact]
    public void InFlight_EarliestFrom_IsTheMinimumOverTheRecordsAtOrAfterTheOffset()
    {
        var inFlight = new InFlightEventTimes();
        long[] ticks = [50, 40, 60, 30, 70, 80, 35];
        for (int i = 0; i < ticks.Length; i++)
            inFlight.Add(i, ticks[i]);

        Assert.Equal(30, inFlight.EarliestFrom(0));
        Assert.Equal(30, inFlight.EarliestFrom(3));
        Assert.Equal(35, inFlight.EarliestFrom(4));
        Assert.Equal(35, inFlight.EarliestFrom(6));
        Assert.Null(inFlight.EarliestFrom(7));
    }
}
