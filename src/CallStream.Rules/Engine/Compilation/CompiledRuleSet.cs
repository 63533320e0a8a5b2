namespace CallStream.Rules.Engine;

/// <summary>A rule set compiled once; immutable and shareable.</summary>
internal sealed class CompiledRuleSet
{
    private CompiledRuleSet(RuleSet rules, CompiledRule[] compiled)
    {
        Rules = rules;
        Compiled = compiled;
    }

    public RuleSet Rules { get; }

    public IReadOnlyList<CompiledRule> Compiled { get; }

    /// <summary>Compiles every rule, in order.</summary>
    /// <exception cref="RuleValidationException">A rule exceeds a limit of the engine (<see cref="AggregatePlan.MaxConditions"/>).</exception>
    public static CompiledRuleSet Compile(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return new CompiledRuleSet(rules, rules.Select(CompiledRule.Compile).ToArray());
    }
}
