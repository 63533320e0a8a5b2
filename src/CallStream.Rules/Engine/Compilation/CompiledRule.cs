namespace CallStream.Rules.Engine;

/// <summary>
/// A rule compiled once into closures: the where-predicate, the group-key selector, the aggregate plan, the
/// having-predicate and the message. Immutable, so one compiled rule set serves any number of evaluators.
/// </summary>
internal sealed class CompiledRule
{
    private CompiledRule(Rule rule, BoolEval? where, Func<Interaction, string> key, AggregatePlan? aggregates, BoolEval? having, AggregateThresholds? thresholds, MessageRenderer message)
    {
        HavingThresholds = thresholds;
        Rule = rule;
        Where = where;
        Key = key;
        Aggregates = aggregates;
        Having = having;
        Message = message;
        WindowTicks = rule.Window?.Length.Ticks ?? 0;
        SuppressTicks = rule.Suppress?.Ticks ?? 0;
    }

    public Rule Rule { get; }

    public string Name => Rule.Name;

    /// <summary>Gets the filter, or null to take every event.</summary>
    public BoolEval? Where { get; }

    /// <summary>Gets the group key of an event (spec point 2).</summary>
    public Func<Interaction, string> Key { get; }

    /// <summary>Gets the aggregates of a windowed rule, or null.</summary>
    public AggregatePlan? Aggregates { get; }

    /// <summary>Gets the having-predicate of a windowed rule, or null.</summary>
    public BoolEval? Having { get; }

    /// <summary>Gets the having clause as thresholds on aggregates when it has that shape (tested faster than <see cref="Having"/>), or null.</summary>
    public AggregateThresholds? HavingThresholds { get; }

    public MessageRenderer Message { get; }

    /// <summary>Gets the window length in ticks, or 0 for a per-event rule.</summary>
    public long WindowTicks { get; }

    /// <summary>Gets the suppression period in ticks, or 0 for none.</summary>
    public long SuppressTicks { get; }

    /// <summary>Compiles a rule; the <see cref="Rules.Rule"/> constructor has type-checked it.</summary>
    /// <exception cref="RuleValidationException">The rule exceeds a limit of the engine (<see cref="AggregatePlan.MaxConditions"/>).</exception>
    public static CompiledRule Compile(Rule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        BoolEval? where = rule.Where is null ? null : new ExprCompiler().CompileCondition(rule.Where);
        Func<Interaction, string> key = rule.GroupBy is { } field
            ? FieldText.Reader(field)
            : rule.IsWindowed ? static _ => "*" : static e => e.InteractionId;
        AggregatePlan? aggregates = null;
        BoolEval? having = null;
        AggregateThresholds? thresholds = null;
        if (rule.IsWindowed)
        {
            aggregates = AggregatePlan.Build(rule);
            var clause = rule.Having ?? throw ExprCompiler.Unchecked();
            having = new ExprCompiler(aggregates.SlotOf).CompileCondition(clause);
            thresholds = AggregateThresholds.TryCompile(clause, aggregates);
        }
        return new CompiledRule(rule, where, key, aggregates, having, thresholds, MessageRenderer.Compile(rule, aggregates));
    }

    /// <summary>Creates the mutable state that evaluates this rule.</summary>
    /// <param name="alarm">The expiry alarm of the evaluator the runner belongs to.</param>
    /// <param name="hashes">The hash codes of keys of that evaluator, shared by its tables.</param>
    public RuleRunner CreateRunner(ExpiryAlarm alarm, KeyHashes hashes) => Rule.Window?.Kind switch
    {
        null => new PerEventRunner(this, alarm, hashes),
        WindowKind.Sliding => new SlidingWindowRunner(this, alarm, hashes),
        _ => new TumblingWindowRunner(this, alarm, hashes),
    };
}
