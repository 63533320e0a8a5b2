
namespace CallStream.Rules.Engine;

/// <summary>A rule without a window: every event that passes <c>where</c> is a candidate (spec point 3).</summary>
internal sealed class PerEventRunner : RuleRunner
{
    public PerEventRunner(CompiledRule rule, ExpiryAlarm alarm, KeyHashes hashes)
        : base(rule, alarm, hashes)
    {
    }

    public override void Offer(Interaction e, long ticks, ICollection<Alert>? output)
    {
        if (Take(e))
            Candidate(e, ticks, Rule.Key(e), output, NoAggregates, 0, 0);
    }
}
