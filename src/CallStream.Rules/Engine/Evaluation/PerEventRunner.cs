namespace CallStream.Rules.Engine;

/// <summary>A rule without a window: every event that passes <c>where</c> is a candidate (spec point 3).</summary>
internal sealed class PerEventRunner : RuleRunner
{
    public PerEventRunner(CompiledRule rule)
        : base(rule)
    {
    }

    public override void Offer(Interaction e, long ticks, ICollection<Alert>? output)
    {
        var rule = Rule;
        if (rule.Where is { } where && where(e, NoAggregates) != Tri.True)
            return;
        EventsTaken++;
        Candidate(e, ticks, rule.Key(e), output, NoAggregates, 0, 0);
    }
}
