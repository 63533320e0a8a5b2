using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;

namespace CallStream.Rules;

/// <summary>
/// Evaluates the parts of a fluent rule's lambda that do not depend on the interaction or the window (constants,
/// captured variables, <c>TimeSpan.FromMinutes(5)</c>) once, when the rule is built, into the rule model's
/// literals. Apart from <see cref="ExpressionTranslator"/>, which translates the parts that do depend on them.
/// </summary>
internal sealed class ClosedExpressionEvaluator
{
    private readonly List<string> _problems;
    private readonly string _clause;
    private readonly HashSet<ParameterExpression> _interactions;
    private readonly ParameterExpression? _window;

    /// <summary>Creates an evaluator for one clause.</summary>
    /// <param name="problems">The rule's problems.</param>
    /// <param name="clause">The clause, for messages.</param>
    /// <param name="interactions">The interaction parameters in scope (the translator adds and removes an aggregate's).</param>
    /// <param name="window">The window parameter of <c>having</c>, or <see langword="null"/>.</param>
    public ClosedExpressionEvaluator(List<string> problems, string clause, HashSet<ParameterExpression> interactions, ParameterExpression? window)
    {
        _problems = problems;
        _clause = clause;
        _interactions = interactions;
        _window = window;
    }

    /// <summary>Whether an expression refers to none of the lambda's parameters, so it can be evaluated now.</summary>
    public bool IsClosed(Expression e)
    {
        var finder = new ParameterFinder(_interactions, _window);
        finder.Visit(e);
        return !finder.Found;
    }

    /// <summary>Evaluates a closed expression into a literal; an integer compared with an enum becomes that enum's value.</summary>
    public Expr? Evaluate(Expression e, Type? enumType)
    {
        // A TimeSpan's TotalSeconds is a duration: TimeSpan.FromMinutes(50).TotalSeconds prints as 50m.
        var stripped = ExpressionTranslator.StripConvert(e);
        if (stripped is MemberExpression { Member.Name: nameof(TimeSpan.TotalSeconds), Expression: { } span } && span.Type == typeof(TimeSpan))
        {
            return TryEvaluate(span, out object? value) ? new DurationLiteral((TimeSpan)value!) : null;
        }
        if (!TryEvaluate(enumType is null ? e : stripped, out object? result))
            return null;
        if (enumType is not null && result is not null && !result.GetType().IsEnum && IsIntegral(result))
            result = Enum.ToObject(enumType, result);
        return Literal(result, e);
    }

    private static bool IsIntegral(object value) => value is sbyte or byte or short or ushort or int or uint or long or ulong;

    /// <summary>Evaluates a closed expression; a failure is reported as a problem.</summary>
    public bool TryEvaluate(Expression e, out object? value)
    {
        try
        {
            value = e switch
            {
                ConstantExpression c => c.Value,
                MemberExpression { Member: FieldInfo field, Expression: null or ConstantExpression } m =>
                    field.GetValue((m.Expression as ConstantExpression)?.Value),
                MemberExpression { Member: PropertyInfo property, Expression: null or ConstantExpression } m =>
                    property.GetValue((m.Expression as ConstantExpression)?.Value),
                _ => Expression.Lambda<Func<object?>>(Expression.Convert(e, typeof(object))).Compile(preferInterpretation: true)(),
            };
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var inner = ex is TargetInvocationException { InnerException: { } cause } ? cause : ex;
            _problems.Add($"{_clause}: evaluating '{DiagnosticText.Shorten(e.ToString())}' failed: {inner.Message}");
            value = null;
            return false;
        }
    }

    /// <summary>The literal of a value, or a problem for a type the rule language has no literal for.</summary>
    public Expr? Literal(object? value, Expression source) => value switch
    {
        null => new NullLiteral(),
        bool b => new BoolLiteral(b),
        string s => new StringLiteral(s),
        Channel c when Enum.IsDefined(c) => new StringLiteral(WireNames.Name(c)),
        Outcome o when Enum.IsDefined(o) => new StringLiteral(WireNames.Name(o)),
        TimeSpan t => new DurationLiteral(t),
        DateTimeOffset d => new StringLiteral(Iso8601.Format(d)),
        sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal =>
            new NumberLiteral(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        _ => ExpressionTranslator.Unsupported(_problems, _clause, source, $"a value of type {value.GetType().Name} ({DiagnosticText.Shorten(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")})",
            "rules compare with numbers, text, booleans, Channel, Outcome, TimeSpan and DateTimeOffset values"),
    };

    /// <summary>Finds whether an expression refers to the lambda's interaction or window parameters.</summary>
    private sealed class ParameterFinder : ExpressionVisitor
    {
        private readonly HashSet<ParameterExpression> _interactions;
        private readonly ParameterExpression? _window;

        public ParameterFinder(HashSet<ParameterExpression> interactions, ParameterExpression? window)
        {
            _interactions = interactions;
            _window = window;
        }

        public bool Found { get; private set; }

        public override Expression? Visit(Expression? node) => Found ? node : base.Visit(node);

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (_interactions.Contains(node) || node == _window)
                Found = true;
            return node;
        }
    }
}
