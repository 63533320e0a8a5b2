namespace CallStream.Rules.Engine;

/// <summary>
/// How a rule set is split into shards for <see cref="ShardedEvaluator"/>: an estimate of each rule's cost per event,
/// the shards balanced on it, and the number of threads <see cref="RuleEngineOptions.EvaluationThreads"/> = 0 picks.
/// </summary>
/// <remarks>
/// The weights follow the per-event CPU time of one rule alone in benchmarks/README.md's rule-shape matrix (5,000
/// keys): a per-event filter about 40 ns, a tumbling window about 200 ns, a sliding one 250–300 ns and more over a
/// day or a week, <c>distinct</c> and <c>min</c>/<c>max</c> over a sliding window up to twice that. A <c>where</c>
/// clause in front of a window lets only part of the events reach it. Only the relative sizes matter.
/// </remarks>
internal static class ShardPlan
{
    /// <summary>
    /// The estimated cost (in units of a per-event filter) from which a second thread pays for itself: the default
    /// rules (about 24) replay no faster on two threads, the seven of benchmarks/rules/long-windows.rules (about 80)
    /// do (benchmarks/README.md, "Rules on two threads").
    /// </summary>
    public const double AutoCostPerThread = 60;

    /// <summary>Gets the estimated cost of a rule per event, in units of a per-event filter.</summary>
    public static double Cost(CompiledRule rule)
    {
        if (rule.Rule.Window is not { } window || rule.Aggregates is not { } plan)
            return 1;
        bool sliding = window.Kind == WindowKind.Sliding;
        double cost = sliding ? 7 : 5;
        if (sliding && window.Length >= TimeSpan.FromDays(1))
            cost += 3;
        cost += plan.DistinctCount * (sliding ? 6 : 4);
        if (sliding && (plan.NeedsMin.Contains(true) || plan.NeedsMax.Contains(true)))
            cost += 3;
        return rule.Where is null ? cost : cost / 2;
    }

    /// <summary>Gets the number of threads to evaluate a rule set on when the option says 0 (automatic).</summary>
    /// <param name="rules">The compiled rules.</param>
    /// <param name="processors">The number of processors available.</param>
    public static int AutoThreads(IReadOnlyList<CompiledRule> rules, int processors)
    {
        int threads = 1 + (int)(rules.Sum(Cost) / AutoCostPerThread);
        return Math.Clamp(threads, 1, Math.Max(1, Math.Min(processors, rules.Count)));
    }

    /// <summary>
    /// Splits the rules into at most <paramref name="shards"/> shards of about equal estimated cost (the costliest rule
    /// first, each to the lightest shard so far), each listing its rules' indices in rule-set order.
    /// </summary>
    /// <param name="rules">The compiled rules, in rule-set order.</param>
    /// <param name="shards">The number of shards wanted; no more than there are rules are made.</param>
    /// <returns>The shards, none empty, the shard holding the first rule first.</returns>
    public static int[][] Assign(IReadOnlyList<CompiledRule> rules, int shards)
    {
        shards = Math.Clamp(shards, 1, Math.Max(1, rules.Count));
        var lists = new List<int>[shards];
        var load = new double[shards];
        for (int s = 0; s < shards; s++)
            lists[s] = [];
        // Ties keep rule-set order (OrderBy is stable), so the split is the same on every run.
        foreach (int i in Enumerable.Range(0, rules.Count).OrderByDescending(i => Cost(rules[i])))
        {
            int lightest = 0;
            for (int s = 1; s < shards; s++)
            {
                if (load[s] < load[lightest])
                    lightest = s;
            }
            lists[lightest].Add(i);
            load[lightest] += Cost(rules[i]);
        }
        return lists
            .Where(list => list.Count > 0)
            .Select(list => list.Order().ToArray())
            .OrderBy(list => list[0])
            .ToArray();
    }
}
