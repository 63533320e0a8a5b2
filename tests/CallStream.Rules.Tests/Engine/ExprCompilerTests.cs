using CallStream.Rules.Engine;
using static CallStream.Rules.Tests.Engine.Model;

namespace CallStream.Rules.Tests.Engine;

public class ExprCompilerTests
{
    private static readonly Interaction Rated = Events.At(0, id: "i1", customer: "c1", channel: Channel.Voice, duration: 120, outcome: Outcome.Failed, satisfaction: 3,
        attributes: [new("region", "north")]);

    private static readonly Interaction Unrated = Events.At(0, id: "i2", duration: 0, satisfaction: null);

    private static Tri Eval(Expr condition, Interaction e) => new ExprCompiler().CompileCondition(condition)(e, []);

    private static double EvalNumber(Expr number, Interaction e) => new ExprCompiler().CompileNumber(number)(e, []);

    [Fact]
    public void Compare_WithNullField_IsUnknownAndStaysUnknownUnderNot()
    {
        Assert.Equal(Tri.Unknown, Eval(Gt(Satisfaction, Num(3)), Unrated));
        Assert.Equal(Tri.Unknown, Eval(Not(Gt(Satisfaction, Num(3))), Unrated));
        Assert.Equal(Tri.Unknown, Eval(Eq(Satisfaction, Satisfaction), Unrated));
        Assert.Equal(Tri.Unknown, Eval(Ne(Satisfaction, Num(3)), Unrated));
        Assert.Equal(Tri.True, Eval(Ne(Satisfaction, Num(4)), Rated));
    }

    [Fact]
    public void Compare_WithNullLiteral_IsUnknownEvenForEquality()
    {
        Assert.Equal(Tri.Unknown, Eval(Eq(Satisfaction, Null), Unrated));
        Assert.Equal(Tri.Unknown, Eval(Ne(CustomerId, Null), Rated));
        Assert.Equal(Tri.Unknown, Eval(Eq(Null, Null), Rated));
    }

    [Fact]
    public void IsNull_TellsNullFromValue()
    {
        Assert.Equal(Tri.True, Eval(IsNull(Satisfaction), Unrated));
        Assert.Equal(Tri.False, Eval(IsNotNull(Satisfaction), Unrated));
        Assert.Equal(Tri.True, Eval(IsNotNull(Satisfaction), Rated));
        Assert.Equal(Tri.True, Eval(IsNull(Attr("region")), Unrated));
        Assert.Equal(Tri.False, Eval(IsNull(Attr("region")), Rated));
        Assert.Equal(Tri.True, Eval(IsNull(Null), Rated));
        Assert.Equal(Tri.True, Eval(IsNull(Add(Duration, Satisfaction)), Unrated));
    }

    [Fact]
    public void Logic_FollowsKleeneThreeValuedLogic()
    {
        var unknown = Gt(Satisfaction, Num(1));
        Assert.Equal(Tri.True, Eval(Or(unknown, Eq(CustomerId, Str("c1"))), Unrated));
        Assert.Equal(Tri.Unknown, Eval(Or(unknown, Eq(CustomerId, Str("x"))), Unrated));
        Assert.Equal(Tri.False, Eval(And(unknown, Eq(CustomerId, Str("x"))), Unrated));
        Assert.Equal(Tri.Unknown, Eval(And(unknown, Eq(CustomerId, Str("c1"))), Unrated));
        Assert.Equal(Tri.False, Eval(And(Bool(true), Bool(false)), Unrated));
        Assert.Equal(Tri.True, Eval(Or(Bool(false), Not(Bool(false))), Unrated));
    }

    [Fact]
    public void Arithmetic_WithNullGivesNull()
    {
        Assert.True(double.IsNaN(EvalNumber(Add(Satisfaction, Num(1)), Unrated)));
        Assert.True(double.IsNaN(EvalNumber(Mul(Null, Num(2)), Rated)));
        Assert.Equal(Tri.Unknown, Eval(Gt(Add(Satisfaction, Num(1)), Num(0)), Unrated));
        Assert.Equal(4, EvalNumber(Add(Satisfaction, Num(1)), Rated));
    }

    [Fact]
    public void Division_ByZeroGivesNull()
    {
        Assert.True(double.IsNaN(EvalNumber(Div(Duration, Num(0)), Rated)));
        Assert.True(double.IsNaN(EvalNumber(Div(Duration, Sub(Satisfaction, Satisfaction)), Rated)));
        Assert.True(double.IsNaN(EvalNumber(Div(Num(0), Num(0)), Rated)));
        Assert.Equal(Tri.True, Eval(IsNull(Div(Duration, Num(0))), Rated));
        Assert.Equal(Tri.Unknown, Eval(Gt(Div(Duration, Num(0)), Num(-1)), Rated));
        Assert.Equal(40, EvalNumber(Div(Duration, Satisfaction), Rated));
    }

    [Fact]
    public void Arithmetic_FollowsPrecedenceOfTheModelTree()
    {
        Assert.Equal(-126, EvalNumber(Sub(Neg(Duration), Mul(Num(2), Satisfaction)), Rated));
        Assert.Equal(2, EvalNumber(Div(Duration, Dur(TimeSpan.FromMinutes(1))), Rated));
    }

    [Theory]
    [InlineData("voice", true)]
    [InlineData("VOICE", true)]
    [InlineData("Voice Call", true)]
    [InlineData("phone", true)]
    [InlineData("call", true)]
    [InlineData("video", false)]
    [InlineData("Video Call", false)]
    public void Channel_ComparesCaseInsensitivelyWithAliases(string literal, bool expected)
    {
        Assert.Equal(TriLogic.Of(expected), Eval(Eq(ChannelField, Str(literal)), Rated));
        Assert.Equal(TriLogic.Of(!expected), Eval(Ne(ChannelField, Str(literal)), Rated));
        Assert.Equal(TriLogic.Of(expected), Eval(Eq(Str(literal), ChannelField), Rated));
    }

    [Fact]
    public void Outcome_ComparesCaseInsensitively()
    {
        Assert.Equal(Tri.True, Eval(Eq(OutcomeField, Str("FAILED")), Rated));
        Assert.Equal(Tri.False, Eval(Eq(OutcomeField, Str("resolved")), Rated));
        Assert.Equal(Tri.True, Eval(In(OutcomeField, Str("Problematic"), Str("Failed")), Rated));
        Assert.Equal(Tri.False, Eval(In(OutcomeField, Str("resolved")), Rated));
    }

    [Fact]
    public void Channel_InListResolvesAliases()
    {
        Assert.Equal(Tri.True, Eval(In(ChannelField, Str("email"), Str("Phone")), Rated));
        Assert.Equal(Tri.False, Eval(In(ChannelField, Str("email"), Str("video call")), Rated));
    }

    [Fact]
    public void Channel_ComparedWithAttributeResolvesItAtRunTime()
    {
        var preferred = Events.At(0, channel: Channel.Video, attributes: [new("preferred", "Video Call")]);
        Assert.Equal(Tri.True, Eval(Eq(ChannelField, Attr("preferred")), preferred));
        Assert.Equal(Tri.Unknown, Eval(Eq(ChannelField, Attr("missing")), preferred));
    }

    [Fact]
    public void StartTime_ComparesWithIsoLiteralsParsedOnce()
    {
        // Rated starts at 2024-03-01T00:00:00Z, which is 01:00 at +01:00.
        Assert.Equal(Tri.True, Eval(Eq(StartTime, Str("2024-03-01T01:00:00+01:00")), Rated));
        Assert.Equal(Tri.True, Eval(Lt(StartTime, Str("2024-03-01T00:00:01Z")), Rated));
        Assert.Equal(Tri.True, Eval(Gt(Str("2024-03-01T00:00:01Z"), StartTime), Rated));
        Assert.Equal(Tri.False, Eval(Ge(StartTime, Str("2024-03-01 00:00:00.0000001")), Rated));
        Assert.Equal(Tri.True, Eval(In(StartTime, Str("2024-02-29T23:00:00-01:00")), Rated));
    }

    [Fact]
    public void Attribute_IsTextOrNull()
    {
        Assert.Equal(Tri.True, Eval(Eq(Attr("region"), Str("north")), Rated));
        Assert.Equal(Tri.False, Eval(Eq(Attr("region"), Str("North")), Rated));
        Assert.Equal(Tri.Unknown, Eval(Eq(Attr("region"), Str("north")), Unrated));
        Assert.Equal(Tri.Unknown, Eval(Ne(Attr("region"), Str("north")), Unrated));
    }

    [Fact]
    public void Text_ComparesByOrdinal()
    {
        Assert.Equal(Tri.False, Eval(Eq(CustomerId, Str("C1")), Rated));
        Assert.Equal(Tri.True, Eval(Lt(Str("B"), CustomerId), Rated));
        Assert.Equal(Tri.True, Eval(Gt(InteractionId, Str("i0")), Rated));
        Assert.Equal(Tri.True, Eval(Ne(CustomerId, AgentId), Rated));
    }

    [Fact]
    public void In_WithNullItem_IsUnknownWhenNotFound()
    {
        Assert.Equal(Tri.True, Eval(In(Satisfaction, Num(3), Null), Rated));
        Assert.Equal(Tri.Unknown, Eval(In(Satisfaction, Num(1), Null), Rated));
        Assert.Equal(Tri.Unknown, Eval(In(Satisfaction, Num(1)), Unrated));
        Assert.Equal(Tri.False, Eval(In(Satisfaction, Num(1), Num(2)), Rated));
        Assert.Equal(Tri.True, Eval(In(CustomerId, Str("x"), Str("c1")), Rated));
    }

    [Fact]
    public void Durations_AreSeconds()
    {
        Assert.Equal(Tri.True, Eval(Eq(Duration, Dur(TimeSpan.FromMinutes(2))), Rated));
        Assert.Equal(Tri.True, Eval(Lt(Duration, Dur(TimeSpan.FromHours(0.5))), Rated));
    }

    [Fact]
    public void Constants_AreFolded()
    {
        var compiler = new ExprCompiler();
        Assert.True(compiler.Compile(Eq(Add(Num(1), Num(2)), Num(3))).IsConstant);
        Assert.True(compiler.Compile(And(Eq(CustomerId, Str("c1")), Bool(false))).IsConstant);
        Assert.True(compiler.Compile(Div(Duration, Num(0))).IsConstant);
        Assert.False(compiler.Compile(Gt(Duration, Mul(Num(50), Num(60)))).IsConstant);
        Assert.Equal(Tri.False, Eval(Gt(Duration, Mul(Num(50), Num(60))), Rated));
    }

    [Theory]
    [MemberData(nameof(Unchecked))]
    public void Compile_ModelTheTypeCheckerRejects_IsAnInternalError(string name, Expr condition)
    {
        // The Rule constructor rejects these with a RuleValidationException (RuleValidatorTests); the compiler only
        // sees checked models, so reaching it with one is a bug, not a user error.
        Assert.NotNull(name);
        var ex = Assert.Throws<InvalidOperationException>(() => new ExprCompiler().CompileCondition(condition));
        Assert.Contains("not type-checked", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Expr> Unchecked =>
    [
        ("text_vs_number", Gt(CustomerId, Num(5))),
        ("not_a_condition", Duration),
        ("unknown_channel", Eq(ChannelField, Str("fax"))),
        ("unknown_outcome_in_list", In(OutcomeField, Str("failed"), Str("lost"))),
        ("bad_instant", Gt(StartTime, Str("yesterday"))),
        ("ordered_channel", Lt(ChannelField, Str("voice"))),
        ("aggregate_outside_having", Gt(CountAll, Num(1))),
        ("not_of_number", Not(Duration)),
    ];

    [Fact]
    public void Aggregate_InHavingReadsItsSlot()
    {
        var compiler = new ExprCompiler(aggregate => aggregate.Kind == AggregateKind.CountAll ? 0 : 1);
        var having = compiler.CompileCondition(And(Ge(CountAll, Num(5)), Gt(Avg(Satisfaction), Num(2))));
        Assert.Equal(Tri.True, having(Rated, [5, 2.5]));
        Assert.Equal(Tri.False, having(Rated, [4, 2.5]));
        Assert.Equal(Tri.Unknown, having(Rated, [5, double.NaN]));
    }
}
