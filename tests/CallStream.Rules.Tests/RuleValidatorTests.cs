namespace CallStream.Rules.Tests;

/// <summary>Rules built in C# go through the same checks as text.</summary>
public class RuleValidatorTests
{
    private static FieldExpr F(Field field) => new(field);

    private static string[] Problems(Func<Rule> build) => [.. Assert.Throws<RuleValidationException>(build).Problems];

    [Fact]
    public void Constructor_TypeMismatch_NamesBothTypesAndTheExpression()
    {
        Assert.Equal(["where: cannot compare text with number in 'agent_id = 5'."],
            Problems(() => new Rule("R", where: new BinaryExpr(BinaryOp.Equal, F(Field.AgentId), new NumberLiteral(5)))));
    }

    [Fact]
    public void Constructor_UnknownChannel_ListsAllowedValues()
    {
        Assert.Equal(["where: unknown channel 'fax' (allowed: email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call'))."],
            Problems(() => new Rule("R", where: new BinaryExpr(BinaryOp.Equal, F(Field.Channel), new StringLiteral("fax")))));
    }

    [Fact]
    public void Constructor_UnknownOutcomeInInList_IsReported()
    {
        Assert.Equal(["where: unknown outcome 'lost' (allowed: resolved, failed, problematic)."],
            Problems(() => new Rule("R", where: new InExpr(F(Field.Outcome), new ValueList<Expr>([new StringLiteral("failed"), new StringLiteral("lost")])))));
    }

    [Fact]
    public void Constructor_AggregateInWhere_IsOnlyAllowedInHaving()
    {
        Assert.Equal(["where: aggregate 'count(*)' is only allowed in 'having' (a windowed rule tests aggregates in its having clause)."],
            Problems(() => new Rule("R", where: new BinaryExpr(BinaryOp.Greater, new AggregateExpr(AggregateKind.CountAll, null), new NumberLiteral(1)))));
    }

    [Fact]
    public void Constructor_HavingWithoutWindow_AndWindowWithoutHaving_AreReported()
    {
        Assert.Equal(["having: 'having' requires a 'window' clause (add for example 'window sliding 1h')."],
            Problems(() => new Rule("R", having: new BoolLiteral(true))));
        Assert.Equal(["window: 'window' requires a 'having' clause (a windowed rule alerts when its having condition holds over the window)."],
            Problems(() => new Rule("R", window: new WindowSpec(WindowKind.Sliding, TimeSpan.FromHours(1)))));
    }

    [Fact]
    public void Constructor_UnknownPlaceholder_IsReportedWithItsOffset()
    {
        Assert.Equal(["message: unknown placeholder '{agnt}' in message at offset 3 (did you mean '{agent_id}'?)."],
            Problems(() => new Rule("R", message: "Hi {agnt}")));
    }

    [Fact]
    public void Constructor_InListWithNonLiteralAndMixedTypes_IsReported()
    {
        Assert.Equal(
            ["where: an 'in' list holds only literals, not 'customer_id'.", "where: the 'in' list mixes text and number."],
            Problems(() => new Rule("R", where: new InExpr(F(Field.AgentId), new ValueList<Expr>([new StringLiteral("a"), F(Field.CustomerId), new NumberLiteral(1)])))));
    }

    [Fact]
    public void Constructor_NumericAggregateOverText_IsReported()
    {
        Assert.Equal(["having: max needs a numeric field, but agent_id is text."],
            Problems(() => new Rule("R", window: new WindowSpec(WindowKind.Tumbling, TimeSpan.FromDays(1)),
                having: new BinaryExpr(BinaryOp.Greater, new AggregateExpr(AggregateKind.Max, F(Field.AgentId)), new NumberLiteral(1)))));
    }

    [Fact]
    public void Constructor_BadInstantString_IsReported()
    {
        Assert.Equal(["where: 'yesterday' is not an ISO-8601 instant (write an instant such as '2024-03-01T09:15:00Z')."],
            Problems(() => new Rule("R", where: new BinaryExpr(BinaryOp.Less, F(Field.StartTime), new StringLiteral("yesterday")))));
    }

    [Fact]
    public void Constructor_WhereNotBoolean_IsReported()
    {
        Assert.Equal(["where: 'where' needs a condition (bool), not text."], Problems(() => new Rule("R", where: F(Field.AgentId))));
    }

    [Theory]
    [InlineData("1abc", "name: '1abc' is not a valid rule name (use letters, digits and '_', not starting with a digit).")]
    [InlineData("", "name: '' is not a valid rule name (use letters, digits and '_', not starting with a digit).")]
    [InlineData("Having", "name: 'Having' is a keyword and cannot be a rule name.")]
    public void Constructor_BadName_IsReported(string name, string expected)
    {
        Assert.Equal([expected], Problems(() => new Rule(name)));
    }

    [Fact]
    public void Constructor_MalformedNodes_AreReportedNotThrownAsNullReference()
    {
        Assert.Equal(
            [
                "where: an expression is missing (null).",
                "where: a string literal has a null value.",
                "where: the number NaN is not finite.",
                "where: unknown binary operator 99 in 'true ? 1'.",
            ],
            Problems(() => new Rule("R", where: new BinaryExpr(BinaryOp.And,
                new BinaryExpr(BinaryOp.And, new UnaryExpr(UnaryOp.Not, null!), new BinaryExpr(BinaryOp.Equal, F(Field.AgentId), new StringLiteral(null!))),
                new BinaryExpr(BinaryOp.And, new BinaryExpr(BinaryOp.Greater, F(Field.Satisfaction), new NumberLiteral(double.NaN)), new BinaryExpr((BinaryOp)99, new BoolLiteral(true), new NumberLiteral(1)))))));
    }

    [Fact]
    public void Constructor_ExpressionDeeperThanTheLimit_IsReportedWithoutOverflow()
    {
        Expr deep = new BoolLiteral(true);
        for (int i = 0; i < 100_000; i++)
            deep = new UnaryExpr(UnaryOp.Not, deep);
        Assert.Equal(["where: the expression nests deeper than 256 levels (simplify it, or use 'in' for long lists of alternatives)."],
            Problems(() => new Rule("R", where: deep)));
    }

    [Fact]
    public void Constructor_ValidModel_ExposesAggregatesInOrderWithoutDuplicates()
    {
        var count = new AggregateExpr(AggregateKind.CountAll, null);
        var sum = new AggregateExpr(AggregateKind.Sum, F(Field.DurationSeconds));
        var rule = new Rule("R", window: new WindowSpec(WindowKind.Sliding, TimeSpan.FromMinutes(5)),
            having: new BinaryExpr(BinaryOp.And,
                new BinaryExpr(BinaryOp.Greater, sum, new BinaryExpr(BinaryOp.Multiply, count, new NumberLiteral(60))),
                new BinaryExpr(BinaryOp.Greater, new AggregateExpr(AggregateKind.CountAll, null), new NumberLiteral(2))));
        Assert.Equal([sum, count], rule.Aggregates);
        Assert.Empty(new Rule("P").Aggregates);
    }

    [Fact]
    public void Constructor_ManyProblems_AreAllListedInTheMessage()
    {
        var ex = Assert.Throws<RuleValidationException>(() => new Rule("R",
            where: new BinaryExpr(BinaryOp.Equal, F(Field.AgentId), new NumberLiteral(5)),
            having: new BoolLiteral(true),
            suppress: TimeSpan.Zero,
            message: "{nope}"));
        Assert.Equal("R", ex.RuleName);
        Assert.Equal(4, ex.Problems.Count);
        Assert.StartsWith("Rule 'R' is not valid: where: cannot compare text with number", ex.Message, StringComparison.Ordinal);
        Assert.Contains("suppress: the suppression period must be positive.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NameOverTheLimit_NamesTheLimit_AndTheMessageDoesNotEchoTheName()
    {
        string name = new('N', 200_000);
        var ex = Assert.Throws<RuleValidationException>(() => new Rule(name));
        Assert.Equal(["name: rule name is 200000 characters long; the limit is 128 (use a shorter name)."], ex.Problems);
        Assert.Same(name, ex.RuleName);
        Assert.Equal($"Rule '{new string('N', 125)}...' is not valid: name: rule name is 200000 characters long; the limit is 128 (use a shorter name).", ex.Message);
    }

    [Fact]
    public void Constructor_NameAtTheLimit_IsAccepted()
    {
        string name = new('N', RuleText.MaxNameLength);
        Assert.Equal(name, new Rule(name).Name);
        Assert.Equal(["name: rule name is 129 characters long; the limit is 128 (use a shorter name)."],
            Problems(() => new Rule(name + "N")));
    }

    [Fact]
    public void Constructor_AttributeNameOverTheLimit_IsReportedWhereverTheFieldIsUsed()
    {
        var ok = Field.Attribute(new string('a', RuleText.MaxNameLength));
        var tooLong = Field.Attribute(new string('a', RuleText.MaxNameLength + 1));
        Assert.Equal(ok, new Rule("R", where: new IsNullExpr(F(ok), Negated: false), groupBy: ok).GroupBy);

        const string Problem = "attribute name is 129 characters long; the limit is 128 (use a shorter name)";
        Assert.Equal([$"where: {Problem}."],
            Problems(() => new Rule("R", where: new BinaryExpr(BinaryOp.Equal, F(tooLong), new StringLiteral("eu")))));
        Assert.Equal([$"group by: {Problem}."], Problems(() => new Rule("R", groupBy: tooLong)));
        Assert.Equal([$"having: {Problem}."],
            Problems(() => new Rule("R", window: new WindowSpec(WindowKind.Sliding, TimeSpan.FromHours(1)),
                having: new BinaryExpr(BinaryOp.Greater, new AggregateExpr(AggregateKind.Distinct, F(tooLong)), new NumberLiteral(1)))));
        Assert.Equal(["message: attribute name is 129 characters long; the limit is 128 at offset 0 (use a shorter name)."],
            Problems(() => new Rule("R", message: "{" + tooLong.Name + "}")));
    }

    [Fact]
    public void Constructor_StringOverTheLimit_IsReported_AtExactlyTheLimitAccepted()
    {
        string ok = new('s', RuleText.MaxStringLength);
        Assert.NotNull(new Rule("R", where: new BinaryExpr(BinaryOp.Equal, F(Field.AgentId), new StringLiteral(ok))).Where);
        Assert.Equal(["where: string is 4097 characters long; the limit is 4096."],
            Problems(() => new Rule("R", where: new InExpr(F(Field.AgentId), new ValueList<Expr>([new StringLiteral("a"), new StringLiteral(ok + "s")])))));
    }

    [Fact]
    public void Constructor_MessageOverTheLimit_IsReported_AtExactlyTheLimitAccepted()
    {
        string ok = new('m', RuleText.MaxStringLength);
        Assert.Equal(ok, new Rule("R", message: ok).Message);
        Assert.Equal(["message: message is 4097 characters long; the limit is 4096 (shorten the message)."],
            Problems(() => new Rule("R", message: ok + "{")));
    }

    [Fact]
    public void Constructor_ControlCharactersInNameAndValues_AreEscapedInOneLine()
    {
        var ex = Assert.Throws<RuleValidationException>(() => new Rule("Bad\nR:1:1: forged\u001b[2J",
            where: new BinaryExpr(BinaryOp.Equal, F(Field.Channel), new StringLiteral("x\n/etc/passwd:1:1: forged\u001b[2J\u202e"))));
        Assert.Equal(
            "Rule 'Bad\\nR:1:1: forged\\u001b[2J' is not valid: name: 'Bad\\nR:1:1: forged\\u001b[2J' is not a valid rule name (use letters, digits and '_', not starting with a digit)."
            + " where: unknown channel 'x\\n/etc/passwd:1:1: forged\\u001b[2J\\u202e' (allowed: email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call')).",
            ex.Message);
        Assert.All(ex.Problems, EscapingAssert.IsOneCleanLine);
        Assert.Equal("Bad\nR:1:1: forged\u001b[2J", ex.RuleName);
    }

    [Fact]
    public void Exception_MessageConstructors_EscapeControlCharacters()
    {
        Assert.Equal("Rule 'rule' is not valid: a\\nb", new RuleValidationException("a\nb").Message);
        Assert.Equal("a\\u001bb", new RuleValidationException("a\u001bb", new InvalidOperationException()).Message);
        Assert.Equal(["a\\rb"], new RuleValidationException("R", ["a\rb"]).Problems);
    }
}
