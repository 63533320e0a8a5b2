
namespace CallStream.Rules.Engine;

/// <summary>
/// A <c>having</c> clause of the usual shape, a conjunction of aggregates compared with constants
/// (<c>count(*) &gt;= 10 and rate(outcome = 'failed') &gt; 0.5</c>), tested by reading the aggregate values by slot
/// in one loop instead of through a chain of closures.
/// </summary>
/// <remarks>
/// Equivalent to the compiled condition where a decision is made: a conjunction is true when every comparison is
/// true, and a comparison with null (NaN) is Unknown, never true.
/// </remarks>
internal sealed class AggregateThresholds
{
    private readonly Threshold[] _thresholds;

    private AggregateThresholds(Threshold[] thresholds) => _thresholds = thresholds;

    /// <summary>Compiles a having clause of that shape.</summary>
    /// <param name="having">The having clause.</param>
    /// <param name="plan">The rule's aggregates.</param>
    /// <returns>The thresholds, or <see langword="null"/> when the clause has another shape.</returns>
    public static AggregateThresholds? TryCompile(Expr having, AggregatePlan plan)
    {
        ArgumentNullException.ThrowIfNull(having);
        ArgumentNullException.ThrowIfNull(plan);
        var thresholds = new List<Threshold>();
        return Collect(having, plan, thresholds) ? new AggregateThresholds([.. thresholds]) : null;
    }

    /// <summary>Tells whether the clause is true for a window, reading from its accumulators only the aggregates it needs.</summary>
    /// <param name="acc">The accumulators of the window.</param>
    /// <remarks>Reads each aggregate as <see cref="AggregatePlan.ReadSlot"/> does, with tests instead of switches on kind and operator.</remarks>
    public bool Holds(ReadOnlySpan<double> acc)
    {
        foreach (ref readonly var t in _thresholds.AsSpan())
        {
            double v = acc[t.Value];
            if (t.Count >= 0)
            {
                double n = acc[t.Count];
                if (n == 0)
                    return false; // null: the comparison is Unknown
                if (t.Compensation >= 0)
                    v += acc[t.Compensation];
                if (t.Divide)
                    v /= n;
            }
            double c = t.Constant;
            // NaN is neither greater, less nor equal: a comparison with null never holds.
            if (!(v > c ? t.Greater : v < c ? t.Less : v == c && t.Equal))
                return false;
        }
        return true;
    }

    private static bool Collect(Expr expr, AggregatePlan plan, List<Threshold> thresholds)
    {
        switch (expr)
        {
            case BinaryExpr { Op: BinaryOp.And } and:
                return Collect(and.Left, plan, thresholds) && Collect(and.Right, plan, thresholds);
            case BinaryExpr b when TriLogic.IsComparison(b.Op):
                if (b.Left is AggregateExpr left && Constant(b.Right) is double right)
                {
                    thresholds.Add(Threshold.Of(plan.Locate(plan.SlotOf(left)), b.Op, right));
                    return true;
                }
                if (b.Right is AggregateExpr aggregate && Constant(b.Left) is double constant)
                {
                    thresholds.Add(Threshold.Of(plan.Locate(plan.SlotOf(aggregate)), TriLogic.Flip(b.Op), constant));
                    return true;
                }
                return false;
            default:
                return false;
        }
    }

    /// <summary>Gets the value of a number or duration literal (a duration used as a number is its length in seconds).</summary>
    private static double? Constant(Expr expr) => expr switch
    {
        NumberLiteral n => n.Value,
        DurationLiteral d => d.Value.TotalSeconds,
        _ => null,
    };

    /// <summary>
    /// An aggregate located in the accumulators (<see cref="AggregatePlan.Locate"/>): its value, plus a compensation
    /// when a sum, divided by the count when a rate or an average, null when that count is 0; compared with a
    /// constant, the operator being which of greater, less and equal make it hold.
    /// </summary>
    private readonly record struct Threshold(int Value, int Compensation, int Count, bool Divide, double Constant, bool Greater, bool Less, bool Equal)
    {
        public static Threshold Of((AggregateKind Kind, int Value, int Compensation, int Count) at, BinaryOp op, double constant) =>
            new(
                at.Value,
                at.Compensation,
                at.Count,
                at.Kind is AggregateKind.Rate or AggregateKind.Avg,
                constant,
                Greater: op is BinaryOp.Greater or BinaryOp.GreaterOrEqual or BinaryOp.NotEqual,
                Less: op is BinaryOp.Less or BinaryOp.LessOrEqual or BinaryOp.NotEqual,
                Equal: op is BinaryOp.Equal or BinaryOp.GreaterOrEqual or BinaryOp.LessOrEqual);
    }
}
