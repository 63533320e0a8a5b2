using System.Runtime.CompilerServices;

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
    public TumblingWindowRunner(CompiledRule rule, ExpiryAlarm alarm)
        : base(rule, alarm, static (key, plan) => new TumblingGroup(key, plan))
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Offer(Interaction e, long ticks, ICollection<Alert>? output)
    {
        if (!TryTake(e, out string key, out var group, out ulong bits))
            return;
        var values = Values;
        long window = Window;
        long k = EventTicks.WindowIndex(ticks, window);
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
        if (half >= 0)
        {
            group.Add(half, bits, Numbers, Keys);
            group.Read(half, values);
        }
        else
        {
            Plan.ReadSingle(Scratch, bits, Numbers, Keys, values);
        }

        if (ticks > group.Newest)
        {
            group.Newest = ticks;
            group.ExpiresAt = EventTicks.Add(ticks, window);
            Touch(group);
        }

        if (Having(e, values) && (half < 0 || !group.IsAlerted(half)))
        {
            long start = EventTicks.WindowStart(k, window);
            if (Candidate(e, ticks, key, output, values, start, EventTicks.Add(start, window)) && half >= 0)
                group.SetAlerted(half);
        }
    }
}
