using System.Numerics;

namespace CallStream.Generation;

/// <summary>
/// The xoshiro256** pseudo-random generator (Blackman and Vigna), seeded through SplitMix64. Small, fast and,
/// unlike <see cref="Random"/>, fixed by this code: the same seed gives the same sequence on every runtime.
/// </summary>
internal struct Xoshiro256StarStar
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    /// <summary>Creates a generator whose state is expanded from a 64-bit seed with SplitMix64.</summary>
    /// <param name="seed">The seed.</param>
    public Xoshiro256StarStar(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64.Next(ref x);
        _s1 = SplitMix64.Next(ref x);
        _s2 = SplitMix64.Next(ref x);
        _s3 = SplitMix64.Next(ref x);
        _spareNormal = 0;
        _hasSpareNormal = false;
    }

    /// <summary>Creates a generator with the given state (not all zero), for checking against the reference vectors.</summary>
    /// <param name="s0">The first state word.</param>
    /// <param name="s1">The second state word.</param>
    /// <param name="s2">The third state word.</param>
    /// <param name="s3">The fourth state word.</param>
    internal Xoshiro256StarStar(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
            throw new ArgumentException("The state must not be all zero.");
        _s0 = s0;
        _s1 = s1;
        _s2 = s2;
        _s3 = s3;
        _spareNormal = 0;
        _hasSpareNormal = false;
    }

    /// <summary>Returns the next 64 random bits.</summary>
    /// <returns>The bits.</returns>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Returns a uniform double in [0, 1) with 53 random bits.</summary>
    /// <returns>The value.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Returns a uniform integer in [0, <paramref name="bound"/>) without modulo bias (Lemire's method).</summary>
    /// <param name="bound">The exclusive upper bound; positive.</param>
    /// <returns>The value.</returns>
    public int NextInt(int bound)
    {
        ulong m = (ulong)(uint)bound * (uint)NextUInt64();
        uint low = (uint)m;
        if (low < (uint)bound)
        {
            uint threshold = (uint)-bound % (uint)bound;
            while (low < threshold)
            {
                m = (ulong)(uint)bound * (uint)NextUInt64();
                low = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>Returns a uniform integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    /// <param name="min">The inclusive lower bound.</param>
    /// <param name="max">The inclusive upper bound; at least <paramref name="min"/>.</param>
    /// <returns>The value.</returns>
    public int NextInt(int min, int max) => min + NextInt(max - min + 1);

    /// <summary>Returns <see langword="true"/> with the given probability.</summary>
    /// <param name="probability">The probability, from 0 to 1.</param>
    /// <returns>The draw.</returns>
    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Returns a standard normal variate (Marsaglia's polar method).</summary>
    /// <returns>The value.</returns>
    public double NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }
        double u, v, s;
        do
        {
            u = (2 * NextDouble()) - 1;
            v = (2 * NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);
        double factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareNormal = v * factor;
        _hasSpareNormal = true;
        return u * factor;
    }
}

/// <summary>SplitMix64: the seed expander of xoshiro, and a good stateless 64-bit mixing function.</summary>
internal static class SplitMix64
{
    /// <summary>Advances the state and returns the next value.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The value.</returns>
    public static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Mixes 64 bits into 64 well-distributed bits (the SplitMix64 finaliser).</summary>
    /// <param name="z">The input.</param>
    /// <returns>The mixed value.</returns>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Derives an independent seed for a numbered stream of a master seed.</summary>
    /// <param name="seed">The master seed.</param>
    /// <param name="stream">The stream's purpose (a constant).</param>
    /// <param name="index">The stream's number (for example the day).</param>
    /// <returns>The derived seed.</returns>
    public static ulong Derive(ulong seed, ulong stream, ulong index) =>
        Mix(Mix(seed ^ (stream * 0x9E3779B97F4A7C15UL)) + (index * 0xD1B54A32D192ED03UL));
}
