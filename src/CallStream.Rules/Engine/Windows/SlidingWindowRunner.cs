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
internal sealed class SlidingWindowRunner : RuleRunner
{
    private readonly ExpiringTable<SlidingGroup> _groups = new();
    private readonly Func<string, SlidingGroup> _create;
    private readonly AggregatePlan _plan;
    private readonly BoolEval _having;
    private readonly long _window;
    private readonly double[] _values;
    private readonly double[] _scratch;
    private readonly double[] _numbers;
    private readonly DistinctKey[] _keys;

    public SlidingWindowRunner(CompiledRule rule)
        : base(rule)
    {
        _plan = rule.Aggregates!;
        _having = rule.Having!;
        _window = rule.WindowTicks;
        var plan = _plan;
        _create = key => new SlidingGroup(key, plan);
        _values = new double[_plan.SlotCount];
        _scratch = new double[_plan.Width];
        _numbers = new double[_plan.NumberCount];
        _keys = new DistinctKey[_plan.DistinctCount];
    }

    public override int GroupCount => _groups.Count;

    public override void Offer(Interaction e, long ticks, ICollection<Alert>? output)
    {
        var rule = Rule;
        if (rule.Where is { } where && where(e, NoAggregates) != Tri.True)
            return;
        EventsTaken++;
        string key = rule.Key(e);
        var group = _groups.GetOrAdd(key, _create);
        ulong bits = _plan.EvaluateEntry(e, _numbers, _keys);
        long windowStart = EventTicks.Subtract(ticks, _window);
        if (ticks >= group.Newest)
        {
            group.EvictUpTo(windowStart);
            group.Append(ticks, bits, _numbers, _keys);
            group.Newest = ticks;
            group.ExpiresAt = EventTicks.Add(ticks, _window);
            _groups.Touch(group);
            group.Read(_values);
        }
        else if (ticks > EventTicks.Subtract(group.Newest, _window))
        {
            group.InsertLate(ticks, bits, _numbers, _keys);
            group.ReadPrefix(ticks, _scratch, _values);
        }
        else
        {
            // Older than everything retained: its window holds itself only.
            _plan.ReadSingle(_scratch, bits, _numbers, _keys, _values);
        }
        if (_having(e, _values) == Tri.True)
            Candidate(e, ticks, key, output, _values, windowStart, ticks);
    }

    public override void Expire(long frontier)
    {
        _groups.RemoveExpired(frontier);
        base.Expire(frontier);
    }
}
