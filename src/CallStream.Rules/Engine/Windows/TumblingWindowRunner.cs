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
internal sealed class TumblingWindowRunner : RuleRunner
{
    private readonly ExpiringTable<TumblingGroup> _groups = new();
    private readonly Func<string, TumblingGroup> _create;
    private readonly AggregatePlan _plan;
    private readonly BoolEval _having;
    private readonly long _window;
    private readonly double[] _values;
    private readonly double[] _scratch;
    private readonly double[] _numbers;
    private readonly DistinctKey[] _keys;

    public TumblingWindowRunner(CompiledRule rule)
        : base(rule)
    {
        _plan = rule.Aggregates!;
        _having = rule.Having!;
        _window = rule.WindowTicks;
        var plan = _plan;
        _create = key => new TumblingGroup(key, plan);
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
        long k = EventTicks.WindowIndex(ticks, _window);
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
            group.Add(half, bits, _numbers, _keys);
            group.Read(half, _values);
        }
        else
        {
            _plan.ReadSingle(_scratch, bits, _numbers, _keys, _values);
        }

        if (ticks > group.Newest)
        {
            group.Newest = ticks;
            group.ExpiresAt = EventTicks.Add(ticks, _window);
            _groups.Touch(group);
        }

        if (_having(e, _values) == Tri.True && (half < 0 || !group.IsAlerted(half)))
        {
            long start = EventTicks.WindowStart(k, _window);
            if (Candidate(e, ticks, key, output, _values, start, EventTicks.Add(start, _window)) && half >= 0)
                group.SetAlerted(half);
        }
    }

    public override void Expire(long frontier)
    {
        _groups.RemoveExpired(frontier);
        base.Expire(frontier);
    }
}
