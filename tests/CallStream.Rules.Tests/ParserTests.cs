using static CallStream.Rules.Tests.RuleTestText;

namespace CallStream.Rules.Tests;

public class ParserTests
{
    private static FieldExpr F(Field field) => new(field);

    private static NumberLiteral N(double value) => new(value);

    private static BinaryExpr B(BinaryOp op, Expr left, Expr right) => new(op, left, right);

    [Fact]
    public void Parse_SpecExample_GivesTheExpectedModels()
    {
        var rules = Valid(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "example.rules")));

        Assert.Equal(3, rules.Count);
        Assert.Equal(new Rule("LongCall",
            where: B(BinaryOp.Greater, F(Field.DurationSeconds), new DurationLiteral(TimeSpan.FromMinutes(50))),
            severity: Severity.Warning,
            message: "Call {interaction_id} by agent {agent_id} lasted {duration_seconds} s"), rules[0]);
        Assert.Equal(new Rule("RepeatedFailures",
            where: B(BinaryOp.Equal, F(Field.Outcome), new StringLiteral("failed")),
            groupBy: Field.CustomerId,
            window: new WindowSpec(WindowKind.Sliding, TimeSpan.FromHours(1)),
            having: B(BinaryOp.GreaterOrEqual, new AggregateExpr(AggregateKind.CountAll, null), N(5)),
            severity: Severity.Critical,
            suppress: TimeSpan.FromHours(1),
            message: "Customer {key}: {count(*)} failed contacts within an hour"), rules[1]);
        Assert.Equal(new Rule("AgentFailureRate",
            groupBy: Field.AgentId,
            window: new WindowSpec(WindowKind.Tumbling, TimeSpan.FromDays(1)),
            having: B(BinaryOp.And,
                B(BinaryOp.GreaterOrEqual, new AggregateExpr(AggregateKind.CountAll, null), N(10)),
                B(BinaryOp.Greater, new AggregateExpr(AggregateKind.Rate, B(BinaryOp.Equal, F(Field.Outcome), new StringLiteral("failed"))), N(0.5)))),
            rules[2]);
    }

    [Fact]
    public void Parse_ClausesInAnyOrder_GiveTheSameRule()
    {
        var conventional = Valid("rule R where agent_id = 'a' group by customer_id window sliding 1h having count(*) > 2 severity info suppress 5m message 'm'");
        var shuffled = Valid("rule R message 'm' suppress 5m having count(*) > 2 severity info group by customer_id where agent_id = 'a' window sliding 1h");
        Assert.Equal(conventional, shuffled);
    }

    [Fact]
    public void Parse_KeywordsInAnyCase_GiveTheSameRule()
    {
        Assert.Equal(Valid("rule R where satisfaction is not null and true severity critical"),
            Valid("RULE R WHERE satisfaction IS NOT NULL AND TRUE SEVERITY CRITICAL"));
    }

    [Fact]
    public void Parse_SeverityDefaultsToWarning()
    {
        Assert.Equal(Severity.Warning, Valid("rule R")[0].Severity);
    }

    [Fact]
    public void Parse_OrBindsLooserThanAnd()
    {
        Assert.Equal(B(BinaryOp.Or, new BoolLiteral(true), B(BinaryOp.And, new BoolLiteral(false), new BoolLiteral(true))),
            Where("true or false and true"));
    }

    [Fact]
    public void Parse_NotBindsLooserThanComparison()
    {
        Assert.Equal(new UnaryExpr(UnaryOp.Not, B(BinaryOp.Equal, F(Field.AgentId), new StringLiteral("a"))), Where("not agent_id = 'a'"));
    }

    [Fact]
    public void Parse_NotBindsTighterThanAnd()
    {
        Assert.Equal(B(BinaryOp.And, new UnaryExpr(UnaryOp.Not, new BoolLiteral(true)), new BoolLiteral(false)), Where("not true and false"));
    }

    [Fact]
    public void Parse_ArithmeticPrecedenceAndLeftAssociativity()
    {
        // 1 + 2 * 3 - 4 / 5 > 0  ==  ((1 + (2 * 3)) - (4 / 5)) > 0
        Assert.Equal(
            B(BinaryOp.Greater, B(BinaryOp.Subtract, B(BinaryOp.Add, N(1), B(BinaryOp.Multiply, N(2), N(3))), B(BinaryOp.Divide, N(4), N(5))), N(0)),
            Where("1 + 2 * 3 - 4 / 5 > 0"));
    }

    [Fact]
    public void Parse_ParenthesesOverridePrecedence()
    {
        Assert.Equal(B(BinaryOp.Greater, B(BinaryOp.Multiply, B(BinaryOp.Add, N(1), N(2)), N(3)), N(0)), Where("(1 + 2) * 3 > 0"));
    }

    [Fact]
    public void Parse_MinusBeforeALiteral_IsPartOfTheLiteral()
    {
        Assert.Equal(B(BinaryOp.Greater, F(Field.DurationSeconds), N(-5)), Where("duration_seconds > -5"));
        Assert.Equal(B(BinaryOp.Greater, F(Field.DurationSeconds), new DurationLiteral(TimeSpan.FromMinutes(-5))), Where("duration_seconds > -5m"));
    }

    [Fact]
    public void Parse_MinusBeforeAnythingElse_IsNegation()
    {
        Assert.Equal(B(BinaryOp.Less, new UnaryExpr(UnaryOp.Negate, F(Field.Satisfaction)), N(0)), Where("-satisfaction < 0"));
        Assert.Equal(B(BinaryOp.Less, new UnaryExpr(UnaryOp.Negate, N(5)), N(0)), Where("-(5) < 0"));
        Assert.Equal(B(BinaryOp.Less, new UnaryExpr(UnaryOp.Negate, N(-5)), N(0)), Where("--5 < 0"));
    }

    [Fact]
    public void Parse_UnaryMinusBindsTighterThanMultiplication()
    {
        Assert.Equal(B(BinaryOp.Less, B(BinaryOp.Multiply, new UnaryExpr(UnaryOp.Negate, F(Field.Satisfaction)), N(2)), N(0)),
            Where("-satisfaction * 2 < 0"));
    }

    [Fact]
    public void Parse_AlternativeOperators_MeanEqualAndNotEqual()
    {
        Assert.Equal(Where("agent_id = 'a' and customer_id != 'b'"), Where("agent_id == 'a' and customer_id <> 'b'"));
    }

    [Fact]
    public void Parse_InList_GivesLiterals()
    {
        Assert.Equal(new InExpr(F(Field.Channel), new ValueList<Expr>([new StringLiteral("voice"), new StringLiteral("video")])),
            Where("channel in ('voice', \"video\")"));
    }

    [Fact]
    public void Parse_IsNullAndIsNotNull()
    {
        Assert.Equal(new IsNullExpr(F(Field.Satisfaction), false), Where("satisfaction is null"));
        Assert.Equal(new IsNullExpr(F(Field.Attribute("region")), true), Where("attributes.region is not null"));
    }

    [Fact]
    public void Parse_AttributeField_IsText()
    {
        Assert.Equal(B(BinaryOp.Equal, F(Field.Attribute("queue")), new StringLiteral("vip")), Where("attributes.queue = 'vip'"));
    }

    [Theory]
    [InlineData("count(*) > 1", AggregateKind.CountAll)]
    [InlineData("COUNT(*) > 1", AggregateKind.CountAll)]
    [InlineData("count(outcome = 'failed') > 1", AggregateKind.Count)]
    [InlineData("rate(satisfaction < 3) > 0.1", AggregateKind.Rate)]
    [InlineData("sum(duration_seconds) > 1", AggregateKind.Sum)]
    [InlineData("Avg(satisfaction) < 2.5", AggregateKind.Avg)]
    [InlineData("min(duration_seconds) > 1", AggregateKind.Min)]
    [InlineData("max(duration_seconds) > 1", AggregateKind.Max)]
    [InlineData("distinct(agent_id) >= 3", AggregateKind.Distinct)]
    [InlineData("distinct(attributes.queue) >= 3", AggregateKind.Distinct)]
    public void Parse_Aggregates_InHaving(string having, AggregateKind kind)
    {
        var parsed = Assert.IsType<BinaryExpr>(Having(having));
        Assert.Equal(kind, Assert.IsType<AggregateExpr>(parsed.Left).Kind);
    }

    [Fact]
    public void Parse_DurationUsedAsNumber_IsADurationLiteral()
    {
        Assert.Equal(B(BinaryOp.Greater, F(Field.DurationSeconds), B(BinaryOp.Multiply, N(2), new DurationLiteral(TimeSpan.FromSeconds(90)))),
            Where("duration_seconds > 2 * 90s"));
    }

    [Fact]
    public void Parse_ManyRules_KeepFileOrder()
    {
        var rules = Valid("rule C\nrule A\nrule B\n");
        Assert.Equal(["C", "A", "B"], rules.Select(r => r.Name));
    }

    [Fact]
    public void Parse_ValidRule_HasTemplateAndAggregates()
    {
        var rule = Valid("rule R window sliding 1h having count(*) > 1 and count(*) < 9 and avg(satisfaction) < 3 message '{key}: {count(*)}'")[0];
        Assert.Equal([new AggregateExpr(AggregateKind.CountAll, null), new AggregateExpr(AggregateKind.Avg, F(Field.Satisfaction))], rule.Aggregates);
        Assert.NotNull(rule.Template);
        Assert.Equal([new KeySegment(), new LiteralSegment(": "), new AggregateSegment(new AggregateExpr(AggregateKind.CountAll, null), "count(*)")],
            rule.Template.Segments);
    }
}
