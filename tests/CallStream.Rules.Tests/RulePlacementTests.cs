namespace CallStream.Rules.Tests;

/// <summary>Which rules run where their records are read, and which need their events re-keyed.</summary>
public class RulePlacementTests
{
    [Fact]
    public void DefaultRules_ByCustomerKey_KeepCustomerAndPerEventRulesLocal_AndReKeyAgentRules()
    {
        var plan = RulePlacement.Plan(DefaultRules.RuleSet, Field.CustomerId);
        Assert.Equal(
            DefaultRules.RuleSet.Where(r => r.GroupBy is null || r.GroupBy == Field.CustomerId).Select(r => r.Name),
            plan.Local.Select(r => r.Name));
        var fields = DefaultRules.RuleSet.Select(r => r.GroupBy).OfType<Field>().Where(f => f != Field.CustomerId).Distinct().ToList();
        Assert.Contains(Field.AgentId, fields);
        Assert.Equal(fields, plan.Repartitioned.Select(p => p.By));
        var byAgent = plan.Repartitioned.Single(p => p.By == Field.AgentId);
        Assert.Equal("agent_id", byAgent.Name);
        Assert.Equal(DefaultRules.RuleSet.Where(r => r.GroupBy == Field.AgentId).Select(r => r.Name), byAgent.Rules.Select(r => r.Name));
        Assert.False(plan.IsLocal);
    }

    [Fact]
    public void EveryRule_IsPlacedOnce_InItsSetsOrder()
    {
        var rules = RuleText.Parse("""
            rule PerEvent
              where duration_seconds > 10
              severity info
            rule ByRegion
              group by attributes.region
              window tumbling 1h
              having count(*) > 1
              severity info
            rule Quiet
              where outcome = 'failed'
              severity info
              suppress 10m
            rule ByChannel
              group by channel
              window sliding 1h
              having count(*) > 1
              severity info
            rule AllWindowed
              window tumbling 1h
              having count(*) > 100
              severity info
            rule ByRegionToo
              group by attributes.region
              window sliding 5m
              having count(*) > 1
              severity info
            rule ByCustomer
              group by customer_id
              window sliding 5m
              having count(*) > 1
              severity info
            """).RuleSet!;
        var plan = RulePlacement.Plan(rules, Field.CustomerId);
        Assert.Equal(["PerEvent", "ByCustomer"], plan.Local.Select(r => r.Name));
        Assert.Equal(["attributes.region", "channel", "all"], plan.Repartitioned.Select(p => p.Name));
        Assert.Equal(["ByRegion", "ByRegionToo"], plan.Repartitioned[0].Rules.Select(r => r.Name));
        Assert.Equal(["ByChannel"], plan.Repartitioned[1].Rules.Select(r => r.Name));
        Assert.Null(plan.Repartitioned[2].By);
        Assert.Equal(["Quiet", "AllWindowed"], plan.Repartitioned[2].Rules.Select(r => r.Name));
    }

    [Fact]
    public void A_TopicKeyedByAgent_KeepsAgentRulesLocal()
    {
        var plan = RulePlacement.Plan(DefaultRules.RuleSet, Field.AgentId);
        Assert.DoesNotContain(plan.Repartitioned, p => p.By == Field.AgentId);
        Assert.Contains(plan.Repartitioned, p => p.By == Field.CustomerId);
        Assert.All(plan.Local.Where(r => r.GroupBy is not null), r => Assert.Equal(Field.AgentId, r.GroupBy));
        Assert.True(RulePlacement.Plan(RuleSet.Empty, Field.CustomerId).IsLocal);
    }
}
