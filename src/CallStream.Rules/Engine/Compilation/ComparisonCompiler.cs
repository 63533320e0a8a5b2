using static CallStream.Rules.Engine.OperandEvals;

namespace CallStream.Rules.Engine;

/// <summary>
/// Compiles the comparisons (<c>=</c>, <c>!=</c>, <c>&lt;</c> ...) of two compiled operands. Apart from the rest of
/// the compiler because each operand type has its own null rule and its own specialised closures for a comparison
/// with a constant, and <c>channel</c> and <c>outcome</c> compare as enum values resolved once.
/// </summary>
internal static class ComparisonCompiler
{
    /// <summary>Compiles <paramref name="l"/> <paramref name="op"/> <paramref name="r"/>; any comparison with null is Unknown.</summary>
    public static Operand Compile(BinaryOp op, Operand l, Operand r)
    {
        if (l.Type == ExprType.Null || r.Type == ExprType.Null)
            return Operand.Null;
        if (IsEnumField(l.Field) && r.Type == ExprType.Text)
            return CompareEnum(op, l.Field!, r);
        if (IsEnumField(r.Field) && l.Type == ExprType.Text)
            return CompareEnum(op, r.Field!, l);
        if (l.Type == ExprType.Instant || r.Type == ExprType.Instant)
            return CompareInstants(op, l, r);
        if (l.Type != r.Type)
            throw ExprCompiler.Unchecked();
        if (l.IsConstant && !r.IsConstant)
        {
            (l, r) = (r, l);
            op = TriLogic.Flip(op);
        }
        return l.Type switch
        {
            ExprType.Number => CompareNumbers(op, l, r),
            ExprType.Text => CompareTexts(op, l, r),
            _ => CompareBools(op, l, r),
        };
    }

    private static Operand CompareNumbers(BinaryOp op, Operand l, Operand r)
    {
        if (l.IsConstant)
            return Operand.ConstBool(TriLogic.Compare(op, l.NumberValue, r.NumberValue));
        var x = AsNumber(l);
        if (!r.IsConstant)
        {
            var y = AsNumber(r);
            return Operand.Bool((e, a) => TriLogic.Compare(op, x(e, a), y(e, a)));
        }
        double c = r.NumberValue;
        BoolEval eval = op switch
        {
            BinaryOp.Equal => (e, a) =>
            {
                double v = x(e, a);
                return v == c ? Tri.True : double.IsNaN(v) ? Tri.Unknown : Tri.False;
            },
            BinaryOp.NotEqual => (e, a) =>
            {
                double v = x(e, a);
                return double.IsNaN(v) ? Tri.Unknown : v != c ? Tri.True : Tri.False;
            },
            BinaryOp.Less => (e, a) =>
            {
                double v = x(e, a);
                return v < c ? Tri.True : double.IsNaN(v) ? Tri.Unknown : Tri.False;
            },
            BinaryOp.LessOrEqual => (e, a) =>
            {
                double v = x(e, a);
                return v <= c ? Tri.True : double.IsNaN(v) ? Tri.Unknown : Tri.False;
            },
            BinaryOp.Greater => (e, a) =>
            {
                double v = x(e, a);
                return v > c ? Tri.True : double.IsNaN(v) ? Tri.Unknown : Tri.False;
            },
            _ => (e, a) =>
            {
                double v = x(e, a);
                return v >= c ? Tri.True : double.IsNaN(v) ? Tri.Unknown : Tri.False;
            },
        };
        return Operand.Bool(eval);
    }

    private static Operand CompareTexts(BinaryOp op, Operand l, Operand r)
    {
        if (l.IsConstant)
            return Operand.ConstBool(TriLogic.Of(TriLogic.Holds(op, string.CompareOrdinal(l.TextValue, r.TextValue))));
        var x = AsText(l);
        if (r.IsConstant)
        {
            string c = r.TextValue!;
            return op switch
            {
                BinaryOp.Equal => Operand.Bool((e, a) => x(e, a) is { } s ? TriLogic.Of(string.Equals(s, c, StringComparison.Ordinal)) : Tri.Unknown),
                BinaryOp.NotEqual => Operand.Bool((e, a) => x(e, a) is { } s ? TriLogic.Of(!string.Equals(s, c, StringComparison.Ordinal)) : Tri.Unknown),
                _ => Operand.Bool((e, a) => x(e, a) is { } s ? TriLogic.Of(TriLogic.Holds(op, string.CompareOrdinal(s, c))) : Tri.Unknown),
            };
        }
        var y = AsText(r);
        return Operand.Bool((e, a) =>
        {
            string? s = x(e, a);
            string? t = y(e, a);
            return s is null || t is null ? Tri.Unknown : TriLogic.Of(TriLogic.Holds(op, string.CompareOrdinal(s, t)));
        });
    }

    private static Operand CompareBools(BinaryOp op, Operand l, Operand r)
    {
        bool equal = op == BinaryOp.Equal;
        if (l.IsConstant)
            return Operand.ConstBool(TriLogic.Of((l.BoolValue == r.BoolValue) == equal));
        var x = AsBool(l);
        var y = AsBool(r);
        return Operand.Bool((e, a) =>
        {
            Tri p = x(e, a);
            Tri q = y(e, a);
            return p == Tri.Unknown || q == Tri.Unknown ? Tri.Unknown : TriLogic.Of((p == q) == equal);
        });
    }

    private static Operand CompareInstants(BinaryOp op, Operand l, Operand r)
    {
        if (l.IsConstant)
        {
            (l, r) = (r, l);
            op = TriLogic.Flip(op);
        }
        var x = AsInstant(l);
        if (r.IsConstant)
        {
            long c = ParseInstant(r);
            return Operand.Bool((e, a) =>
            {
                long v = x(e, a);
                return v == InstantValues.Null ? Tri.Unknown : TriLogic.Of(TriLogic.Holds(op, v.CompareTo(c)));
            });
        }
        var y = AsInstant(r);
        return Operand.Bool((e, a) =>
        {
            long v = x(e, a);
            long w = y(e, a);
            return v == InstantValues.Null || w == InstantValues.Null ? Tri.Unknown : TriLogic.Of(TriLogic.Holds(op, v.CompareTo(w)));
        });
    }

    /// <summary>
    /// <c>channel</c> or <c>outcome</c> with <c>=</c> or <c>!=</c> (the only operators the type checker allows for
    /// them): a literal is resolved to its enum value once; a text computed per event (an attribute, another field)
    /// is read the same way, at run time.
    /// </summary>
    private static Operand CompareEnum(BinaryOp op, Field field, Operand other)
    {
        if (op is not (BinaryOp.Equal or BinaryOp.NotEqual))
            throw ExprCompiler.Unchecked();
        bool channel = field.Name == "channel";
        bool want = op == BinaryOp.Equal;
        if (other.IsConstant)
        {
            int value = ResolveEnum(channel, other.TextValue!);
            return channel
                ? Operand.Bool((e, _) => TriLogic.Of(((int)e.Channel == value) == want))
                : Operand.Bool((e, _) => TriLogic.Of(((int)e.Outcome == value) == want));
        }
        var text = AsText(other);
        return channel
            ? Operand.Bool((e, a) => text(e, a) is { } s
                ? TriLogic.Of((WireNames.TryParseChannel(s, out var c) && c == e.Channel) == want)
                : Tri.Unknown)
            : Operand.Bool((e, a) => text(e, a) is { } s
                ? TriLogic.Of((WireNames.TryParseOutcome(s, out var o) && o == e.Outcome) == want)
                : Tri.Unknown);
    }

    /// <summary>Resolves a channel or outcome literal (a name or alias; the type checker has made sure it is known).</summary>
    internal static int ResolveEnum(bool channel, string literal)
    {
        if (channel)
            return WireNames.TryParseChannel(literal, out var c) ? (int)c : throw ExprCompiler.Unchecked();
        return WireNames.TryParseOutcome(literal, out var o) ? (int)o : throw ExprCompiler.Unchecked();
    }

    internal static bool IsEnumField(Field? field) => field is { AttributeName: null, Name: "channel" or "outcome" };
}
