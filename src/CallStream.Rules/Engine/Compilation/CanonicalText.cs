using System.Globalization;
using System.Text;

namespace CallStream.Rules.Engine;

/// <summary>
/// Writes expressions in the canonical text of the rule language: the key of an aggregate in
/// <see cref="Alert.Values"/> and the text a message placeholder such as <c>{rate(outcome = 'failed')}</c> is matched
/// against. Lowercase keywords, one space around binary operators, <c>=</c> and <c>!=</c>, single-quoted strings,
/// parentheses only where precedence needs them, numbers in invariant culture, durations in their largest whole
/// unit (<c>90m</c>, <c>1d</c>, <c>1.5s</c>).
/// </summary>
internal static class CanonicalText
{
    private const int OrLevel = 1;
    private const int AndLevel = 2;
    private const int NotLevel = 3;
    private const int ComparisonLevel = 4;
    private const int AdditiveLevel = 5;
    private const int MultiplicativeLevel = 6;
    private const int NegateLevel = 7;
    private const int AtomLevel = 8;

    /// <summary>Gets the canonical text of an expression, for example <c>count(*)</c> or <c>avg(satisfaction)</c>.</summary>
    public static string Of(Expr expr)
    {
        var text = new StringBuilder();
        Write(text, expr, 0);
        return text.ToString();
    }

    /// <summary>Gets the name of an aggregate function as written in rules.</summary>
    public static string FunctionName(AggregateKind kind) => kind switch
    {
        AggregateKind.CountAll or AggregateKind.Count => "count",
        AggregateKind.Rate => "rate",
        AggregateKind.Sum => "sum",
        AggregateKind.Avg => "avg",
        AggregateKind.Min => "min",
        AggregateKind.Max => "max",
        AggregateKind.Distinct => "distinct",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an aggregate function."),
    };

    /// <summary>Writes a string literal: single quotes, with <c>\</c> escaping a quote or a backslash.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('\'');
        foreach (char c in value)
        {
            if (c is '\'' or '\\')
                text.Append('\\');
            text.Append(c);
        }
        return text.Append('\'').ToString();
    }

    private static int Level(Expr expr) => expr switch
    {
        BinaryExpr { Op: BinaryOp.Or } => OrLevel,
        BinaryExpr { Op: BinaryOp.And } => AndLevel,
        UnaryExpr { Op: UnaryOp.Not } => NotLevel,
        BinaryExpr { Op: BinaryOp.Add or BinaryOp.Subtract } => AdditiveLevel,
        BinaryExpr { Op: BinaryOp.Multiply or BinaryOp.Divide } => MultiplicativeLevel,
        BinaryExpr or InExpr or IsNullExpr => ComparisonLevel,
        UnaryExpr { Op: UnaryOp.Negate } => NegateLevel,
        NumberLiteral { Value: < 0 } => NegateLevel,
        _ => AtomLevel,
    };

    private static void Write(StringBuilder text, Expr expr, int minLevel)
    {
        int level = Level(expr);
        bool parenthesize = level < minLevel;
        if (parenthesize)
            text.Append('(');
        switch (expr)
        {
            case NumberLiteral n:
                text.Append(Number(n.Value));
                break;
            case DurationLiteral d:
                text.Append(Duration(d.Value));
                break;
            case StringLiteral s:
                text.Append(Quote(s.Value));
                break;
            case BoolLiteral b:
                text.Append(b.Value ? "true" : "false");
                break;
            case NullLiteral:
                text.Append("null");
                break;
            case FieldExpr f:
                text.Append(f.Field.Name);
                break;
            case UnaryExpr { Op: UnaryOp.Not } u:
                text.Append("not ");
                Write(text, u.Operand, NotLevel);
                break;
            case UnaryExpr u:
                text.Append('-');
                Write(text, u.Operand, AtomLevel);
                break;
            case BinaryExpr b:
                bool comparison = level == ComparisonLevel;
                Write(text, b.Left, comparison ? level + 1 : level);
                text.Append(' ').Append(Operator(b.Op)).Append(' ');
                Write(text, b.Right, level + 1);
                break;
            case InExpr i:
                Write(text, i.Operand, AdditiveLevel);
                text.Append(" in (");
                for (int k = 0; k < i.Values.Count; k++)
                {
                    if (k > 0)
                        text.Append(", ");
                    Write(text, i.Values[k], 0);
                }
                text.Append(')');
                break;
            case IsNullExpr n:
                Write(text, n.Operand, AdditiveLevel);
                text.Append(n.Negated ? " is not null" : " is null");
                break;
            case AggregateExpr a:
                text.Append(FunctionName(a.Kind)).Append('(');
                if (a.Argument is null)
                    text.Append('*');
                else
                    Write(text, a.Argument, 0);
                text.Append(')');
                break;
            default:
                throw new ArgumentException($"Unknown expression node {expr.GetType().Name}.", nameof(expr));
        }
        if (parenthesize)
            text.Append(')');
    }

    private static string Operator(BinaryOp op) => op switch
    {
        BinaryOp.Or => "or",
        BinaryOp.And => "and",
        BinaryOp.Equal => "=",
        BinaryOp.NotEqual => "!=",
        BinaryOp.Less => "<",
        BinaryOp.LessOrEqual => "<=",
        BinaryOp.Greater => ">",
        BinaryOp.GreaterOrEqual => ">=",
        BinaryOp.Add => "+",
        BinaryOp.Subtract => "-",
        BinaryOp.Multiply => "*",
        BinaryOp.Divide => "/",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Not a binary operator."),
    };

    private static string Number(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        // The language has no exponent notation: write large and tiny numbers out in full.
        if (text.Contains('E', StringComparison.Ordinal) && Math.Abs(value) < 7.9e28)
            text = ((decimal)value).ToString(CultureInfo.InvariantCulture);
        return text;
    }

    private static string Duration(TimeSpan value)
    {
        long ticks = value.Ticks;
        if (ticks != 0 && ticks % TimeSpan.TicksPerDay == 0)
            return (ticks / TimeSpan.TicksPerDay).ToString(CultureInfo.InvariantCulture) + "d";
        if (ticks != 0 && ticks % TimeSpan.TicksPerHour == 0)
            return (ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h";
        if (ticks != 0 && ticks % TimeSpan.TicksPerMinute == 0)
            return (ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m";
        return Number(value.TotalSeconds) + "s";
    }
}
