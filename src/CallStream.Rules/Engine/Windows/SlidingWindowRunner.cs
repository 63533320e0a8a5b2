
namespace CallStream.Rules.Engine;

/// <summary>
/// A rule with a sliding window W (spec point 4): the window of an offered event e holds the events taken for its
/// group with <c>e.t - W &lt; t &lt;= e.t</c>, e included; <c>windowStart = e.t - W</c>, <c>windowEnd = e.t</c>.
/// </summary>
/// <remarks>
/// In event-time order each event costs O(1) amortised: entries older than the window leave the group's ring as
/// the event enters. A late event (older than the newest of its group) is inserted at its place and its window is
/// recomputed from the entries retained (O(window)); entries that had already left the window of the group's
/// newest event are gone, as point 7 allows, so they do not count for it.
/// </remarks>
internal sealed class SlidingWindowRunner : WindowRunner<SlidingGroup>
{
    public SlidingWindowRunner(CompiledRule rule, ExpiryAlarm alarm, KeyHashes hashes)
        : this(rule, alarm, hashes, new SlidingLayout(rule.Aggregates ?? throw ExprCompiler.Unchecked()))
    {
    }

    private SlidingWindowRunner(CompiledRule rule, ExpiryAlarm alarm, KeyHashes hashes, SlidingLayout layout)
        : base(rule, alarm, hashes, (key, _, ids) => new SlidingGroup(key, layout, ids))
    {
    }

    public override void Offer(Interaction e, long ticks, ICollection<Alert>? output)
    {
        if (!TryTake(e, out string key, out var group, out ulong bits))
            return;
        long windowStart = EventTicks.Subtract(ticks, Window);
        ReadOnlySpan<double> acc;
        if (ticks >= group.Newest)
        {
            group.EvictUpTo(windowStart);
            group.Append(ticks, bits, Numbers, Keys);
            group.Newest = ticks;
            group.ExpiresAt = EventTicks.Add(ticks, Window);
            Touch(group);
            acc = group.Accumulate();
        }
        else if (ticks > EventTicks.Subtract(group.Newest, Window))
        {
            group.InsertLate(ticks, bits, Numbers, Keys);
            acc = group.AccumulatePrefix(ticks, Scratch);
        }
        else
        {
            // Older than everything retained: its window holds itself only.
            acc = Plan.AccumulateSingle(Scratch, bits, Numbers, Keys);
        }
        if (Having(e, acc))
            Candidate(e, ticks, key, output, Read(acc), windowStart, ticks);
    }
}
