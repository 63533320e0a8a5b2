namespace CallStream.Rules.Engine;

/// <summary>A compiled sub-expression: its type, its evaluator or constant value, and what it was compiled from.</summary>
internal sealed class Operand
{
    private Operand(ExprType type, Delegate? eval, bool isConstant)
    {
        Type = type;
        Eval = eval;
        IsConstant = isConstant;
    }

    public ExprType Type { get; }

    /// <summary>Gets the evaluator (<see cref="BoolEval"/>, <see cref="NumberEval"/>, <see cref="TextEval"/> or <see cref="InstantEval"/>); null for constants.</summary>
    public Delegate? Eval { get; }

    public bool IsConstant { get; }

    public Tri BoolValue { get; private init; }

    public double NumberValue { get; private init; }

    public string? TextValue { get; private init; }

    /// <summary>Gets the field when the operand is a plain field reference.</summary>
    public Field? Field { get; private init; }

    public static Operand Null { get; } = new(ExprType.Null, null, isConstant: true);

    public static Operand Bool(BoolEval eval) => new(ExprType.Bool, eval, isConstant: false);

    public static Operand Number(NumberEval eval) => new(ExprType.Number, eval, isConstant: false);

    public static Operand Text(TextEval eval, Field? field = null) => new(ExprType.Text, eval, isConstant: false) { Field = field };

    public static Operand Instant(InstantEval eval, Field? field = null) => new(ExprType.Instant, eval, isConstant: false) { Field = field };

    public static Operand FieldNumber(NumberEval eval, Field field) => new(ExprType.Number, eval, isConstant: false) { Field = field };

    public static Operand ConstBool(Tri value) => value == Tri.Unknown ? Null : new(ExprType.Bool, null, isConstant: true) { BoolValue = value };

    /// <summary>A number constant; NaN (the result of, say, <c>1 / 0</c>) is the null constant.</summary>
    public static Operand ConstNumber(double value) =>
        double.IsNaN(value) ? Null : new(ExprType.Number, null, isConstant: true) { NumberValue = value };

    public static Operand ConstText(string value) => new(ExprType.Text, null, isConstant: true) { TextValue = value };
}
