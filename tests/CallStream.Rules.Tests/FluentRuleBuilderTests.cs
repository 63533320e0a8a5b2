namespace CallStream.Rules.Tests;

public class FluentRuleBuilderTests
{
    public static TheoryData<string, string> Corpus =>
    [
        ("LongCall", "rule LongCall where duration_seconds > 50m severity warning message \"Call {interaction_id} by agent {agent_id} lasted {duration_seconds} s\""),
        ("RepeatedFailures", "rule RepeatedFailures where outcome = 'failed' group by customer_id window sliding 1h having count(*) >= 5 severity critical suppress 1h message \"Customer {key}: {count(*)} failed contacts within an hour\""),
        ("AgentFailureRate", "rule AgentFailureRate group by agent_id window tumbling 1d having count(*) >= 10 and rate(outcome = 'failed') > 0.5 severity warning"),
        ("Unhappy", "rule Unhappy where satisfaction is not null and satisfaction <= 2 severity info"),
        ("NoScore", "rule NoScore where satisfaction is null and channel in ('voice', 'video')"),
        ("Region", "rule Region where attributes.region = 'eu-west' or attributes.region is null group by attributes.region"),
        ("Arithmetic", "rule Arithmetic where duration_seconds / 60 - 2 * (satisfaction + 1) >= -1.5 and -satisfaction < -2"),
        ("Instants", "rule Instants where start_time >= '2024-03-01T00:00:00Z' and start_time < '2024-03-01T08:30:00.5Z'"),
        ("Bools", "rule Bools where not agent_id = 'a' or customer_id != 'b' and interaction_id = 'c'"),
        ("Aggregates", "rule Aggregates window sliding 90s having sum(duration_seconds) > 1h and avg(satisfaction) < 2.5 and min(duration_seconds) >= 0 and max(satisfaction) = 5 and distinct(agent_id) >= 3"),
        ("CountIf", "rule CountIf group by attributes.queue window tumbling 15m having count(channel = 'chat' and outcome != 'resolved') > 3 and channel = 'chat' severity critical suppress 0.5s message '{attributes.queue}: {count(channel = \"chat\" and outcome != \"resolved\")} in {rule}'"),
        ("Captured", "rule Captured where duration_seconds > 600 and agent_id in ('a1', 'a2') and channel != 'email'"),
        ("HasValue", "rule HasValue where satisfaction is not null and satisfaction < 3 and not (satisfaction is null)"),
        ("OutcomeIn", "rule OutcomeIn where outcome in ('failed', 'problematic') and duration_seconds * 2 + 1 > 10 and attributes.tier != 'gold'"),
        ("Distinct", "rule Distinct group by customer_id window sliding 1d having distinct(attributes.region) > 1 and rate(satisfaction <= 2) >= 0.25 and distinct(channel) >= 2"),
    ];

    private static Rule Fluent(string name)
    {
        int threshold = 600;
        var agents = new List<string> { "a1", "a2" };
        var channel = Channel.Email;
        return name switch
        {
            "LongCall" => Rule.Named("LongCall")
                .Where(i => i.DurationSeconds > TimeSpan.FromMinutes(50).TotalSeconds)
                .Warning()
                .WithMessage("Call {interaction_id} by agent {agent_id} lasted {duration_seconds} s")
                .Build(),
            "RepeatedFailures" => Rule.Named("RepeatedFailures")
                .Where(i => i.Outcome == Outcome.Failed)
                .GroupBy(i => i.CustomerId)
                .SlidingWindow(TimeSpan.FromHours(1))
                .Having(w => w.Count() >= 5)
                .Critical()
                .Suppress(TimeSpan.FromHours(1))
                .WithMessage("Customer {key}: {count(*)} failed contacts within an hour")
                .Build(),
            "AgentFailureRate" => Rule.Named("AgentFailureRate")
                .GroupBy(i => i.AgentId)
                .TumblingWindow(TimeSpan.FromDays(1))
                .Having(w => w.Count() >= 10 && w.Rate(i => i.Outcome == Outcome.Failed) > 0.5)
                .Build(),
            "Unhappy" => Rule.Named("Unhappy").Where(i => i.Satisfaction != null && i.Satisfaction <= 2).Info().Build(),
            "NoScore" => Rule.Named("NoScore").Where(i => i.Satisfaction == null && new[] { Channel.Voice, Channel.Video }.Contains(i.Channel)).Build(),
            "Region" => Rule.Named("Region")
                .Where(i => i.Attributes["region"] == "eu-west" || i.Attributes.GetValueOrDefault("region") == null)
                .GroupBy(i => i.Attributes["region"])
                .Build(),
            "Arithmetic" => Rule.Named("Arithmetic").Where(i => i.DurationSeconds / 60 - 2 * (i.Satisfaction + 1) >= -1.5 && -i.Satisfaction < -2).Build(),
            "Instants" => Rule.Named("Instants")
                .Where(i => i.StartTime >= new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero)
                    && i.StartTime < new DateTimeOffset(2024, 3, 1, 9, 30, 0, 500, TimeSpan.FromHours(1)))
                .Build(),
            "Bools" => Rule.Named("Bools").Where(i => !(i.AgentId == "a") || (i.CustomerId != "b" && i.InteractionId == "c")).Build(),
            "Aggregates" => Rule.Named("Aggregates")
                .SlidingWindow(TimeSpan.FromSeconds(90))
                .Having(w => w.Sum(i => i.DurationSeconds) > TimeSpan.FromHours(1).TotalSeconds
                    && w.Avg(i => i.Satisfaction) < 2.5
                    && w.Min(i => i.DurationSeconds) >= 0
                    && w.Max(i => i.Satisfaction) == 5
                    && w.Distinct(i => i.AgentId) >= 3)
                .Build(),
            "CountIf" => Rule.Named("CountIf")
                .GroupBy(i => i.Attributes["queue"])
                .TumblingWindow(TimeSpan.FromMinutes(15))
                .Having(w => w.Count(i => i.Channel == Channel.Chat && i.Outcome != Outcome.Resolved) > 3 && w.Current.Channel == Channel.Chat)
                .Critical()
                .Suppress(TimeSpan.FromSeconds(0.5))
                .WithMessage("{attributes.queue}: {count(channel = \"chat\" and outcome != \"resolved\")} in {rule}")
                .Build(),
            "Captured" => Rule.Named("Captured").Where(i => i.DurationSeconds > threshold && agents.Contains(i.AgentId) && i.Channel != channel).Build(),
            "HasValue" => Rule.Named("HasValue").Where(i => i.Satisfaction.HasValue && i.Satisfaction.Value < 3 && !(i.Satisfaction == null)).Build(),
            "OutcomeIn" => Rule.Named("OutcomeIn")
                .Where(i => new[] { Outcome.Failed, Outcome.Problematic }.Contains(i.Outcome) && i.DurationSeconds * 2 + 1 > 10 && i.Attributes["tier"] != "gold")
                .Build(),
            "Distinct" => Rule.Named("Distinct")
                .GroupBy(i => i.CustomerId)
                .SlidingWindow(TimeSpan.FromDays(1))
                .Having(w => w.Distinct(i => i.Attributes["region"]) > 1 && w.Rate(i => i.Satisfaction <= 2) >= 0.25 && w.Distinct(i => i.Channel) >= 2)
                .Build(),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Build_Corpus_EqualsTheParsedText(string name, string text)
    {
        var parsed = Rule.Parse(text);
        var built = Fluent(name);
        Assert.Equal(RuleText.Print(parsed), RuleText.Print(built));
        Assert.Equal(parsed, built);
    }

    [Fact]
    public void Build_SpecExample_EqualsTheGoldenFile()
    {
        var parsed = RuleSet.ParseFile(Path.Combine(AppContext.BaseDirectory, "Golden", "example.rules"));
        Assert.Equal(parsed, RuleSet.Create(Fluent("LongCall"), Fluent("RepeatedFailures"), Fluent("AgentFailureRate")));
    }

    [Fact]
    public void Build_EnumConstants_BecomeWireNames()
    {
        var rule = Rule.Named("R").Where(i => i.Channel == Channel.Voice && Outcome.Problematic != i.Outcome).Build();
        Assert.Equal("channel = 'voice' and 'problematic' != outcome", RuleText.Print(rule.Where!));
    }

    [Fact]
    public void Build_ConstantCondition_IsABoolLiteral()
    {
        bool enabled = false;
        Assert.Equal(new BoolLiteral(false), Rule.Named("R").Where(i => enabled).Build().Where);
    }

    [Fact]
    public void Build_DefaultSeverityIsWarning()
    {
        Assert.Equal(Severity.Warning, Rule.Named("R").Build().Severity);
        Assert.Equal(Severity.Critical, Rule.Named("R").WithSeverity(Severity.Critical).Build().Severity);
    }

    [Theory]
    [InlineData("method", "where: the method 'String.StartsWith' is not supported in rules, in 'i.AgentId.StartsWith(\"a\", Ordinal)' (rules support comparisons, && || !, arithmetic, == null, collection.Contains(field) and the aggregates of the window).")]
    [InlineData("substring", "where: a substring test (string.Contains) is not supported in rules, in 'i.AgentId.Contains(\"a\", Ordinal)' (compare whole values, or use new[] { \"a\", \"b\" }.Contains(i.Field)).")]
    [InlineData("conditional", "where: the conditional operator ?: is not supported in rules, in 'IIF((i.Satisfaction == null), True, False)' (combine conditions with && and ||).")]
    [InlineData("bitwise", "where: the non-short-circuit operator & is not supported in rules, in '((i.AgentId == \"a\") And (i.CustomerId == \"b\"))' (write &&).")]
    [InlineData("remainder", "where: the remainder operator % is not supported in rules, in '(i.DurationSeconds % 60)'.")]
    [InlineData("coalesce", "where: the ?? operator is not supported in rules, in '(i.Satisfaction ?? 0)' (test for null with == null).")]
    [InlineData("attributes", "where: the attribute map itself is not supported in rules, in 'i.Attributes' (read one attribute: i.Attributes[\"region\"]).")]
    [InlineData("count", "where: the member 'AttributeMap.Count' is not supported in rules, in 'i.Attributes.Count'.")]
    [InlineData("concat", "where: string concatenation is not supported in rules, in '(i.AgentId + \"x\")' (compare whole values).")]
    [InlineData("badattribute", "where: the attribute name 'my region' is not supported in rules, in 'i.Attributes.get_Item(\"my region\")' (attribute names use letters, digits and '_', not starting with a digit).")]
    [InlineData("throws", "where: evaluating 'Convert(Boom(), Double)' failed: boom")]
    public void Build_UnsupportedConstruct_NamesIt(string kind, string expected)
    {
        IRuleBuilder builder = Rule.Named("R");
        builder = kind switch
        {
            "method" => builder.Where(i => i.AgentId.StartsWith("a", StringComparison.Ordinal)),
            "substring" => builder.Where(i => i.AgentId.Contains("a", StringComparison.Ordinal)),
            "conditional" => builder.Where(i => i.Satisfaction == null ? true : false),
            "bitwise" => builder.Where(i => i.AgentId == "a" & i.CustomerId == "b"),
            "remainder" => builder.Where(i => i.DurationSeconds % 60 > 1),
            "coalesce" => builder.Where(i => (i.Satisfaction ?? 0) > 1),
            "attributes" => builder.Where(i => i.Attributes == null),
            "count" => builder.Where(i => i.Attributes.Count > 1),
            "concat" => builder.Where(i => i.AgentId + "x" == "ax"),
            "badattribute" => builder.Where(i => i.Attributes["my region"] == "x"),
            _ => builder.Where(i => i.DurationSeconds > Boom()),
        };
        var ex = Assert.Throws<RuleValidationException>(builder.Build);
        Assert.Equal([expected], ex.Problems);
    }

    private static int Boom() => throw new InvalidOperationException("boom");

    [Fact]
    public void Build_GroupByNotAField_IsAnError()
    {
        var ex = Assert.Throws<RuleValidationException>(() => Rule.Named("R").GroupBy(i => i.DurationSeconds * 2).Build());
        Assert.Equal(["group by: a group key other than a field is not supported in rules, in '(i.DurationSeconds * 2)' (write i => i.CustomerId or i => i.Attributes[\"region\"])."],
            ex.Problems);
    }

    [Fact]
    public void Build_ModelProblems_AreReportedLikeText()
    {
        var ex = Assert.Throws<RuleValidationException>(() => Rule.Named("R").Where(i => i.Channel == (Channel)99).Build());
        Assert.Equal(["where: a value of type Channel (99) is not supported in rules, in '99'"
            + " (rules compare with numbers, text, booleans, Channel, Outcome, TimeSpan and DateTimeOffset values)."],
            ex.Problems);

        var message = Assert.Throws<RuleValidationException>(() => Rule.Named("R").SlidingWindow(TimeSpan.FromHours(1)).Having(w => w.Count() > 1).WithMessage("{sum(duration_seconds)}").Build());
        Assert.Equal(["message: placeholder '{sum(duration_seconds)}' is not an aggregate of 'having' at offset 0 (this rule's aggregates are {count(*)})."],
            message.Problems);
    }

    [Fact]
    public void Build_NestedAggregate_IsReportedByTheValidator()
    {
        var ex = Assert.Throws<RuleValidationException>(() => Rule.Named("R").SlidingWindow(TimeSpan.FromHours(1)).Having(w => w.Count(i => w.Count() > 1) > 1).Build());
        Assert.Equal(["having: aggregate 'count(*)' cannot appear inside another aggregate."], ex.Problems);
    }

    [Fact]
    public void Build_Twice_Throws()
    {
        var builder = Rule.Named("R");
        builder.Build();
        var ex = Assert.Throws<InvalidOperationException>(builder.Build);
        Assert.Equal("The builder of rule 'R' was already built; start a new rule with Rule.Named(...).", ex.Message);
        Assert.Throws<InvalidOperationException>(() => builder.Where(i => true));
        Assert.Throws<InvalidOperationException>(() => builder.SlidingWindow(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Build_AfterAFailedBuild_Throws()
    {
        var builder = Rule.Named("R").Where(i => i.AgentId.Length > 1);
        Assert.Throws<RuleValidationException>(builder.Build);
        Assert.Throws<InvalidOperationException>(builder.Build);
    }

    [Fact]
    public void Clause_SetTwice_Throws()
    {
        Assert.Equal("Rule 'R' already has a where condition; each clause is set at most once.",
            Assert.Throws<InvalidOperationException>(() => Rule.Named("R").Where(i => true).Where(i => false)).Message);
        Assert.Throws<InvalidOperationException>(() => Rule.Named("R").Critical().Info());
        Assert.Throws<InvalidOperationException>(() => Rule.Named("R").GroupBy(i => i.AgentId).GroupBy(i => i.CustomerId));
        Assert.Throws<InvalidOperationException>(() => Rule.Named("R").Suppress(TimeSpan.FromMinutes(1)).Suppress(TimeSpan.FromMinutes(2)));
        Assert.Throws<InvalidOperationException>(() => Rule.Named("R").WithMessage("a").WithMessage("b"));
        var builder = Rule.Named("R");
        builder.SlidingWindow(TimeSpan.FromHours(1)).Having(w => w.Count() > 1);
        Assert.Throws<InvalidOperationException>(() => builder.TumblingWindow(TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Stages_OnlyAllowHavingAfterAWindowAndRequireIt()
    {
        Assert.Null(typeof(IRuleBuilder).GetMethod("Having"));
        Assert.Equal(["Having"], typeof(IRuleWindowStage).GetMethods().Select(m => m.Name));
        Assert.Null(typeof(IWindowedRuleBuilder).GetMethod("SlidingWindow"));
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => Rule.Named(null!));
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Rule.Named("9lives")).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Rule.Named("where")).ParamName);
        var builder = Rule.Named("R");
        Assert.Throws<ArgumentNullException>(() => builder.Where(null!));
        Assert.Throws<ArgumentNullException>(() => builder.GroupBy<string>(null!));
        Assert.Throws<ArgumentNullException>(() => builder.WithMessage(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.WithSeverity((Severity)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Suppress(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.SlidingWindow(TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.TumblingWindow(TimeSpan.Zero));
        Assert.Throws<ArgumentNullException>(() => Rule.Named("W").SlidingWindow(TimeSpan.FromHours(1)).Having(null!));
    }

    [Fact]
    public void RuleSetCreate_KeepsOrderAndRejectsDuplicates()
    {
        var a = Rule.Named("A").Build();
        var b = Rule.Named("B").Build();
        Assert.Equal(["B", "A"], RuleSet.Create(b, a).Select(r => r.Name));
        Assert.Throws<ArgumentException>(() => RuleSet.Create(a, Rule.Named("A").Build()));
        Assert.Throws<ArgumentNullException>(() => RuleSet.Create(null!));
        Assert.Empty(RuleSet.Create());
    }

    [Fact]
    public void Named_NameOverTheLimit_IsRefusedNamingTheLimit_AndAtTheLimitBuilds()
    {
        string name = new('L', 200_000);
        var ex = Assert.Throws<RuleValidationException>(() => Rule.Named(name));
        Assert.Equal(["name: rule name is 200000 characters long; the limit is 128 (use a shorter name)."], ex.Problems);
        Assert.True(ex.Message.Length < 300, ex.Message);

        string atLimit = new('L', RuleText.MaxNameLength);
        Assert.Equal(atLimit, Rule.Named(atLimit).Where(i => i.DurationSeconds > 1).Build().Name);
    }

    [Fact]
    public void Build_OverLongAttributeNameStringAndMessage_AreRefusedNamingTheLimit()
    {
        string attribute = new('a', RuleText.MaxNameLength + 1);
        Assert.Equal(["where: attribute name is 129 characters long; the limit is 128 (use a shorter name)."],
            Assert.Throws<RuleValidationException>(() => Rule.Named("R").Where(i => i.Attributes[attribute] == "x").Build()).Problems);

        string value = new('v', RuleText.MaxStringLength + 1);
        Assert.Equal(["where: string is 4097 characters long; the limit is 4096."],
            Assert.Throws<RuleValidationException>(() => Rule.Named("R").Where(i => i.AgentId == value).Build()).Problems);

        Assert.Equal(["message: message is 4097 characters long; the limit is 4096 (shorten the message)."],
            Assert.Throws<RuleValidationException>(() => Rule.Named("R").WithMessage(value).Build()).Problems);

        string atLimit = new('a', RuleText.MaxNameLength);
        Assert.Equal(atLimit, Rule.Named("R").GroupBy(i => i.Attributes[atLimit]).Build().GroupBy!.AttributeName);
    }

    [Fact]
    public void Named_InvalidNameWithControlCharacters_IsEscapedInTheMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => Rule.Named("a\nb\u001b[2J"));
        Assert.StartsWith("'a\\nb\\u001b[2J' is not a valid rule name", ex.Message, StringComparison.Ordinal);
    }
}
