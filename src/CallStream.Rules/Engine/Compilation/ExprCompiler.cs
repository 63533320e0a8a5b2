using static CallStream.Rules.Engine.OperandEvals;

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

    private Operand CompileComparison(BinaryOp op, Expr left, Expr right) =>
        ComparisonCompiler.Compile(op, Compile(left), Compile(right));

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
        return MembershipCompiler.Compile(op, items);
    }

    /// <summary>Arithmetic with null (NaN) gives null; division by zero gives null.</summary>
    internal static double Arithmetic(BinaryOp op, double x, double y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Subtract => x - y,
        BinaryOp.Multiply => x * y,
        _ => y == 0 ? double.NaN : x / y,
    };

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
}
