namespace CallStream.Generation;

/// <summary>
/// How contacts spread over a working day: a morning peak, a dip at lunch, an afternoon peak and quiet edges. Maps a
/// position in the day's sequence of contacts (0 to 1) to a second of the working day, monotonically.
/// </summary>
internal sealed class WorkdayProfile
{
    // Relative traffic of the ten equal parts of the working day (08-09 … 17-18 for the default hours).
    private static readonly double[] Weights = [0.6, 1.0, 1.3, 1.25, 0.8, 0.9, 1.2, 1.15, 0.95, 0.7];

    private readonly double[] _cumulative;
    private readonly int _seconds;

    /// <summary>Creates the profile of a working day of the given length.</summary>
    /// <param name="seconds">The length of the working day in seconds.</param>
    public WorkdayProfile(int seconds)
    {
        _seconds = seconds;
        _cumulative = new double[Weights.Length + 1];
        double total = Weights.Sum();
        for (int k = 0; k < Weights.Length; k++)
            _cumulative[k + 1] = _cumulative[k] + (Weights[k] / total);
        _cumulative[^1] = 1.0;
    }

    /// <summary>Gets the second of the working day at a position of the day's traffic.</summary>
    /// <param name="position">The share of the day's contacts before this one, from 0 to 1.</param>
    /// <returns>The second, from 0 to the working day's length minus 1; never smaller for a larger position.</returns>
    public int SecondAt(double position)
    {
        int k = 0;
        int last = Weights.Length - 1;
        while (k < last && position >= _cumulative[k + 1])
            k++;
        double within = (position - _cumulative[k]) / (_cumulative[k + 1] - _cumulative[k]);
        double x = (k + within) / Weights.Length;
        int second = (int)(x * _seconds);
        return second >= _seconds ? _seconds - 1 : Math.Max(second, 0);
    }
}
