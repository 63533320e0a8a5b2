using static CallStream.Rules.Tests.Engine.Model;
using static CallStream.Rules.Tests.RuleTestText;

namespace CallStream.Rules.Tests;

public class RulePrinterTests
{
    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name));

    [Fact]
    public void Print_SpecExample_MatchesTheGoldenCanonicalText()
    {
        var rules = Valid(Golden("example.rules"));
        Assert.Equal(Golden("example.canonical.rules"), RuleText.Print(rules));
    }

    [Fact]
    public void Print_CanonicalText_IsAFixedPoint()
    {
        string canonical = Golden("example.canonical.rules");
        Assert.Equal(canonical, RuleText.Print(Valid(canonical)));
    }

    [Fact]
    public void Print_WritesClausesInConventionalOrderWithLowercaseKeywords()
    {
        var rule = Valid("RULE R MESSAGE \"m\" SUPPRESS 300s HAVING COUNT(*) > 2 SEVERITY INFO GROUP BY customer_id WHERE agent_id == 'a' WINDOW SLIDING 3600s")[0];
        Assert.Equal("""
            rule R
              where agent_id = 'a'
              group by customer_id
              window sliding 1h
              having count(*) > 2
              severity info
              suppress 5m
              message 'm'

            """.Replace("\r\n", "\n", StringComparison.Ordinal), RuleText.Print(rule));
    }

    [Fact]
    public void Print_EmptyRuleSet_IsEmpty()
    {
        Assert.Equal("", RuleText.Print(RuleSet.Empty));
    }

    [Theory]
    [InlineData("a_or_b", "true or false and true", "true or false and true")]
    [InlineData("parens_needed", "(true or false) and true", "(true or false) and true")]
    [InlineData("redundant_parens", "((true)) and (agent_id = 'a')", "true and agent_id = 'a'")]
    [InlineData("not_comparison", "not (agent_id = 'a')", "not agent_id = 'a'")]
    [InlineData("not_and", "not (true and false)", "not (true and false)")]
    [InlineData("not_not", "not not true", "not not true")]
    [InlineData("left_assoc", "(1 - 2) - 3 > 0", "1 - 2 - 3 > 0")]
    [InlineData("right_nested", "1 - (2 - 3) > 0", "1 - (2 - 3) > 0")]
    [InlineData("right_same_level_add", "1 + (2 + 3) > 0", "1 + (2 + 3) > 0")]
    [InlineData("mult_over_add", "1 + 2 * 3 > 0", "1 + 2 * 3 > 0")]
    [InlineData("add_in_mult", "(1 + 2) * 3 > 0", "(1 + 2) * 3 > 0")]
    [InlineData("divide", "duration_seconds / (60 * 2) > 1", "duration_seconds / (60 * 2) > 1")]
    [InlineData("negative_literal", "duration_seconds > - 5", "duration_seconds > -5")]
    [InlineData("negate_literal", "-(5) < satisfaction", "-(5) < satisfaction")]
    [InlineData("negate_negative", "- -5 < satisfaction", "--5 < satisfaction")]
    [InlineData("negate_field", "-satisfaction * 2 < 0", "-satisfaction * 2 < 0")]
    [InlineData("negate_sum", "-(satisfaction + 1) < 0", "-(satisfaction + 1) < 0")]
    [InlineData("subtract_negative", "satisfaction - -1 > 0", "satisfaction - -1 > 0")]
    [InlineData("bool_equality", "(agent_id = 'a') = true", "(agent_id = 'a') = true")]
    [InlineData("bool_equality_right", "true != (agent_id = 'a')", "true != (agent_id = 'a')")]
    [InlineData("not_left_of_comparison", "(not true) = false", "(not true) = false")]
    [InlineData("in_compared", "(channel in ('chat')) = true", "(channel in ('chat')) = true")]
    [InlineData("alternatives", "agent_id == 'a' and customer_id <> 'b'", "agent_id = 'a' and customer_id != 'b'")]
    [InlineData("in_list", "channel in ( 'voice' , \"Video Call\" )", "channel in ('voice', 'Video Call')")]
    [InlineData("is_null", "satisfaction is null or attributes.x is not null", "satisfaction is null or attributes.x is not null")]
    [InlineData("strings", "agent_id = \"it's \\\"x\\\" \\\\ y\"", "agent_id = 'it\\'s \"x\" \\\\ y'")]
    [InlineData("keywords_case", "TRUE and NOT FALSE or satisfaction IS NULL", "true and not false or satisfaction is null")]
    public void Print_Expression_UsesMinimalParentheses(string name, string input, string expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, RuleText.Print(Where(input)));
    }

    [Theory]
    [InlineData("count(*) > 1", "count(*) > 1")]
    [InlineData("COUNT( * ) > 1", "count(*) > 1")]
    [InlineData("Rate((outcome = 'failed')) > 0.5", "rate(outcome = 'failed') > 0.5")]
    [InlineData("distinct(agent_id) > 1 and Sum(duration_seconds) > 1h", "distinct(agent_id) > 1 and sum(duration_seconds) > 1h")]
    public void Print_Aggregates_AreLowercaseAndCanonical(string input, string expected)
    {
        Assert.Equal(expected, RuleText.Print(Having(input)));
    }

    [Theory]
    [InlineData(3000, "50m")]
    [InlineData(90, "90s")]
    [InlineData(5400, "90m")]
    [InlineData(3600, "1h")]
    [InlineData(86400, "1d")]
    [InlineData(172800, "2d")]
    [InlineData(90000, "25h")]
    [InlineData(0.5, "0.5s")]
    [InlineData(1.25, "1.25s")]
    [InlineData(0, "0s")]
    [InlineData(-300, "-5m")]
    [InlineData(0.0000001, "0.0000001s")]
    public void FormatDuration_UsesTheLargestExactUnit(double seconds, string expected)
    {
        Assert.Equal(expected, RuleText.FormatDuration(TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond))));
    }

    [Fact]
    public void FormatDuration_ExtremeValues_Print()
    {
        Assert.Equal("922337203685.4775807s", RuleText.FormatDuration(TimeSpan.MaxValue));
        Assert.Equal("-922337203685.4775808s", RuleText.FormatDuration(TimeSpan.MinValue));
    }

    [Theory]
    [InlineData(42, "42")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(-3, "-3")]
    [InlineData(1e21, "1000000000000000000000")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(123456.789, "123456.789")]
    public void Print_Numbers_AreShortestInvariantWithoutExponent(double value, string expected)
    {
        Assert.Equal(expected, RuleText.Print(new NumberLiteral(value)));
    }

    [Fact]
    public void Print_ExtremeNumbers_ParseBackExactly()
    {
        foreach (double value in new[] { double.MaxValue, double.Epsilon, -double.MaxValue, 1.7976931348623157e300, 2.2250738585072014e-308, 0.1 + 0.2 })
        {
            var where = new BinaryExpr(BinaryOp.Greater, new FieldExpr(Field.DurationSeconds), new NumberLiteral(value));
            Assert.Equal(where, Where(RuleText.Print(where)));
        }
    }

    [Fact]
    public void Print_RuleToText_IsTheSameAsRuleTextPrint()
    {
        var rule = Valid(Golden("example.rules"))[1];
        Assert.Equal(RuleText.Print(rule), rule.ToText());
    }

    [Fact]
    public void ExprToString_IsTheCanonicalText()
    {
        Assert.Equal("rate(outcome = 'failed') > 0.5", Having("RATE(outcome == \"failed\") > .5".Replace(".5", "0.5", StringComparison.Ordinal)).ToString());
    }

    [Fact]
    public void Print_AggregateModels_WriteTheKeysOfAlertValues()
    {
        Assert.Equal("count(*)", RuleText.Print(CountAll));
        Assert.Equal("rate(outcome = 'failed')", RuleText.Print(Rate(Eq(OutcomeField, Str("failed")))));
        Assert.Equal("avg(satisfaction)", RuleText.Print(Avg(Satisfaction)));
        Assert.Equal("count(satisfaction is not null)", RuleText.Print(Count(IsNotNull(Satisfaction))));
        Assert.Equal("sum(duration_seconds / 60)", RuleText.Print(Sum(Div(Duration, Num(60)))));
        Assert.Equal("distinct(attributes.region)", RuleText.Print(Distinct(Attr("region"))));
        Assert.Equal("min(-duration_seconds)", RuleText.Print(Min(Neg(Duration))));
        Assert.Equal("max(satisfaction)", RuleText.Print(Max(Satisfaction)));
    }

    [Fact]
    public void Print_ExpressionModels_ParenthesizeOnlyWherePrecedenceNeedsIt()
    {
        Assert.Equal("(duration_seconds + 1) * 2", RuleText.Print(Mul(Add(Duration, Num(1)), Num(2))));
        Assert.Equal("duration_seconds + 1 * 2", RuleText.Print(Add(Duration, Mul(Num(1), Num(2)))));
        Assert.Equal("duration_seconds - (1 - 2)", RuleText.Print(Sub(Duration, Sub(Num(1), Num(2)))));
        Assert.Equal("duration_seconds - 1 - 2", RuleText.Print(Sub(Sub(Duration, Num(1)), Num(2))));
        Assert.Equal("not (satisfaction = 1 or satisfaction = 2) and channel != 'email'",
            RuleText.Print(And(Not(Or(Eq(Satisfaction, Num(1)), Eq(Satisfaction, Num(2)))), Ne(ChannelField, Str("email")))));
        Assert.Equal("not satisfaction is null", RuleText.Print(Not(IsNull(Satisfaction))));
        Assert.Equal("--duration_seconds", RuleText.Print(Neg(Neg(Duration))));
        Assert.Equal("duration_seconds - -3", RuleText.Print(Sub(Duration, Num(-3))));
    }

    [Fact]
    public void Print_LiteralModels_UseLanguageSyntax()
    {
        Assert.Equal("'it\\'s \\\\ here'", RuleText.Print(Str("it's \\ here")));
        Assert.Equal("90m", RuleText.Print(Dur(TimeSpan.FromMinutes(90))));
        Assert.Equal("1d", RuleText.Print(Dur(TimeSpan.FromDays(1))));
        Assert.Equal("2h", RuleText.Print(Dur(TimeSpan.FromHours(2))));
        Assert.Equal("1.5s", RuleText.Print(Dur(TimeSpan.FromSeconds(1.5))));
        Assert.Equal("0.5", RuleText.Print(Num(0.5)));
        Assert.Equal("100000000000000000000", RuleText.Print(Num(1e20)));
        Assert.Equal("true", RuleText.Print(Bool(true)));
        Assert.Equal("null", RuleText.Print(Null));
        Assert.Equal("channel in ('voice', 'video')", RuleText.Print(In(ChannelField, Str("voice"), Str("video"))));
    }
}
