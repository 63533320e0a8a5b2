namespace CallStream.Rules.Engine;

/// <summary>
/// Compiles rule expressions into closures over the typed <see cref="Interaction"/>: no dictionaries, boxing or
/// string parsing per event. Literals are resolved once (channel and outcome names and aliases to enum values,
/// ISO-8601 strings compared with <c>start_time</c> to ticks), constant sub-expressions are folded, and the common
/// shapes (a value against a constant, a channel against a set) get specialised closures.
/// </summary>
/// <remarks>
/// Semantics (spec/rules.md): SQL-like three-valued logic, where any comparison with null is Unknown (false where
/// a decision is made) except <c>is null</c> / <c>is not null</c>; arithmetic with null gives null; division by
/// zero gives null; text compares by ordinal; <c>channel</c> and <c>outcome</c> compare case-insensitively with
/// names and aliases. The compiler takes type-checked models only (the <see cref="Rule"/> constructor runs the
/// type checker); it does not repeat the language's type rules, and a model it cannot compile is a bug, reported
/// as an <see cref="InvalidOperationException"/>.
/// </remarks>
internal sealed class ExprCompiler
{
    private static readonly double[] NoAggregates = [];
    private readonly Func<AggregateExpr, int>? _aggregateSlot;

    /// <summary>Creates a compiler for one clause of one rule.</summary>
    /// <param name="aggregateSlot">Maps an aggregate of <c>having</c> to its slot in the aggregate values; null where there are none.</param>
    public ExprCompiler(Func<AggregateExpr, int>? aggregateSlot = null) => _aggregateSlot = aggregateSlot;

    /// <summary>Compiles a condition (a boolean expression).</summary>
    public BoolEval CompileCondition(Expr expr) => AsBool(Compile(expr));

    /// <summary>Compiles a numeric expression; NaN stands for null.</summary>
    public NumberEval CompileNumber(Expr expr) => AsNumber(Compile(expr));

    /// <summary>Compiles the argument of <c>distinct</c>: a text, number or instant value.</summary>
    public DistinctKeyEval CompileDistinctKey(Expr expr)
    {
        Operand op = Compile(expr);
        switch (op.Type)
        {
            case ExprType.Text:
                var text = AsText(op);
                return e => DistinctKey.OfText(text(e, NoAggregates));
            case ExprType.Number:
                var number = AsNumber(op);
                return e => DistinctKey.OfNumber(number(e, NoAggregates));
            case ExprType.Instant:
                var instant = AsInstant(op);
                return e => DistinctKey.OfInstant(instant(e, NoAggregates));
            case ExprType.Null:
                return static _ => DistinctKey.Null;
            default:
                throw Unchecked();
        }
    }

    /// <summary>Compiles any expression into a typed operand.</summary>
    public Operand Compile(Expr expr)
    {
        ArgumentNullException.ThrowIfNull(expr);
        return expr switch
        {
            NumberLiteral n => Operand.ConstNumber(n.Value),
            DurationLiteral d => Operand.ConstNumber(d.Value.TotalSeconds),
            StringLiteral s => s.Value is null ? Operand.Null : Operand.ConstText(s.Value),
            BoolLiteral b => Operand.ConstBool(TriLogic.Of(b.Value)),
            NullLiteral => Operand.Null,
            FieldExpr f => CompileField(f.Field),
            UnaryExpr u => CompileUnary(u),
            BinaryExpr b when b.Op is BinaryOp.And or BinaryOp.Or => CompileLogic(b),
            BinaryExpr b when TriLogic.IsComparison(b.Op) => CompileComparison(b.Op, b.Left, b.Right),
            BinaryExpr b => CompileArithmetic(b),
            InExpr i => CompileIn(i),
            IsNullExpr n => CompileIsNull(n),
            AggregateExpr a => CompileAggregate(a),
            _ => throw Unchecked(),
        };
    }

    /// <summary>The error for a model the type checker would have rejected: a bug, since rules are checked when built.</summary>
    internal static InvalidOperationException Unchecked() =>
        new("The rule expression was not type-checked; rules must be built with the Rule constructor, which checks them.");

    private static BoolEval AsBool(Operand op)
    {
        if (op.Eval is BoolEval eval)
            return eval;
        if (op.Eval is not null || op.Type is not (ExprType.Bool or ExprType.Null))
            throw Unchecked();
        Tri value = op.Type == ExprType.Null ? Tri.Unknown : op.BoolValue;
        return value switch
        {
            Tri.True => static (_, _) => Tri.True,
            Tri.False => static (_, _) => Tri.False,
            _ => static (_, _) => Tri.Unknown,
        };
    }

    private static NumberEval AsNumber(Operand op)
    {
        if (op.Eval is NumberEval eval)
            return eval;
        if (op.Eval is not null || op.Type is not (ExprType.Number or ExprType.Null))
            throw Unchecked();
        double value = op.Type == ExprType.Null ? double.NaN : op.NumberValue;
        return (_, _) => value;
    }

    private static TextEval AsText(Operand op)
    {
        if (op.Eval is TextEval eval)
            return eval;
        if (op.Eval is not null || op.Type is not (ExprType.Text or ExprType.Null))
            throw Unchecked();
        string? value = op.Type == ExprType.Null ? null : op.TextValue;
        return (_, _) => value;
    }

    /// <summary>Reads an instant: <c>start_time</c>, or an ISO-8601 string literal compared with it (parsed once, here).</summary>
    private static InstantEval AsInstant(Operand op)
    {
        if (op.Eval is InstantEval eval)
            return eval;
        if (op.Type == ExprType.Null)
            return static (_, _) => InstantValues.Null;
        long ticks = ParseInstant(op);
        return (_, _) => ticks;
    }

    /// <summary>Parses a constant ISO-8601 string (the type checker has made sure it is one).</summary>
    private static long ParseInstant(Operand op) =>
        op is { IsConstant: true, Type: ExprType.Text, TextValue: { } text } && Iso8601.TryParse(text, out var value)
            ? value.UtcTicks
            : throw Unchecked();

    private Operand CompileField(Field field)
    {
        if (field.AttributeName is { } name)
            return Operand.Text((e, _) => e.Attributes.GetValueOrDefault(name), field);
        return field.Name switch
        {
            "interaction_id" => Operand.Text(static (e, _) => e.InteractionId, field),
            "customer_id" => Operand.Text(static (e, _) => e.CustomerId, field),
            "agent_id" => Operand.Text(static (e, _) => e.AgentId, field),
            "channel" => Operand.Text(static (e, _) => WireNames.Name(e.Channel), field),
            "outcome" => Operand.Text(static (e, _) => WireNames.Name(e.Outcome), field),
            "start_time" => Operand.Instant(static (e, _) => e.StartTime.UtcTicks, field),
            "duration_seconds" => Operand.FieldNumber(static (e, _) => e.DurationSeconds, field),
            "satisfaction" => Operand.FieldNumber(static (e, _) => e.Satisfaction is int s ? s : double.NaN, field),
            _ => throw Unchecked(),
        };
    }

    private Operand CompileUnary(UnaryExpr u)
    {
        Operand op = Compile(u.Operand);
        if (u.Op == UnaryOp.Not)
        {
            if (op.IsConstant)
                return Operand.ConstBool(TriLogic.Not(op.Type == ExprType.Null ? Tri.Unknown : op.BoolValue));
            var x = AsBool(op);
            return Operand.Bool((e, a) => TriLogic.Not(x(e, a)));
        }
        if (op.IsConstant)
            return op.Type == ExprType.Null ? Operand.Null : Operand.ConstNumber(-op.NumberValue);
        var n = AsNumber(op);
        return Operand.Number((e, a) => -n(e, a));
    }

    private Operand CompileLogic(BinaryExpr b)
    {
        Operand l = Compile(b.Left), r = Compile(b.Right);
        Tri lv = l.Type == ExprType.Null ? Tri.Unknown : l.BoolValue;
        Tri rv = r.Type == ExprType.Null ? Tri.Unknown : r.BoolValue;
        if (l.IsConstant && r.IsConstant)
            return Operand.ConstBool(b.Op == BinaryOp.And ? TriLogic.And(lv, rv) : TriLogic.Or(lv, rv));
        // An absorbing constant decides alone; a neutral one leaves the other side.
        Tri absorbing = b.Op == BinaryOp.And ? Tri.False : Tri.True;
        Tri neutral = b.Op == BinaryOp.And ? Tri.True : Tri.False;
        if ((l.IsConstant && lv == absorbing) || (r.IsConstant && rv == absorbing))
            return Operand.ConstBool(absorbing);
        if (l.IsConstant && lv == neutral)
            return r;
        if (r.IsConstant && rv == neutral)
            return l;
        var x = AsBool(l);
        var y = AsBool(r);
        if (b.Op == BinaryOp.And)
        {
            return Operand.Bool((e, a) =>
            {
                Tri p = x(e, a);
                if (p == Tri.False)
                    return Tri.False;
                Tri q = y(e, a);
                return q == Tri.False ? Tri.False : p == Tri.True && q == Tri.True ? Tri.True : Tri.Unknown;
            });
        }
        return Operand.Bool((e, a) =>
        {
            Tri p = x(e, a);
            if (p == Tri.True)
                return Tri.True;
            Tri q = y(e, a);
            return q == Tri.True ? Tri.True : p == Tri.False && q == Tri.False ? Tri.False : Tri.Unknown;
        });
    }

    private Operand CompileArithmetic(BinaryExpr b)
    {
        Operand l = Compile(b.Left), r = Compile(b.Right);
        if (l.Type == ExprType.Null || r.Type == ExprType.Null)
            return Operand.Null;
        if (l.IsConstant && r.IsConstant)
            return Operand.ConstNumber(Arithmetic(b.Op, l.NumberValue, r.NumberValue));
        var x = AsNumber(l);
        if (r.IsConstant)
        {
            double c = r.NumberValue;
            return b.Op switch
            {
                BinaryOp.Add => Operand.Number((e, a) => x(e, a) + c),
                BinaryOp.Subtract => Operand.Number((e, a) => x(e, a) - c),
                BinaryOp.Multiply => Operand.Number((e, a) => x(e, a) * c),
                _ => c == 0 ? Operand.Null : Operand.Number((e, a) => x(e, a) / c),
            };
        }
        var y = AsNumber(r);
        return b.Op switch
        {
            BinaryOp.Add => Operand.Number((e, a) => x(e, a) + y(e, a)),
            BinaryOp.Subtract => Operand.Number((e, a) => x(e, a) - y(e, a)),
            BinaryOp.Multiply => Operand.Number((e, a) => x(e, a) * y(e, a)),
            _ => Operand.Number((e, a) =>
            {
                double divisor = y(e, a);
                return divisor == 0 ? double.NaN : x(e, a) / divisor;
            }),
        };
    }

    /// <summary>Arithmetic with null (NaN) gives null; division by zero gives null.</summary>
    internal static double Arithmetic(BinaryOp op, double x, double y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Subtract => x - y,
        BinaryOp.Multiply => x * y,
        _ => y == 0 ? double.NaN : x / y,
    };

    private Operand CompileComparison(BinaryOp op, Expr left, Expr right)
    {
        Operand l = Compile(left), r = Compile(right);
        if (l.Type == ExprType.Null || r.Type == ExprType.Null)
            return Operand.Null; // any comparison with null is Unknown
        if (IsEnumField(l.Field) && r.Type == ExprType.Text)
            return CompareEnum(op, l.Field!, r);
        if (IsEnumField(r.Field) && l.Type == ExprType.Text)
            return CompareEnum(op, r.Field!, l);
        if (l.Type == ExprType.Instant || r.Type == ExprType.Instant)
            return CompareInstants(op, l, r);
        if (l.Type != r.Type)
            throw Unchecked();
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
            throw Unchecked();
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
    private static int ResolveEnum(bool channel, string literal)
    {
        if (channel)
            return WireNames.TryParseChannel(literal, out var c) ? (int)c : throw Unchecked();
        return WireNames.TryParseOutcome(literal, out var o) ? (int)o : throw Unchecked();
    }

    private Operand CompileIn(InExpr expr)
    {
        Operand op = Compile(expr.Operand);
        var items = new List<Operand>(expr.Values.Count);
        foreach (var value in expr.Values)
        {
            Operand item = Compile(value);
            if (!item.IsConstant)
                throw Unchecked();
            items.Add(item);
        }
        if (op.Type == ExprType.Null)
            return Operand.Null;
        bool hasNull = items.Exists(i => i.Type == ExprType.Null);
        Tri missing = hasNull ? Tri.Unknown : Tri.False;
        var values = items.Where(i => i.Type != ExprType.Null).ToList();

        if (IsEnumField(op.Field))
        {
            bool channel = op.Field!.Name == "channel";
            int mask = 0;
            foreach (var item in values)
                mask |= 1 << ResolveEnum(channel, item.TextValue ?? throw Unchecked());
            return channel
                ? Operand.Bool((e, _) => ((mask >> (int)e.Channel) & 1) != 0 ? Tri.True : missing)
                : Operand.Bool((e, _) => ((mask >> (int)e.Outcome) & 1) != 0 ? Tri.True : missing);
        }

        switch (op.Type)
        {
            case ExprType.Number:
            {
                double[] set = values.Select(v => v.Type == ExprType.Number ? v.NumberValue : throw Unchecked()).ToArray();
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
                var set = values.Select(v => v.TextValue ?? throw Unchecked()).ToHashSet(StringComparer.Ordinal);
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
                var set = values.Select(v => v.Type == ExprType.Bool ? v.BoolValue : throw Unchecked()).ToArray();
                var x = AsBool(op);
                return Operand.Bool((e, a) =>
                {
                    Tri v = x(e, a);
                    return v == Tri.Unknown ? Tri.Unknown : Array.IndexOf(set, v) >= 0 ? Tri.True : missing;
                });
            }
        }
    }

    private Operand CompileIsNull(IsNullExpr expr)
    {
        Operand op = Compile(expr.Operand);
        bool negated = expr.Negated;
        if (op.IsConstant)
            return Operand.ConstBool(TriLogic.Of((op.Type == ExprType.Null) != negated));
        if (op.Field is { Name: "satisfaction" })
            return Operand.Bool((e, _) => TriLogic.Of(e.Satisfaction.HasValue == negated));
        switch (op.Type)
        {
            case ExprType.Number:
                var n = AsNumber(op);
                return Operand.Bool((e, a) => TriLogic.Of(double.IsNaN(n(e, a)) != negated));
            case ExprType.Text:
                var t = AsText(op);
                return Operand.Bool((e, a) => TriLogic.Of((t(e, a) is null) != negated));
            case ExprType.Instant:
                var i = AsInstant(op);
                return Operand.Bool((e, a) => TriLogic.Of((i(e, a) == InstantValues.Null) != negated));
            default:
                var b = AsBool(op);
                return Operand.Bool((e, a) => TriLogic.Of((b(e, a) == Tri.Unknown) != negated));
        }
    }

    private Operand CompileAggregate(AggregateExpr aggregate)
    {
        if (_aggregateSlot is null)
            throw Unchecked();
        int slot = _aggregateSlot(aggregate);
        return Operand.Number((_, a) => a[slot]);
    }

    private static bool IsEnumField(Field? field) => field is { AttributeName: null, Name: "channel" or "outcome" };
}
