using static CallStream.Rules.Engine.OperandEvals;

namespace CallStream.Rules.Engine;

/// <summary>
/// Compiles <c>x in (a, b, ...)</c> over a compiled operand and constant items: the set is built once per rule in the
/// representation its type compares fastest (a bit mask of enum values, a hash set of texts or instants, an array of
/// numbers), and a null item turns a miss into Unknown.
/// </summary>
internal static class MembershipCompiler
{
    /// <summary>Compiles <paramref name="op"/> <c>in</c> <paramref name="items"/> (constants, as the type checker requires).</summary>
    public static Operand Compile(Operand op, List<Operand> items)
    {
        if (op.Type == ExprType.Null)
            return Operand.Null;
        bool hasNull = items.Exists(i => i.Type == ExprType.Null);
        Tri missing = hasNull ? Tri.Unknown : Tri.False;
        var values = items.Where(i => i.Type != ExprType.Null).ToList();

        if (ComparisonCompiler.IsEnumField(op.Field))
        {
            bool channel = op.Field!.Name == "channel";
            int mask = 0;
            foreach (var item in values)
                mask |= 1 << ComparisonCompiler.ResolveEnum(channel, item.TextValue ?? throw ExprCompiler.Unchecked());
            return channel
                ? Operand.Bool((e, _) => ((mask >> (int)e.Channel) & 1) != 0 ? Tri.True : missing)
                : Operand.Bool((e, _) => ((mask >> (int)e.Outcome) & 1) != 0 ? Tri.True : missing);
        }

        switch (op.Type)
        {
            case ExprType.Number:
            {
                double[] set = values.Select(v => v.Type == ExprType.Number ? v.NumberValue : throw ExprCompiler.Unchecked()).ToArray();
                var x = AsNumber(op);
                return Operand.Bool((e, a) =>
                {
                    double v = x(e, a);
                    if (double.IsNaN(v))
                        return Tri.Unknown;
                    foreach (double s in set)
                    {
                        if (v == s)
                            return Tri.True;
                    }
                    return missing;
                });
            }
            case ExprType.Text:
            {
                var set = values.Select(v => v.TextValue ?? throw ExprCompiler.Unchecked()).ToHashSet(StringComparer.Ordinal);
                var x = AsText(op);
                return Operand.Bool((e, a) => x(e, a) is { } s ? set.Contains(s) ? Tri.True : missing : Tri.Unknown);
            }
            case ExprType.Instant:
            {
                var set = values.Select(ParseInstant).ToHashSet();
                var x = AsInstant(op);
                return Operand.Bool((e, a) =>
                {
                    long v = x(e, a);
                    return v == InstantValues.Null ? Tri.Unknown : set.Contains(v) ? Tri.True : missing;
                });
            }
            default:
            {
                var set = values.Select(v => v.Type == ExprType.Bool ? v.BoolValue : throw ExprCompiler.Unchecked()).ToArray();
                var x = AsBool(op);
                return Operand.Bool((e, a) =>
                {
                    Tri v = x(e, a);
                    return v == Tri.Unknown ? Tri.Unknown : Array.IndexOf(set, v) >= 0 ? Tri.True : missing;
                });
            }
        }
    }
}
