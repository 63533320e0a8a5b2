namespace CallStream.Rules.Tests;

public class MessageTemplateTests
{
    private static readonly AggregateExpr CountAll = new(AggregateKind.CountAll, null);
    private static readonly AggregateExpr FailedRate = new(AggregateKind.Rate,
        new BinaryExpr(BinaryOp.Equal, new FieldExpr(Field.Outcome), new StringLiteral("failed")));

    [Fact]
    public void Parse_AllKindsOfSegment_GivesThemInOrder()
    {
        var template = MessageTemplate.Parse("Rule {rule} for {key}: {count(*)} calls, {{literal}}, agent {agent_id} in {attributes.region}",
            [CountAll]);
        Assert.Equal(
            [
                new LiteralSegment("Rule "), new RuleNameSegment(), new LiteralSegment(" for "), new KeySegment(), new LiteralSegment(": "),
                new AggregateSegment(CountAll, "count(*)"), new LiteralSegment(" calls, {literal}, agent "), new FieldSegment(Field.AgentId),
                new LiteralSegment(" in "), new FieldSegment(Field.Attribute("region")),
            ],
            template.Segments);
        Assert.Equal("Rule {rule} for {key}: {count(*)} calls, {{literal}}, agent {agent_id} in {attributes.region}", template.Text);
        Assert.Equal(template.Text, template.ToString());
    }

    [Fact]
    public void Parse_AggregateWrittenDifferently_MatchesByModelAndUsesCanonicalText()
    {
        var template = MessageTemplate.Parse("{ RATE(outcome == \"failed\") }", [CountAll, FailedRate]);
        Assert.Equal([new AggregateSegment(FailedRate, "rate(outcome = 'failed')")], template.Segments);
    }

    [Fact]
    public void Parse_PlaceholderWithBraceInsideAString_FindsTheRightClose()
    {
        var aggregate = new AggregateExpr(AggregateKind.Count, new BinaryExpr(BinaryOp.Equal, new FieldExpr(Field.AgentId), new StringLiteral("}")));
        var template = MessageTemplate.Parse("n={count(agent_id = '}')}!", [aggregate]);
        Assert.Equal([new LiteralSegment("n="), new AggregateSegment(aggregate, "count(agent_id = '}')"), new LiteralSegment("!")], template.Segments);
    }

    [Fact]
    public void Parse_EmptyTemplate_HasNoSegments()
    {
        Assert.Empty(MessageTemplate.Parse("").Segments);
    }

    [Fact]
    public void Parse_OnlyEscapes_IsOneLiteral()
    {
        Assert.Equal([new LiteralSegment("{}}{")], MessageTemplate.Parse("{{}}}}{{").Segments);
    }

    [Fact]
    public void Parse_UnknownPlaceholder_ThrowsWithOffsetAndHint()
    {
        var ex = Assert.Throws<FormatException>(() => MessageTemplate.Parse("Agent {agnt_id} {x}"));
        Assert.Equal(
            "The message template is not valid: unknown placeholder '{agnt_id}' in message at offset 6 (did you mean '{agent_id}'?); "
            + "unknown placeholder '{x}' in message at offset 16 (a placeholder is a field such as {agent_id} or {attributes.region}, {key}, {rule}, or an aggregate of 'having' such as {count(*)}).",
            ex.Message);
    }

    [Fact]
    public void Parse_AggregateWithoutAggregates_IsAnError()
    {
        var ex = Assert.Throws<FormatException>(() => MessageTemplate.Parse("{count(*)}"));
        Assert.Contains("placeholder '{count(*)}' is not an aggregate of 'having' at offset 0 (only a windowed rule has aggregates, in its having clause)",
            ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "empty placeholder '{}' in message at offset 0")]
    [InlineData("a } b", "unmatched '}' in message at offset 2")]
    [InlineData("a { b", "unterminated placeholder in message at offset 2")]
    [InlineData("{key {rule}}", "unterminated placeholder in message at offset 0")]
    [InlineData("{Key}", "unknown placeholder '{Key}' in message at offset 0 (did you mean '{key}'?)")]
    [InlineData("{count}", "unknown placeholder '{count}' in message at offset 0 (did you mean '{count(*)}'?)")]
    [InlineData("{duration_seconds / 60}", "unknown placeholder '{duration_seconds / 60}' in message at offset 0")]
    public void Parse_BadTemplate_NamesTheProblem(string template, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => MessageTemplate.Parse(template, [CountAll]));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => MessageTemplate.Parse(null!));
    }

    [Fact]
    public void RuleTemplate_IsParsedWithTheRule()
    {
        var rule = Rule.Parse("rule R window sliding 1h having count(*) > 1 and rate(outcome = 'failed') > 0.5 message '{rate(outcome = \"failed\")}'");
        Assert.NotNull(rule.Template);
        Assert.Equal([new AggregateSegment(FailedRate, "rate(outcome = 'failed')")], rule.Template.Segments);
        Assert.Equal([CountAll, FailedRate], rule.Aggregates);
    }

    [Fact]
    public void RuleWithoutMessage_HasNoTemplate()
    {
        Assert.Null(Rule.Parse("rule R").Template);
    }
}
