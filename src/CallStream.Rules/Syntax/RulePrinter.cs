using System.Runtime.CompilerServices;
using System.Text;

namespace CallStream.Rules;

/// <summary>
/// Writes rule models as canonical text: clauses in the conventional order, two-space indentation, lowercase
/// keywords, the fewest parentheses the precedence needs, <c>=</c> and <c>!=</c>, single-quoted strings,
/// shortest round-trip numbers and durations in their largest exact unit. The text parses back to an equal model.
/// </summary>
internal static class RulePrinter
{
    private const int OrLevel = 1;
    private const int AndLevel = 2;
    private const int NotLevel = 3;
    private const int ComparisonLevel = 4;
    private const int AdditiveLevel = 5;
    private const int MultiplicativeLevel = 6;
    private const int UnaryLevel = 7;
    private const int PrimaryLevel = 8;

    public static string Print(RuleSet rules)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < rules.Count; i++)
        {
            if (i > 0)
                sb.Append('\n');
            Write(sb, rules[i]);
        }
        return sb.ToString();
    }

    public static string Print(Rule rule)
    {
        var sb = new StringBuilder();
        Write(sb, rule);
        return sb.ToString();
    }

    public static string Print(Expr expr)
    {
        var sb = new StringBuilder();
        Write(sb, expr);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, Rule rule)
    {
        sb.Append("rule ").Append(rule.Name).Append('\n');
        if (rule.Where is not null)
            Write(sb.Append("  where "), rule.Where).Append('\n');
        if (rule.GroupBy is not null)
            sb.Append("  group by ").Append(rule.GroupBy.Name).Append('\n');
        if (rule.Window is not null)
        {
            sb.Append("  window ").Append(rule.Window.Kind == WindowKind.Tumbling ? "tumbling " : "sliding ")
                .Append(LiteralText.Duration(rule.Window.Length)).Append('\n');
        }
        if (rule.Having is not null)
            Write(sb.Append("  having "), rule.Having).Append('\n');
        sb.Append("  severity ").Append(WireNames.Name(rule.Severity)).Append('\n');
        if (rule.Suppress is { } suppress)
            sb.Append("  suppress ").Append(LiteralText.Duration(suppress)).Append('\n');
        if (rule.Message is not null)
            sb.Append("  message ").Append(LiteralText.Quote(rule.Message)).Append('\n');
    }

    private static int Level(Expr? e) => e switch
    {
        BinaryExpr b => Level(b.Op),
        UnaryExpr { Op: UnaryOp.Not } => NotLevel,
        UnaryExpr => UnaryLevel,
        InExpr or IsNullExpr => ComparisonLevel,
        NumberLiteral n when double.IsNegative(n.Value) => UnaryLevel,
        DurationLiteral d when d.Value < TimeSpan.Zero => UnaryLevel,
        _ => PrimaryLevel,
    };

    private static int Level(BinaryOp op) => op switch
    {
        BinaryOp.Or => OrLevel,
        BinaryOp.And => AndLevel,
        BinaryOp.Add or BinaryOp.Subtract => AdditiveLevel,
        BinaryOp.Multiply or BinaryOp.Divide => MultiplicativeLevel,
        _ => ComparisonLevel,
    };

    /// <summary>Gets an operator as the printer writes it: <c>=</c> and <c>!=</c>, lowercase <c>and</c>/<c>or</c>; <c>?</c> for an undefined value.</summary>
    public static string OperatorText(BinaryOp op) => op switch
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
        _ => "?",
    };

    /// <summary>Gets the name of an aggregate function as the printer writes it (lowercase); <c>?</c> for an undefined value.</summary>
    public static string FunctionName(AggregateKind kind) => kind switch
    {
        AggregateKind.CountAll or AggregateKind.Count => "count",
        AggregateKind.Rate => "rate",
        AggregateKind.Sum => "sum",
        AggregateKind.Avg => "avg",
        AggregateKind.Min => "min",
        AggregateKind.Max => "max",
        AggregateKind.Distinct => "distinct",
        _ => "?",
    };

    private static StringBuilder WriteOperand(StringBuilder sb, Expr? e, bool parenthesize)
    {
        if (!parenthesize)
            return Write(sb, e);
        sb.Append('(');
        Write(sb, e);
        return sb.Append(')');
    }

    private static StringBuilder Write(StringBuilder sb, Expr? e)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (e)
        {
            case null:
                return sb.Append('?');
            case NumberLiteral n:
                return sb.Append(double.IsFinite(n.Value) ? LiteralText.Number(n.Value) : "?");
            case DurationLiteral d:
                return sb.Append(LiteralText.Duration(d.Value));
            case StringLiteral s:
                return sb.Append(s.Value is null ? "?" : LiteralText.Quote(s.Value));
            case BoolLiteral b:
                return sb.Append(b.Value ? "true" : "false");
            case NullLiteral:
                return sb.Append("null");
            case FieldExpr f:
                return sb.Append(f.Field?.Name ?? "?");
            case UnaryExpr { Op: UnaryOp.Not } u:
                sb.Append("not ");
                return WriteOperand(sb, u.Operand, Level(u.Operand) < NotLevel);
            case UnaryExpr u:
            {
                sb.Append('-');
                // A minus before a non-negative literal would be read back as part of the literal: -(5), not -5.
                bool literal = u.Operand is NumberLiteral { Value: var v } && !double.IsNegative(v)
                    || u.Operand is DurationLiteral { Value: var t } && t >= TimeSpan.Zero;
                return WriteOperand(sb, u.Operand, literal || Level(u.Operand) < UnaryLevel);
            }
            case BinaryExpr b:
            {
                int level = Level(b.Op);
                bool comparison = level == ComparisonLevel;
                int left = Level(b.Left);
                WriteOperand(sb, b.Left, left < level || (comparison && left == level));
                sb.Append(' ').Append(OperatorText(b.Op)).Append(' ');
                return WriteOperand(sb, b.Right, Level(b.Right) <= level);
            }
            case InExpr i:
            {
                WriteOperand(sb, i.Operand, Level(i.Operand) <= ComparisonLevel);
                sb.Append(" in (");
                if (i.Values is not null)
                {
                    for (int k = 0; k < i.Values.Count; k++)
                    {
                        if (k > 0)
                            sb.Append(", ");
                        Write(sb, i.Values[k]);
                    }
                }
                return sb.Append(')');
            }
            case IsNullExpr n:
                WriteOperand(sb, n.Operand, Level(n.Operand) <= ComparisonLevel);
                return sb.Append(n.Negated ? " is not null" : " is null");
            case AggregateExpr a:
            {
                sb.Append(FunctionName(a.Kind)).Append('(');
                if (a.Kind == AggregateKind.CountAll && a.Argument is null)
                    sb.Append('*');
                else
                    Write(sb, a.Argument);
                return sb.Append(')');
            }
            default:
                return sb.Append('?').Append(e.GetType().Name);
        }
    }
}
