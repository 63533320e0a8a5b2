namespace CallStream.Rules;

/// <summary>An ordered, immutable set of rules with unique names; rules are evaluated in this order.</summary>
public sealed partial class RuleSet : IReadOnlyList<Rule>, IEquatable<RuleSet>
{
    private readonly ValueList<Rule> _rules;

    /// <summary>Creates a rule set.</summary>
    /// <param name="rules">The rules, in evaluation order; names must be unique.</param>
    /// <exception cref="ArgumentException">Two rules share a name.</exception>
    public RuleSet(IEnumerable<Rule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = new ValueList<Rule>(rules);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in _rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            if (!names.Add(rule.Name))
                throw new ArgumentException($"Rule '{rule.Name}' is defined twice; rule names are unique in a set.", nameof(rules));
        }
    }

    /// <summary>Creates a rule set from rules built in C#.</summary>
    /// <param name="rules">The rules, in evaluation order; names must be unique.</param>
    /// <returns>The rule set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">Two rules share a name.</exception>
    public static RuleSet Create(params Rule[] rules) => new(rules);

    /// <summary>Gets the empty rule set.</summary>
    public static RuleSet Empty { get; } = new([]);

    /// <inheritdoc/>
    public int Count => _rules.Count;

    /// <inheritdoc/>
    public Rule this[int index] => _rules[index];

    /// <inheritdoc/>
    public bool Equals(RuleSet? other) => other is not null && _rules.Equals(other._rules);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RuleSet);

    /// <inheritdoc/>
    public override int GetHashCode() => _rules.GetHashCode();

    /// <inheritdoc/>
    public IEnumerator<Rule> GetEnumerator() => _rules.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
