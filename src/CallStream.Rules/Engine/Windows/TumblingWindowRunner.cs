
namespace CallStream.Rules.Engine;

/// <summary>
/// A rule with a tumbling window W (spec point 5): windows are <c>[k*W, (k+1)*W)</c> since the Unix epoch; the
/// window of an offered event holds the events taken for its group in the same window; at most one alert per
/// rule, key and window (a candidate dropped by suppression is not an emitted alert, so a later event of the
/// same window may still emit).
/// </summary>
/// <remarks>
/// O(1) per event. A late event of the current or the previous window joins that window's accumulators and is
/// evaluated there; one older still finds its window's state evicted (point 7) and is evaluated on its own.
/// </remarks>
internal sealed class TumblingWindowRunner : WindowRunner<TumblingGroup>
{
    /// <summary>The longest window whose bounds are cached: a thousand years, so no bound of any instant overflows.</summary>
    private const long MaxCachedWindow = 1000 * 366 * TimeSpan.TicksPerDay;

    private long _cachedWindow = TumblingGroup.None;
    private long _cachedStart = long.MaxValue;
    private long _cachedEnd = long.MinValue;

    public TumblingWindowRunner(CompiledRule rule, ExpiryAlarm alarm, KeyHashes hashes)
        : base(rule, alarm, hashes, static (key, plan, _) => new TumblingGroup(key, plan))
    {
    }

    public override void Offer(Interaction e, long ticks, ICollection<Alert>? output)
    {
        if (!TryTake(e, out string key, out var group, out ulong bits))
            return;
        long window = Window;
        long k = WindowOf(ticks, window);
        if (k > group.CurrentWindow)
            group.Advance(k);

        int half = -1;
        if (k == group.CurrentWindow)
        {
            half = group.CurrentHalf;
        }
        else if (k == group.CurrentWindow - 1)
        {
            if (group.PreviousWindow != k)
                group.StartPrevious(k);
            half = group.PreviousHalf;
        }
        ReadOnlySpan<double> acc;
        if (half >= 0)
        {
            group.Add(half, bits, Numbers, Keys);
            acc = group.Accumulators(half);
        }
        else
        {
            acc = Plan.AccumulateSingle(Scratch, bits, Numbers, Keys);
        }

        if (ticks > group.Newest)
        {
            group.Newest = ticks;
            group.ExpiresAt = EventTicks.Add(ticks, window);
            Touch(group);
        }

        if ((half < 0 || !group.IsAlerted(half)) && Having(e, acc))
        {
            long start = EventTicks.WindowStart(k, window);
            if (Candidate(e, ticks, key, output, Read(acc), start, EventTicks.Add(start, window)) && half >= 0)
                group.SetAlerted(half);
        }
    }

    /// <summary>
    /// Gets the index of the window holding <paramref name="ticks"/>, from the bounds of the last window computed
    /// when it holds the instant (nearly always, in event-time order), which saves two 64-bit divisions per event.
    /// </summary>
    private long WindowOf(long ticks, long window)
    {
        if (ticks >= _cachedStart && ticks < _cachedEnd)
            return _cachedWindow;
        long k = EventTicks.WindowIndex(ticks, window);
        if (window <= MaxCachedWindow)
        {
            _cachedWindow = k;
            _cachedStart = EventTicks.WindowStart(k, window);
            _cachedEnd = _cachedStart + window;
        }
        return k;
    }
}
