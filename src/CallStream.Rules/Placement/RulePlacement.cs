namespace CallStream.Rules;

/// <summary>
/// Where the rules of a set must run when several consumers share a topic: which rules each consumer can evaluate on
/// the records it reads, and which need every event of a group in one place, re-keyed by their <c>group by</c> field.
/// </summary>
/// <remarks>
/// <para>
/// A consumer of a Kafka topic reads only the partitions it is assigned, and a topic is partitioned by its message
/// key (CallStream's producer keys by <c>customer_id</c>). A rule's state lives per group, so a rule grouped by the
/// message key sees every event of each group it holds wherever it runs; so does a per-event rule without
/// suppression, which has no state at all. Every other rule with state must see all the events of each of its groups:
/// a rule grouped by another field (agent, channel, an attribute) needs the events re-keyed by that field, and a rule
/// with a window or a suppression but no <c>group by</c> needs every event in one place.
/// </para>
/// <para>
/// The plan keeps the rules' order within each part, so alerts of one part come in the order a replay raises them.
/// </para>
/// </remarks>
public sealed class RulePlacement
{
    private RulePlacement(RuleSet local, IReadOnlyList<RepartitionedRules> repartitioned)
    {
        Local = local;
        Repartitioned = repartitioned;
    }

    /// <summary>Gets the rules a consumer evaluates on the records it reads: grouped by the message key, or without state.</summary>
    public RuleSet Local { get; }

    /// <summary>Gets the rules that need their events re-keyed, one entry per field (in the order of first use), then the rules that need every event in one place.</summary>
    public IReadOnlyList<RepartitionedRules> Repartitioned { get; }

    /// <summary>Gets whether every rule can run where its records are read (nothing to re-key).</summary>
    public bool IsLocal => Repartitioned.Count == 0;

    /// <summary>Plans where each rule of <paramref name="rules"/> runs for a topic keyed by <paramref name="messageKey"/>.</summary>
    /// <param name="rules">The rules.</param>
    /// <param name="messageKey">The field the topic's messages are keyed by (the producer's partitioning key).</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static RulePlacement Plan(RuleSet rules, Field messageKey)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(messageKey);
        var local = new List<Rule>();
        var byField = new List<(Field Field, List<Rule> Rules)>();
        var everywhere = new List<Rule>();
        foreach (var rule in rules)
        {
            if (rule.GroupBy is { } field)
            {
                if (field == messageKey)
                {
                    local.Add(rule);
                    continue;
                }
                int index = byField.FindIndex(f => f.Field == field);
                if (index < 0)
                {
                    byField.Add((field, []));
                    index = byField.Count - 1;
                }
                byField[index].Rules.Add(rule);
            }
            else if (rule.Window is null && rule.Suppress is null)
            {
                local.Add(rule);
            }
            else
            {
                everywhere.Add(rule);
            }
        }
        var repartitioned = byField.Select(f => new RepartitionedRules(f.Field, new RuleSet(f.Rules))).ToList();
        if (everywhere.Count > 0)
            repartitioned.Add(new RepartitionedRules(null, new RuleSet(everywhere)));
        return new RulePlacement(new RuleSet(local), repartitioned);
    }
}

/// <summary>Rules that need every event of a group in one place: re-keyed by <see cref="By"/>, or all in one place when it is <see langword="null"/>.</summary>
public sealed class RepartitionedRules
{
    internal RepartitionedRules(Field? by, RuleSet rules)
    {
        By = by;
        Rules = rules;
    }

    /// <summary>Gets the field the events are re-keyed by, or <see langword="null"/> for rules without <c>group by</c> (one group: every event).</summary>
    public Field? By { get; }

    /// <summary>Gets the rules, in their set's order.</summary>
    public RuleSet Rules { get; }

    /// <summary>Gets the name of this part in topic names: the field's name (<c>agent_id</c>, <c>attributes.region</c>), or <c>all</c>.</summary>
    public string Name => By?.Name ?? "all";

    /// <inheritdoc/>
    public override string ToString() => Name + ": " + string.Join(", ", Rules.Select(r => r.Name));
}
