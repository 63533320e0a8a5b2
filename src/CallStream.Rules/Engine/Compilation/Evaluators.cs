namespace CallStream.Rules.Engine;

/// <summary>The truth value of SQL-like three-valued logic: a comparison with null is <see cref="Unknown"/>.</summary>
/// <remarks>
/// <c>not Unknown</c> is Unknown, <c>Unknown and false</c> is false, <c>Unknown or true</c> is true (Kleene logic).
/// Wherever a decision is made (<c>where</c>, <c>having</c>, <c>count(cond)</c>) only <see cref="True"/> counts.
/// </remarks>
internal enum Tri : byte
{
    False = 0,
    True = 1,
    Unknown = 2,
}

/// <summary>A compiled condition. <paramref name="aggregates"/> holds the having clause's aggregate values by slot.</summary>
internal delegate Tri BoolEval(Interaction e, double[] aggregates);

/// <summary>A compiled number; <see cref="double.NaN"/> stands for null (it propagates through arithmetic like null does).</summary>
internal delegate double NumberEval(Interaction e, double[] aggregates);

/// <summary>A compiled text; <see langword="null"/> is null.</summary>
internal delegate string? TextEval(Interaction e, double[] aggregates);

/// <summary>A compiled instant in UTC ticks; <see cref="InstantValues.Null"/> is null.</summary>
internal delegate long InstantEval(Interaction e, double[] aggregates);

/// <summary>Constants for instants.</summary>
internal static class InstantValues
{
    /// <summary>The ticks standing for a null instant (an unparsable or absent text compared with <c>start_time</c>).</summary>
    public const long Null = long.MinValue;
}

/// <summary>Helpers of three-valued logic.</summary>
internal static class TriLogic
{
    public static Tri Of(bool value) => value ? Tri.True : Tri.False;

    public static Tri Not(Tri value) => value == Tri.Unknown ? Tri.Unknown : (Tri)(1 - (int)value);

    public static Tri And(Tri x, Tri y) =>
        x == Tri.False || y == Tri.False ? Tri.False : x == Tri.True && y == Tri.True ? Tri.True : Tri.Unknown;

    public static Tri Or(Tri x, Tri y) =>
        x == Tri.True || y == Tri.True ? Tri.True : x == Tri.False && y == Tri.False ? Tri.False : Tri.Unknown;

    /// <summary>Compares two numbers; null (NaN) on either side gives Unknown.</summary>
    public static Tri Compare(BinaryOp op, double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y))
            return Tri.Unknown;
        return Of(op switch
        {
            BinaryOp.Equal => x == y,
            BinaryOp.NotEqual => x != y,
            BinaryOp.Less => x < y,
            BinaryOp.LessOrEqual => x <= y,
            BinaryOp.Greater => x > y,
            _ => x >= y,
        });
    }

    /// <summary>Turns the sign of a three-way comparison into the truth of <paramref name="op"/>.</summary>
    public static bool Holds(BinaryOp op, int comparison) => op switch
    {
        BinaryOp.Equal => comparison == 0,
        BinaryOp.NotEqual => comparison != 0,
        BinaryOp.Less => comparison < 0,
        BinaryOp.LessOrEqual => comparison <= 0,
        BinaryOp.Greater => comparison > 0,
        _ => comparison >= 0,
    };

    /// <summary>The operator with its operands swapped: <c>a &lt; b</c> is <c>b &gt; a</c>.</summary>
    public static BinaryOp Flip(BinaryOp op) => op switch
    {
        BinaryOp.Less => BinaryOp.Greater,
        BinaryOp.LessOrEqual => BinaryOp.GreaterOrEqual,
        BinaryOp.Greater => BinaryOp.Less,
        BinaryOp.GreaterOrEqual => BinaryOp.LessOrEqual,
        _ => op,
    };

    public static bool IsComparison(BinaryOp op) => op is >= BinaryOp.Equal and <= BinaryOp.GreaterOrEqual;
}
