using CallStream.Rules.Engine;
using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

public class CanonicalTextTests
{
    [Fact]
    public void Of_Aggregates_WritesTheirCanonicalText()
    {
        Assert.Equal("count(*)", CanonicalText.Of(CountAll));
        Assert.Equal("rate(outcome = 'failed')", CanonicalText.Of(Rate(Eq(OutcomeField, Str("failed")))));
        Assert.Equal("avg(satisfaction)", CanonicalText.Of(Avg(Satisfaction)));
        Assert.Equal("count(satisfaction is not null)", CanonicalText.Of(Count(IsNotNull(Satisfaction))));
        Assert.Equal("sum(duration_seconds / 60)", CanonicalText.Of(Sum(Div(Duration, Num(60)))));
        Assert.Equal("distinct(attributes.region)", CanonicalText.Of(Distinct(Attr("region"))));
        Assert.Equal("min(-duration_seconds)", CanonicalText.Of(Min(Neg(Duration))));
        Assert.Equal("max(satisfaction)", CanonicalText.Of(Max(Satisfaction)));
    }

    [Fact]
    public void Of_ParenthesizesOnlyWherePrecedenceNeedsIt()
    {
        Assert.Equal("(duration_seconds + 1) * 2", CanonicalText.Of(Mul(Add(Duration, Num(1)), Num(2))));
        Assert.Equal("duration_seconds + 1 * 2", CanonicalText.Of(Add(Duration, Mul(Num(1), Num(2)))));
        Assert.Equal("duration_seconds - (1 - 2)", CanonicalText.Of(Sub(Duration, Sub(Num(1), Num(2)))));
        Assert.Equal("duration_seconds - 1 - 2", CanonicalText.Of(Sub(Sub(Duration, Num(1)), Num(2))));
        Assert.Equal("not (satisfaction = 1 or satisfaction = 2) and channel != 'email'",
            CanonicalText.Of(And(Not(Or(Eq(Satisfaction, Num(1)), Eq(Satisfaction, Num(2)))), Ne(ChannelField, Str("email")))));
        Assert.Equal("not satisfaction is null", CanonicalText.Of(Not(IsNull(Satisfaction))));
        Assert.Equal("-(-duration_seconds)", CanonicalText.Of(Neg(Neg(Duration))));
        Assert.Equal("duration_seconds - -3", CanonicalText.Of(Sub(Duration, Num(-3))));
    }

    [Fact]
    public void Of_Literals_UseLanguageSyntax()
    {
        Assert.Equal("'it\\'s \\\\ here'", CanonicalText.Of(Str("it's \\ here")));
        Assert.Equal("90m", CanonicalText.Of(Dur(TimeSpan.FromMinutes(90))));
        Assert.Equal("1d", CanonicalText.Of(Dur(TimeSpan.FromDays(1))));
        Assert.Equal("2h", CanonicalText.Of(Dur(TimeSpan.FromHours(2))));
        Assert.Equal("1.5s", CanonicalText.Of(Dur(TimeSpan.FromSeconds(1.5))));
        Assert.Equal("0.5", CanonicalText.Of(Num(0.5)));
        Assert.Equal("100000000000000000000", CanonicalText.Of(Num(1e20)));
        Assert.Equal("true", CanonicalText.Of(Bool(true)));
        Assert.Equal("null", CanonicalText.Of(Null));
        Assert.Equal("channel in ('voice', 'video')", CanonicalText.Of(In(ChannelField, Str("voice"), Str("video"))));
    }
}
