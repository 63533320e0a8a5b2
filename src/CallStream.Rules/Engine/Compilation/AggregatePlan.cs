using System.Numerics;

namespace CallStream.Rules.Engine;

/// <summary>
/// The aggregates of one rule's <c>having</c> clause, compiled: the per-event columns the window keeps (a bit per
/// <c>count(cond)</c>/<c>rate(cond)</c> condition, evaluated once when the event enters; a number per
/// <c>sum/avg/min/max</c> argument; a key per <c>distinct</c> argument) and the layout of the accumulators from
/// which every aggregate value is read in O(1).
/// </summary>
/// <remarks>
/// The slots are the rule's <see cref="Rule.Aggregates"/> (distinct, in order of first appearance), each keyed by its
/// canonical text, <see cref="RuleText.Print(Expr)"/>, in the alert's <see cref="Alert.Values"/>.
/// Accumulators are a flat <see cref="double"/> span: <c>[count, condCount…, nonNull…, sum…, compensation…,
/// min…, max…, distinctCount…]</c>. Sums use Neumaier's compensated summation, so adding and removing values in a
/// sliding window does not drift; a sum is reset to exactly 0 when its last value leaves.
/// </remarks>
internal sealed class AggregatePlan
{
    /// <summary>The most different conditions a rule's count()/rate() aggregates may use (one bit each per event).</summary>
    public const int MaxConditions = 64;

    public const int CountOffset = 0;

    private static readonly double[] NoAggregates = [];
    private readonly BoolEval[] _conditions;
    private readonly NumberEval[] _numbers;
    private readonly DistinctKeyEval[] _distincts;
    private readonly Slot[] _slots;
    private readonly Dictionary<AggregateExpr, int> _slotByAggregate;

    private AggregatePlan(BoolEval[] conditions, NumberEval[] numbers, bool[] needsMin, bool[] needsMax, DistinctKeyEval[] distincts, Slot[] slots, Dictionary<AggregateExpr, int> slotByAggregate)
    {
        _conditions = conditions;
        _numbers = numbers;
        _distincts = distincts;
        _slots = slots;
        NeedsMin = needsMin;
        NeedsMax = needsMax;
        _slotByAggregate = slotByAggregate;
        Texts = slots.Select(s => s.Text).ToArray();
        ConditionOffset = 1;
        NonNullOffset = ConditionOffset + ConditionCount;
        SumOffset = NonNullOffset + NumberCount;
        CompensationOffset = SumOffset + NumberCount;
        MinOffset = CompensationOffset + NumberCount;
        MaxOffset = MinOffset + NumberCount;
        DistinctOffset = MaxOffset + NumberCount;
        Width = DistinctOffset + DistinctCount;
    }

    public int ConditionCount => _conditions.Length;

    public int NumberCount => _numbers.Length;

    public int DistinctCount => _distincts.Length;

    public int SlotCount => _slots.Length;

    /// <summary>Gets, per number column, whether some aggregate needs its minimum.</summary>
    public bool[] NeedsMin { get; }

    /// <summary>Gets, per number column, whether some aggregate needs its maximum.</summary>
    public bool[] NeedsMax { get; }

    /// <summary>Gets the canonical text of each aggregate, by slot (the order of first appearance in <c>having</c>).</summary>
    public IReadOnlyList<string> Texts { get; }

    public int ConditionOffset { get; }

    public int NonNullOffset { get; }

    public int SumOffset { get; }

    public int CompensationOffset { get; }

    public int MinOffset { get; }

    public int MaxOffset { get; }

    public int DistinctOffset { get; }

    /// <summary>Gets the number of accumulator values of one window.</summary>
    public int Width { get; }

    /// <summary>Compiles the aggregates of a windowed rule's <c>having</c> clause (<see cref="Rule.Aggregates"/>).</summary>
    /// <exception cref="RuleValidationException">The rule uses more than <see cref="MaxConditions"/> different conditions in count() and rate().</exception>
    public static AggregatePlan Build(Rule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var arguments = new ExprCompiler();
        var conditions = new List<BoolEval>();
        var conditionColumns = new Dictionary<Expr, int>();
        var numbers = new List<NumberEval>();
        var numberColumns = new Dictionary<Expr, int>();
        var needsMin = new List<bool>();
        var needsMax = new List<bool>();
        var distincts = new List<DistinctKeyEval>();
        var distinctColumns = new Dictionary<Expr, int>();
        var slots = new Slot[rule.Aggregates.Count];
        var slotByAggregate = new Dictionary<AggregateExpr, int>(slots.Length);
        for (int slot = 0; slot < slots.Length; slot++)
        {
            var aggregate = rule.Aggregates[slot];
            slotByAggregate.Add(aggregate, slot);
            string text = RuleText.Print(aggregate);
            if (aggregate.Kind == AggregateKind.CountAll)
            {
                slots[slot] = new Slot(AggregateKind.CountAll, -1, text);
                continue;
            }
            var argument = aggregate.Argument ?? throw ExprCompiler.Unchecked();
            int column;
            switch (aggregate.Kind)
            {
                case AggregateKind.Count or AggregateKind.Rate:
                    if (!conditionColumns.TryGetValue(argument, out column))
                    {
                        if (conditions.Count == MaxConditions)
                            throw new RuleValidationException(rule.Name, [$"having: a rule may use at most {MaxConditions} different conditions in count() and rate()."]);
                        column = conditions.Count;
                        conditions.Add(arguments.CompileCondition(argument));
                        conditionColumns.Add(argument, column);
                    }
                    break;
                case AggregateKind.Distinct:
                    if (!distinctColumns.TryGetValue(argument, out column))
                    {
                        column = distincts.Count;
                        distincts.Add(arguments.CompileDistinctKey(argument));
                        distinctColumns.Add(argument, column);
                    }
                    break;
                default:
                    if (!numberColumns.TryGetValue(argument, out column))
                    {
                        column = numbers.Count;
                        numbers.Add(arguments.CompileNumber(argument));
                        numberColumns.Add(argument, column);
                        needsMin.Add(false);
                        needsMax.Add(false);
                    }
                    if (aggregate.Kind == AggregateKind.Min)
                        needsMin[column] = true;
                    if (aggregate.Kind == AggregateKind.Max)
                        needsMax[column] = true;
                    break;
            }
            slots[slot] = new Slot(aggregate.Kind, column, text);
        }
        return new AggregatePlan([.. conditions], [.. numbers], [.. needsMin], [.. needsMax], [.. distincts], slots, slotByAggregate);
    }

    /// <summary>Gets the slot of an aggregate of the having clause (compared by value).</summary>
    public int SlotOf(AggregateExpr aggregate) =>
        _slotByAggregate.TryGetValue(aggregate, out int slot) ? slot : throw ExprCompiler.Unchecked();

    /// <summary>Evaluates the per-event columns of an event entering a window.</summary>
    /// <returns>The condition bits: bit <c>c</c> is set when condition <c>c</c> is true for the event.</returns>
    public ulong EvaluateEntry(Interaction e, Span<double> numbers, Span<DistinctKey> keys)
    {
        ulong bits = 0;
        for (int c = 0; c < _conditions.Length; c++)
        {
            if (_conditions[c](e, NoAggregates) == Tri.True)
                bits |= 1UL << c;
        }
        for (int n = 0; n < _numbers.Length; n++)
            numbers[n] = _numbers[n](e, NoAggregates);
        for (int d = 0; d < _distincts.Length; d++)
            keys[d] = _distincts[d](e);
        return bits;
    }

    /// <summary>Resets accumulators to those of an empty window.</summary>
    public void Reset(Span<double> acc)
    {
        acc.Clear();
        acc.Slice(MinOffset, NumberCount).Fill(double.PositiveInfinity);
        acc.Slice(MaxOffset, NumberCount).Fill(double.NegativeInfinity);
    }

    /// <summary>Adds an entry to accumulators (running min and max included).</summary>
    public void Add(Span<double> acc, ulong bits, ReadOnlySpan<double> numbers)
    {
        acc[CountOffset] += 1;
        while (bits != 0)
        {
            acc[ConditionOffset + BitOperations.TrailingZeroCount(bits)] += 1;
            bits &= bits - 1;
        }
        for (int n = 0; n < numbers.Length; n++)
        {
            double v = numbers[n];
            if (double.IsNaN(v))
                continue;
            acc[NonNullOffset + n] += 1;
            AddCompensated(ref acc[SumOffset + n], ref acc[CompensationOffset + n], v);
            if (v < acc[MinOffset + n])
                acc[MinOffset + n] = v;
            if (v > acc[MaxOffset + n])
                acc[MaxOffset + n] = v;
        }
    }

    /// <summary>Removes an entry from accumulators (min and max are kept by the window's deques instead).</summary>
    public void Remove(Span<double> acc, ulong bits, ReadOnlySpan<double> numbers)
    {
        acc[CountOffset] -= 1;
        while (bits != 0)
        {
            acc[ConditionOffset + BitOperations.TrailingZeroCount(bits)] -= 1;
            bits &= bits - 1;
        }
        for (int n = 0; n < numbers.Length; n++)
        {
            double v = numbers[n];
            if (double.IsNaN(v))
                continue;
            if (--acc[NonNullOffset + n] == 0)
            {
                acc[SumOffset + n] = 0;
                acc[CompensationOffset + n] = 0;
            }
            else
            {
                AddCompensated(ref acc[SumOffset + n], ref acc[CompensationOffset + n], -v);
            }
        }
    }

    /// <summary>Reads every aggregate's value from accumulators into <paramref name="values"/> by slot; NaN is null.</summary>
    public void Read(ReadOnlySpan<double> acc, double[] values)
    {
        for (int i = 0; i < _slots.Length; i++)
            values[i] = ReadSlot(acc, i);
    }

    /// <summary>Reads one aggregate's value from accumulators; NaN is null.</summary>
    public double ReadSlot(ReadOnlySpan<double> acc, int slot)
    {
        double count = acc[CountOffset];
        int c = _slots[slot].Column;
        return _slots[slot].Kind switch
        {
            AggregateKind.CountAll => count,
            AggregateKind.Count => acc[ConditionOffset + c],
            AggregateKind.Rate => count == 0 ? double.NaN : acc[ConditionOffset + c] / count,
            AggregateKind.Sum => acc[NonNullOffset + c] == 0 ? double.NaN : acc[SumOffset + c] + acc[CompensationOffset + c],
            AggregateKind.Avg => acc[NonNullOffset + c] == 0 ? double.NaN : (acc[SumOffset + c] + acc[CompensationOffset + c]) / acc[NonNullOffset + c],
            AggregateKind.Min => acc[NonNullOffset + c] == 0 ? double.NaN : acc[MinOffset + c],
            AggregateKind.Max => acc[NonNullOffset + c] == 0 ? double.NaN : acc[MaxOffset + c],
            _ => acc[DistinctOffset + c],
        };
    }

    /// <summary>
    /// Locates a slot's aggregate in the accumulators, for readers that inline <see cref="ReadSlot"/>: its kind, the
    /// index of its value (a count, a sum, a min, a max or a distinct count), of a sum's compensation, and of the count
    /// that makes it null when 0 and divides a rate or an average (-1 when none).
    /// </summary>
    public (AggregateKind Kind, int Value, int Compensation, int Count) Locate(int slot)
    {
        int c = _slots[slot].Column;
        return _slots[slot].Kind switch
        {
            AggregateKind.CountAll => (AggregateKind.CountAll, CountOffset, -1, -1),
            AggregateKind.Count => (AggregateKind.Count, ConditionOffset + c, -1, -1),
            AggregateKind.Rate => (AggregateKind.Rate, ConditionOffset + c, -1, CountOffset),
            AggregateKind.Sum => (AggregateKind.Sum, SumOffset + c, CompensationOffset + c, NonNullOffset + c),
            AggregateKind.Avg => (AggregateKind.Avg, SumOffset + c, CompensationOffset + c, NonNullOffset + c),
            AggregateKind.Min => (AggregateKind.Min, MinOffset + c, -1, NonNullOffset + c),
            AggregateKind.Max => (AggregateKind.Max, MaxOffset + c, -1, NonNullOffset + c),
            var kind => (kind, DistinctOffset + c, -1, -1),
        };
    }

    /// <summary>Fills <paramref name="scratch"/> with the accumulators of a window holding one event only.</summary>
    /// <returns>The accumulators.</returns>
    public ReadOnlySpan<double> AccumulateSingle(double[] scratch, ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        Reset(scratch);
        Add(scratch, bits, numbers);
        for (int d = 0; d < keys.Length; d++)
            scratch[DistinctOffset + d] = keys[d].IsNull ? 0 : 1;
        return scratch;
    }

    /// <summary>Turns aggregate values into the <see cref="Alert.Values"/> of an alert.</summary>
    public AlertValue[] ToAlertValues(double[] values)
    {
        var result = new AlertValue[_slots.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = new AlertValue(_slots[i].Text, double.IsNaN(values[i]) ? null : values[i]);
        return result;
    }

    private static void AddCompensated(ref double sum, ref double compensation, double value)
    {
        double t = sum + value;
        compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - t) + value : (value - t) + sum;
        sum = t;
    }

    private readonly record struct Slot(AggregateKind Kind, int Column, string Text);
}
