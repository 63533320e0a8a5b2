using CallStream.Rules.Engine;
using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

public class MessageRendererTests
{
    private static readonly Interaction Call = Events.At(30, id: "i-7", customer: "c-42", agent: "a-1", channel: Channel.Video, duration: 312.5,
        outcome: Outcome.Failed, satisfaction: null, attributes: [new("region", "north")]);

    private static string RenderPerEvent(string? template, string key = "k")
    {
        var rule = new Rule("Msg", where: Bool(true), message: template);
        return MessageRenderer.Compile(rule, null).Render(rule.Name, Call, key, []);
    }

    [Fact]
    public void Render_FillsFieldsKeyAndRule()
    {
        Assert.Equal(
            "Msg i-7 c-42 a-1 video failed 2024-03-01T00:00:30Z 312.5 null north k",
            RenderPerEvent("{rule} {interaction_id} {customer_id} {agent_id} {channel} {outcome} {start_time} {duration_seconds} {satisfaction} {attributes.region} {key}"));
    }

    [Fact]
    public void Render_DoubledBracesAreLiteral()
    {
        Assert.Equal("{c-42} }{", RenderPerEvent("{{{customer_id}}} }}{{"));
    }

    [Fact]
    public void Render_MissingAttributeIsNull()
    {
        Assert.Equal("region null", RenderPerEvent("region {attributes.zone}"));
    }

    [Fact]
    public void Render_WholeNumbersHaveNoDecimals()
    {
        var whole = Events.At(0, duration: 3600, satisfaction: 4);
        var rule = new Rule("Msg", message: "{duration_seconds}/{satisfaction}");
        Assert.Equal("3600/4", MessageRenderer.Compile(rule, null).Render("Msg", whole, "k", []));
    }

    [Fact]
    public void Rule_UnknownPlaceholder_IsRejectedWithOffset()
    {
        // The type checker rejects the template when the rule is built, before the engine sees it.
        var ex = Assert.Throws<RuleValidationException>(() => new Rule("Msg", message: "Call {interaction} by {agent}"));
        Assert.Equal("Msg", ex.RuleName);
        Assert.Equal(
            [
                "message: unknown placeholder '{interaction}' in message at offset 5 (did you mean '{interaction_id}'?).",
                "message: unknown placeholder '{agent}' in message at offset 22 (did you mean '{agent_id}'?).",
            ],
            ex.Problems);
    }

    [Theory]
    [InlineData("open {brace", "message: unterminated placeholder in message at offset 5 (close it with '}', or write '{{' for a literal brace).")]
    [InlineData("close } brace", "message: unmatched '}' in message at offset 6 (write '}}' for a literal brace).")]
    [InlineData("empty {} here", "message: empty placeholder '{}' in message at offset 6 (write '{{}}' for literal braces).")]
    public void Rule_UnbalancedBraces_AreRejected(string template, string expected)
    {
        var ex = Assert.Throws<RuleValidationException>(() => new Rule("Msg", message: template));
        Assert.Equal([expected], ex.Problems);
        Assert.Equal("Rule 'Msg' is not valid: " + expected, ex.Message);
    }

    [Fact]
    public void Rule_AggregateInPerEventRule_IsRejected()
    {
        var ex = Assert.Throws<RuleValidationException>(() => new Rule("Msg", message: "{count(*)}"));
        Assert.Equal(
            ["message: placeholder '{count(*)}' is not an aggregate of 'having' at offset 0 (only a windowed rule has aggregates, in its having clause)."],
            ex.Problems);
    }

    [Fact]
    public void Render_AggregatesByCanonicalTextRoundedToFourDecimals()
    {
        var having = And(Ge(CountAll, Num(3)), Gt(Rate(Eq(OutcomeField, Str("failed"))), Num(0.5)));
        var rule = new Rule("Agg", groupBy: Field.AgentId, window: Sliding(TimeSpan.FromHours(1)), having: having,
            message: "{key}: {count(*)} calls, {rate( outcome == \"failed\" )} failed; {rate(outcome = 'failed')}");
        var plan = AggregatePlan.Build(rule);
        var renderer = MessageRenderer.Compile(rule, plan);
        Assert.Equal("a-1: 3 calls, 0.6667 failed; 0.6667", renderer.Render(rule.Name, Call, "a-1", [3, 2.0 / 3]));
    }

    [Fact]
    public void Render_NullAggregateIsNull()
    {
        var having = Lt(Avg(Satisfaction), Num(2));
        var rule = new Rule("Agg", window: Tumbling(TimeSpan.FromHours(1)), having: having, message: "avg {avg(satisfaction)}");
        var renderer = MessageRenderer.Compile(rule, AggregatePlan.Build(rule));
        Assert.Equal("avg null", renderer.Render(rule.Name, Call, "*", [double.NaN]));
    }

    [Fact]
    public void DefaultMessage_PerEventRule_NamesInteractionCustomerAndAgent()
    {
        Assert.Equal("Msg: interaction i-7 (customer c-42, agent a-1)", RenderPerEvent(null, "i-7"));
    }

    [Fact]
    public void DefaultMessage_WindowedRule_ListsTheAggregates()
    {
        var having = And(Ge(CountAll, Num(3)), Lt(Avg(Satisfaction), Num(2)));
        var rule = new Rule("Low", groupBy: Field.AgentId, window: Sliding(TimeSpan.FromHours(2)), having: having);
        var renderer = MessageRenderer.Compile(rule, AggregatePlan.Build(rule));
        Assert.Equal("Low: a-1 with count(*) = 4, avg(satisfaction) = 1.3333", renderer.Render(rule.Name, Call, "a-1", [4, 4.0 / 3]));
    }

    [Fact]
    public void DefaultMessage_WindowedRuleWithoutAggregates_IsRuleAndKey()
    {
        var having = Gt(Duration, Num(10));
        var rule = new Rule("Plain", window: Sliding(TimeSpan.FromHours(2)), having: having);
        var renderer = MessageRenderer.Compile(rule, AggregatePlan.Build(rule));
        Assert.Equal("Plain: *", renderer.Render(rule.Name, Call, "*", []));
    }

    [Theory]
    [InlineData(5.0, "5")]
    [InlineData(-0.0, "0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e20, "1E+20")]
    [InlineData(2.0 / 3, "0.6666666666666666")]
    public void NumberText_Format_IsInvariantAndShortest(double value, string expected)
    {
        Assert.Equal(expected, NumberText.Format(value));
    }

    [Theory]
    [InlineData(2.0 / 3, "0.6667")]
    [InlineData(0.00005, "0.0001")]
    [InlineData(12.5, "12.5")]
    [InlineData(7.0, "7")]
    public void NumberText_FormatAggregate_RoundsToFourDecimals(double value, string expected)
    {
        Assert.Equal(expected, NumberText.FormatAggregate(value));
    }
}
