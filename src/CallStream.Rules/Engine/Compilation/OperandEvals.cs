namespace CallStream.Rules.Engine;

/// <summary>
/// Reads a compiled operand as the evaluator of its type: a closure already is one, a constant (or null) becomes a
/// closure that returns it. Shared by the expression compiler and its comparison and membership parts, which all
/// combine operands of either kind.
/// </summary>
internal static class OperandEvals
{
    internal static BoolEval AsBool(Operand op)
    {
        if (op.Eval is BoolEval eval)
            return eval;
        if (op.Eval is not null || op.Type is not (ExprType.Bool or ExprType.Null))
            throw ExprCompiler.Unchecked();
        Tri value = op.Type == ExprType.Null ? Tri.Unknown : op.BoolValue;
        return value switch
        {
            Tri.True => static (_, _) => Tri.True,
            Tri.False => static (_, _) => Tri.False,
            _ => static (_, _) => Tri.Unknown,
        };
    }

    internal static NumberEval AsNumber(Operand op)
    {
        if (op.Eval is NumberEval eval)
            return eval;
        if (op.Eval is not null || op.Type is not (ExprType.Number or ExprType.Null))
            throw ExprCompiler.Unchecked();
        double value = op.Type == ExprType.Null ? double.NaN : op.NumberValue;
        return (_, _) => value;
    }

    internal static TextEval AsText(Operand op)
    {
        if (op.Eval is TextEval eval)
            return eval;
        if (op.Eval is not null || op.Type is not (ExprType.Text or ExprType.Null))
            throw ExprCompiler.Unchecked();
        string? value = op.Type == ExprType.Null ? null : op.TextValue;
        return (_, _) => value;
    }

    /// <summary>Reads an instant: <c>start_time</c>, or an ISO-8601 string literal compared with it (parsed once, here).</summary>
    internal static InstantEval AsInstant(Operand op)
    {
        if (op.Eval is InstantEval eval)
            return eval;
        if (op.Type == ExprType.Null)
            return static (_, _) => InstantValues.Null;
        long ticks = ParseInstant(op);
        return (_, _) => ticks;
    }

    /// <summary>Parses a constant ISO-8601 string (the type checker has made sure it is one).</summary>
    internal static long ParseInstant(Operand op) =>
        op is { IsConstant: true, Type: ExprType.Text, TextValue: { } text } && Iso8601.TryParse(text, out var value)
            ? value.UtcTicks
            : throw ExprCompiler.Unchecked();
}
