using CallStream.Rules.Engine;

namespace CallStream.Rules.Tests.Engine;

public class InteractionIdMemoryTests
{
    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 500)]
    [InlineData(3, 5000)]
    public void IsDuplicate_AgreesWithAPlainDictionaryOfFirstStartTimes(int seed, int pool)
    {
        // Ids drawn from a pool (so many repeat, within and beyond the horizon), start times mostly rising, some late.
        var random = new Random(seed);
        long horizon = TimeSpan.FromMinutes(10).Ticks;
        var memory = new InteractionIdMemory(TimeSpan.FromTicks(horizon));
        var model = new Dictionary<string, long>(StringComparer.Ordinal);
        long frontier = long.MinValue;
        long clock = 0;
        int duplicates = 0;
        for (int n = 0; n < 100_000; n++)
        {
            clock += random.Next(0, 3) * TimeSpan.TicksPerSecond;
            long ticks = random.NextDouble() < 0.05 ? clock - (random.Next(0, 1200) * TimeSpan.TicksPerSecond) : clock;
            // A new string each time, as each row or message parses its own.
            string id = "i" + random.Next(0, pool).ToString(System.Globalization.CultureInfo.InvariantCulture);

            frontier = Math.Max(frontier, ticks);
            long oldest = frontier - horizon;
            bool expected;
            if (model.TryGetValue(id, out long seen) && seen >= oldest)
            {
                expected = true;
            }
            else
            {
                expected = false;
                if (ticks >= oldest)
                    model[id] = ticks;
                else
                    model.Remove(id);
            }

            Assert.Equal(expected, memory.IsDuplicate(id, ticks));
            if (expected)
                duplicates++;
        }
        Assert.True(duplicates > 1000, $"only {duplicates} duplicates: the test should exercise them");
        // Every id within the horizon is remembered, and nothing older than the horizon plus the largest lateness (20 min):
        // a late id waits in the FIFO behind those released before it, never longer.
        long lateness = 1200 * TimeSpan.TicksPerSecond;
        Assert.InRange(memory.Count, model.Count(kv => kv.Value >= frontier - horizon), model.Count(kv => kv.Value >= frontier - horizon - lateness));
    }
}
