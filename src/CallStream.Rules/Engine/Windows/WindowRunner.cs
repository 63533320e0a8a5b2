
namespace CallStream.Rules.Engine;

/// <summary>
/// What the sliding and tumbling runners share: one state per group key in an <see cref="ExpiringTable{TNode}"/>,
/// the rule's aggregate plan and having-predicate, and the buffers one event is evaluated in.
/// </summary>
/// <typeparam name="TGroup">The state of one group.</typeparam>
internal abstract class WindowRunner<TGroup> : RuleRunner
    where TGroup : ExpiringNode
{
    private readonly ExpiringTable<TGroup> _groups;
    private readonly Func<string, TGroup> _create;
    private readonly BoolEval _having;
    private readonly AggregateThresholds? _thresholds;

    protected WindowRunner(CompiledRule rule, ExpiryAlarm alarm, KeyHashes hashes, Func<string, AggregatePlan, DistinctIds[], TGroup> create)
        : base(rule, alarm, hashes)
    {
        _groups = new ExpiringTable<TGroup>(alarm, hashes);
        var plan = rule.Aggregates ?? throw ExprCompiler.Unchecked();
        Plan = plan;
        var ids = new DistinctIds[plan.DistinctCount];
        for (int d = 0; d < ids.Length; d++)
            ids[d] = new DistinctIds();
        _having = rule.Having ?? throw ExprCompiler.Unchecked();
        _thresholds = rule.HavingThresholds;
        Window = rule.WindowTicks;
        _create = key => create(key, plan, ids);
        Values = new double[plan.SlotCount];
        Scratch = new double[plan.Width];
        Numbers = new double[plan.NumberCount];
        Keys = new DistinctKey[plan.DistinctCount];
    }

    public override int GroupCount => _groups.Count;

    protected AggregatePlan Plan { get; }

    /// <summary>Gets the window length in ticks.</summary>
    protected long Window { get; }

    /// <summary>Gets the aggregate values of the offered event's window, by slot.</summary>
    protected double[] Values { get; }

    /// <summary>Gets accumulators for a window computed on the side (a late event, an event on its own).</summary>
    protected double[] Scratch { get; }

    /// <summary>Gets the offered event's number columns.</summary>
    protected double[] Numbers { get; }

    /// <summary>Gets the offered event's distinct keys.</summary>
    protected DistinctKey[] Keys { get; }

    public override long NextExpiry => Math.Min(_groups.NextExpiry, base.NextExpiry);

    public override void Expire(long frontier)
    {
        _groups.RemoveExpired(frontier);
        base.Expire(frontier);
    }

    /// <summary>
    /// Takes an event that passes <c>where</c>: finds or creates its group and evaluates its per-event columns into
    /// <see cref="Numbers"/> and <see cref="Keys"/>.
    /// </summary>
    /// <returns><see langword="false"/> when <c>where</c> rejects the event.</returns>
    protected bool TryTake(Interaction e, out string key, out TGroup group, out ulong bits)
    {
        if (!Take(e))
        {
            key = null!;
            group = null!;
            bits = 0;
            return false;
        }
        key = Rule.Key(e);
        group = _groups.GetOrAdd(key, _create);
        bits = Plan.EvaluateEntry(e, Numbers, Keys);
        return true;
    }

    /// <summary>Tells whether <c>having</c> is true for the offered event and the accumulators of its window.</summary>
    /// <remarks>Thresholds read only the aggregates they test, and stop at the first that fails.</remarks>
    protected bool Having(Interaction e, ReadOnlySpan<double> acc) =>
        _thresholds is { } thresholds ? thresholds.Holds(acc) : _having(e, Read(acc)) == Tri.True;

    /// <summary>Reads every aggregate from accumulators into <see cref="Values"/>.</summary>
    /// <returns><see cref="Values"/>.</returns>
    protected double[] Read(ReadOnlySpan<double> acc)
    {
        Plan.Read(acc, Values);
        return Values;
    }

    /// <summary>Re-queues a group whose <see cref="ExpiringNode.ExpiresAt"/> was raised.</summary>
    protected void Touch(TGroup group) => _groups.Touch(group);
}
