using CallStream.Rules.Engine;

namespace CallStream.Rules.Tests.Engine;

/// <summary>The fast test of having clauses that compare aggregates with constants: it must agree with the compiled condition.</summary>
public class AggregateThresholdsTests
{
    private static readonly double[] Samples = [double.NaN, double.NegativeInfinity, -1, 0, 0.5, 1, 2, 2.5, 3, 10, double.PositiveInfinity];

    [Theory]
    [InlineData("count(*) >= 2")]
    [InlineData("count(*) > 2")]
    [InlineData("count(*) <= 2")]
    [InlineData("count(*) < 2")]
    [InlineData("avg(satisfaction) = 2")]
    [InlineData("avg(satisfaction) != 2")]
    [InlineData("2 < avg(satisfaction)")]
    [InlineData("1m <= sum(duration_seconds)")]
    [InlineData("count(*) >= 3 and rate(outcome = 'failed') > 0.5")]
    [InlineData("count(satisfaction is not null) >= 3 and avg(satisfaction) < 2 and max(satisfaction) != 1")]
    [InlineData("distinct(customer_id) >= 2 and min(duration_seconds) <= 60")]
    public void Holds_AgreesWithTheCompiledCondition(string having)
    {
        var compiled = Compile(having);
        var thresholds = compiled.HavingThresholds;
        Assert.NotNull(thresholds);
        var condition = compiled.Having!;
        var plan = compiled.Aggregates!;
        var e = Events.At(0);
        var acc = new double[plan.Width];
        var values = new double[plan.SlotCount];
        var random = new Random(7);
        int checkedTrue = 0, checkedFalse = 0;
        // Accumulators of sample values (zero counts, NaN, infinities, values at the constants) in random combinations.
        for (int n = 0; n < 20_000; n++)
        {
            for (int i = 0; i < acc.Length; i++)
                acc[i] = Samples[random.Next(Samples.Length)];
            plan.Read(acc, values);
            bool expected = condition(e, values) == Tri.True;
            Assert.Equal(expected, thresholds.Holds(acc));
            checkedTrue += expected ? 1 : 0;
            checkedFalse += expected ? 0 : 1;
        }
        Assert.True(checkedTrue > 0 && checkedFalse > 0);
    }

    [Theory]
    [InlineData("count(*) >= 3 or avg(satisfaction) < 2")]
    [InlineData("not count(*) >= 3")]
    [InlineData("count(*) >= 2 * 3")]
    [InlineData("count(*) > duration_seconds")]
    public void OtherShapes_AreLeftToTheCompiledCondition(string having) =>
        Assert.Null(Compile(having).HavingThresholds);

    private static CompiledRule Compile(string having) =>
        CompiledRule.Compile(Rule.Parse($"rule R\n  group by agent_id\n  window sliding 1h\n  having {having}\n"));
}
