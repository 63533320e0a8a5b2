using CallStream.Generation;

namespace CallStream.Tests.Generation;

public class Xoshiro256StarStarTests
{
    [Fact]
    public void NextUInt64_StateOneTwoThreeFour_MatchesReferenceVector()
    {
        // The reference implementation's output for the state {1, 2, 3, 4}.
        ulong[] expected =
        [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600,
            16172922978634559625, 8476171486693032832, 10595114339597558777, 2904607092377533576,
        ];
        var rng = new Xoshiro256StarStar(1, 2, 3, 4);
        foreach (ulong value in expected)
            Assert.Equal(value, rng.NextUInt64());
    }

    [Fact]
    public void SplitMix64_SeedZero_MatchesReferenceVector()
    {
        ulong state = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, SplitMix64.Next(ref state));
        Assert.Equal(0x6E789E6AA1B965F4UL, SplitMix64.Next(ref state));
    }

    [Fact]
    public void Constructor_AllZeroState_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Xoshiro256StarStar(0, 0, 0, 0));
    }

    [Fact]
    public void NextInt_StaysInBoundsAndCoversThem()
    {
        var rng = new Xoshiro256StarStar(123);
        var seen = new int[7];
        for (int i = 0; i < 7000; i++)
            seen[rng.NextInt(7)]++;
        Assert.All(seen, count => Assert.InRange(count, 850, 1150));
        for (int i = 0; i < 1000; i++)
            Assert.InRange(rng.NextInt(5, 7), 5, 7);
    }

    [Fact]
    public void NextDouble_IsInUnitInterval_AndNormalHasUnitVariance()
    {
        var rng = new Xoshiro256StarStar(99);
        double sum = 0, sumSquares = 0;
        const int N = 20_000;
        for (int i = 0; i < N; i++)
        {
            double u = rng.NextDouble();
            Assert.InRange(u, 0.0, 0.9999999999999999);
            double z = rng.NextNormal();
            sum += z;
            sumSquares += z * z;
        }
        Assert.InRange(sum / N, -0.05, 0.05);
        Assert.InRange(sumSquares / N, 0.95, 1.05);
    }

    [Fact]
    public void SameSeed_SameSequence_DifferentSeed_DifferentSequence()
    {
        var a = new Xoshiro256StarStar(5);
        var b = new Xoshiro256StarStar(5);
        var c = new Xoshiro256StarStar(6);
        ulong first = a.NextUInt64();
        Assert.Equal(first, b.NextUInt64());
        Assert.NotEqual(first, c.NextUInt64());
    }
}
