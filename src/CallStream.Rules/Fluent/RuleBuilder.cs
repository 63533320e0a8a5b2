using System.Linq.Expressions;

namespace CallStream.Rules;

/// <summary>
/// The fluent rule builder behind <see cref="Rule.Named(string)"/>. It records the clauses (each at most once),
/// translates the lambdas when <see cref="Build"/> is called, and refuses any use after that.
/// </summary>
internal sealed class RuleBuilder : IRuleBuilder, IRuleWindowStage, IWindowedRuleBuilder
{
    private readonly string _name;
    private Expression<Func<Interaction, bool>>? _where;
    private LambdaExpression? _groupBy;
    private WindowSpec? _window;
    private Expression<Func<IAggregateWindow, bool>>? _having;
    private Severity? _severity;
    private TimeSpan? _suppress;
    private string? _message;
    private bool _built;

    public RuleBuilder(string name) => _name = name;

    public Rule Build()
    {
        EnsureNotBuilt();
        _built = true;
        var problems = new List<string>();
        var where = _where is null ? null : ExpressionTranslator.TranslateCondition(_where, problems);
        var groupBy = _groupBy is null ? null : ExpressionTranslator.TranslateField(_groupBy, problems);
        var having = _having is null ? null : ExpressionTranslator.TranslateHaving(_having, problems);
        if (problems.Count > 0)
            throw new RuleValidationException(_name, problems);
        return new Rule(_name, where, groupBy, _window, having, _severity ?? Severity.Warning, _suppress, _message);
    }

    private void EnsureNotBuilt()
    {
        if (_built)
            throw new InvalidOperationException($"The builder of rule '{_name}' was already built; start a new rule with Rule.Named(...).");
    }

    private void EnsureUnset(bool isSet, string clause)
    {
        EnsureNotBuilt();
        if (isSet)
            throw new InvalidOperationException($"Rule '{_name}' already has {clause}; each clause is set at most once.");
    }

    private RuleBuilder SetWhere(Expression<Func<Interaction, bool>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        EnsureUnset(_where is not null, "a where condition");
        _where = condition;
        return this;
    }

    private RuleBuilder SetGroupBy(LambdaExpression field)
    {
        ArgumentNullException.ThrowIfNull(field);
        EnsureUnset(_groupBy is not null, "a group by field");
        _groupBy = field;
        return this;
    }

    private RuleBuilder SetSeverity(Severity severity)
    {
        if (!Enum.IsDefined(severity))
            throw new ArgumentOutOfRangeException(nameof(severity), severity, "The severity must be one of " + WireNames.AllowedSeverities + ".");
        EnsureUnset(_severity is not null, "a severity");
        _severity = severity;
        return this;
    }

    private RuleBuilder SetSuppress(TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        EnsureUnset(_suppress is not null, "a suppression period");
        _suppress = period;
        return this;
    }

    private RuleBuilder SetMessage(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        EnsureUnset(_message is not null, "a message");
        _message = template;
        return this;
    }

    private RuleBuilder SetWindow(WindowKind kind, TimeSpan length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero);
        EnsureUnset(_window is not null, "a window");
        _window = new WindowSpec(kind, length);
        return this;
    }

    public IRuleWindowStage SlidingWindow(TimeSpan length) => SetWindow(WindowKind.Sliding, length);

    public IRuleWindowStage TumblingWindow(TimeSpan length) => SetWindow(WindowKind.Tumbling, length);

    public IWindowedRuleBuilder Having(Expression<Func<IAggregateWindow, bool>> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        EnsureUnset(_having is not null, "a having condition");
        _having = condition;
        return this;
    }

    IRuleBuilder IRuleClauses<IRuleBuilder>.Where(Expression<Func<Interaction, bool>> condition) => SetWhere(condition);

    IRuleBuilder IRuleClauses<IRuleBuilder>.GroupBy<TKey>(Expression<Func<Interaction, TKey>> field) => SetGroupBy(field);

    IRuleBuilder IRuleClauses<IRuleBuilder>.WithSeverity(Severity severity) => SetSeverity(severity);

    IRuleBuilder IRuleClauses<IRuleBuilder>.Info() => SetSeverity(Severity.Info);

    IRuleBuilder IRuleClauses<IRuleBuilder>.Warning() => SetSeverity(Severity.Warning);

    IRuleBuilder IRuleClauses<IRuleBuilder>.Critical() => SetSeverity(Severity.Critical);

    IRuleBuilder IRuleClauses<IRuleBuilder>.Suppress(TimeSpan period) => SetSuppress(period);

    IRuleBuilder IRuleClauses<IRuleBuilder>.WithMessage(string template) => SetMessage(template);

    IWindowedRuleBuilder IRuleClauses<IWindowedRuleBuilder>.Where(Expression<Func<Interaction, bool>> condition) => SetWhere(condition);

    IWindowedRuleBuilder IRuleClauses<IWindowedRuleBuilder>.GroupBy<TKey>(Expression<Func<Interaction, TKey>> field) => SetGroupBy(field);

    IWindowedRuleBuilder IRuleClauses<IWindowedRuleBuilder>.WithSeverity(Severity severity) => SetSeverity(severity);

    IWindowedRuleBuilder IRuleClauses<IWindowedRuleBuilder>.Info() => SetSeverity(Severity.Info);

    IWindowedRuleBuilder IRuleClauses<IWindowedRuleBuilder>.Warning() => SetSeverity(Severity.Warning);

    IWindowedRuleBuilder IRuleClauses<IWindowedRuleBuilder>.Critical() => SetSeverity(Severity.Critical);

    IWindowedRuleBuilder IRuleClauses<IWindowedRuleBuilder>.Suppress(TimeSpan period) => SetSuppress(period);

    IWindowedRuleBuilder IRuleClauses<IWindowedRuleBuilder>.WithMessage(string template) => SetMessage(template);
}
