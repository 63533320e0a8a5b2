using System.Runtime.CompilerServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// A <c>having</c> clause of the usual shape, a conjunction of aggregates compared with constants
/// (<c>count(*) &gt;= 10 and rate(outcome = 'failed') &gt; 0.5</c>), tested by reading the aggregate values by slot
/// in one loop instead of through a chain of closures.
/// </summary>
/// <remarks>
/// Equivalent to the compiled condition where a decision is made: a conjunction is true when every comparison is
/// true, and a comparison with null (NaN) is Unknown, never true — which <c>&lt; &lt;= &gt; &gt;= =</c> give for
/// NaN on their own, and <c>!=</c> is told explicitly.
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
    /// <remarks>Reads each aggregate as <see cref="AggregatePlan.ReadSlot"/> does, inline.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Holds(ReadOnlySpan<double> acc)
    {
        foreach (var threshold in _thresholds)
        {
            double v = threshold.Kind switch
            {
                AggregateKind.CountAll or AggregateKind.Count or AggregateKind.Distinct => acc[threshold.Value],
                AggregateKind.Rate => acc[threshold.Count] == 0 ? double.NaN : acc[threshold.Value] / acc[threshold.Count],
                AggregateKind.Avg => acc[threshold.Count] == 0 ? double.NaN : (acc[threshold.Value] + acc[threshold.Compensation]) / acc[threshold.Count],
                AggregateKind.Sum => acc[threshold.Count] == 0 ? double.NaN : acc[threshold.Value] + acc[threshold.Compensation],
                _ => acc[threshold.Count] == 0 ? double.NaN : acc[threshold.Value],
            };
            double c = threshold.Constant;
            bool holds = threshold.Op switch
            {
                BinaryOp.GreaterOrEqual => v >= c,
                BinaryOp.Greater => v > c,
                BinaryOp.LessOrEqual => v <= c,
                BinaryOp.Less => v < c,
                BinaryOp.Equal => v == c,
                _ => v != c && !double.IsNaN(v),
            };
            if (!holds)
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

    /// <summary>An aggregate, located in the accumulators (<see cref="AggregatePlan.Locate"/>), compared with a constant.</summary>
    private readonly record struct Threshold(AggregateKind Kind, int Value, int Compensation, int Count, BinaryOp Op, double Constant)
    {
        public static Threshold Of((AggregateKind Kind, int Value, int Compensation, int Count) at, BinaryOp op, double constant) =>
            new(at.Kind, at.Value, at.Compensation, at.Count, op, constant);
    }
}
