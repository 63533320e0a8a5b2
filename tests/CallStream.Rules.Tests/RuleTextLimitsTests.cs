using System.Text;
using static CallStream.Rules.Tests.RuleTestText;

namespace CallStream.Rules.Tests;

public class RuleTextLimitsTests
{
    [Fact]
    public void Parse_TenThousandNestedParentheses_IsADiagnosticNotACrash()
    {
        string text = "rule Deep where " + new string('(', 10_000) + "true" + new string(')', 10_000) + "\nrule After where agnet_id = 'x'";
        Assert.Equal(
            [
                "t.rules:1:81: the expression nests deeper than 64 levels (simplify the expression)",
                "t.rules:2:18: unknown field 'agnet_id' (did you mean 'agent_id'?)",
            ],
            Errors(text));
    }

    [Fact]
    public void Parse_SixtyFourNestedParentheses_AreAccepted()
    {
        Assert.Equal(new BoolLiteral(true), Where(new string('(', 64) + "true" + new string(')', 64)));
    }

    [Fact]
    public void Parse_DeeplyNestedNotAndMinus_IsADiagnosticNotACrash()
    {
        Assert.StartsWith("t.rules:1:", Error("rule A where " + string.Concat(Enumerable.Repeat("not ", 5000)) + "true"));
        Assert.Contains("nests deeper than 64 levels", Error("rule A where " + new string('-', 5000) + "satisfaction > 1"), StringComparison.Ordinal);
        Assert.Contains("nests deeper than 64 levels",
            Error("rule A window sliding 1h having " + string.Concat(Enumerable.Repeat("count(", 5000)) + "*" + new string(')', 5000) + " > 1"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_VeryLongChainOfOr_IsRejectedByTheModelDepthLimit()
    {
        string chain = string.Join(" or ", Enumerable.Repeat("agent_id = 'a'", 300));
        Assert.Equal("t.rules:1:14: the expression nests deeper than 256 levels (simplify it, or use 'in' for long lists of alternatives)",
            Error("rule A where " + chain));
    }

    [Fact]
    public void Parse_TwoMebibytes_IsRejectedWithoutParsing()
    {
        var sb = new StringBuilder();
        while (sb.Length < 2 * 1024 * 1024)
            sb.Append("rule R").Append(sb.Length).Append(" where duration_seconds > 5\n");
        Assert.Equal($"t.rules:1:1: the rule text is too large: {sb.Length} characters, the limit is 1048576 (split the rules into several files)",
            Error(sb.ToString()));
    }

    [Fact]
    public void Parse_OneMebibyteOfRules_IsAccepted()
    {
        var sb = new StringBuilder();
        int i = 0;
        while (sb.Length < RuleText.MaxInputLength - 100)
            sb.Append("rule R").Append(i++).Append(" where duration_seconds > ").Append(i)
                .Append(" and channel in ('voice', 'video') severity info message 'Call {interaction_id} of agent {agent_id}'\n");
        Assert.True(i < RuleText.MaxRules);
        var rules = Valid(sb.ToString());
        Assert.Equal(i, rules.Count);
    }

    [Fact]
    public void Parse_MoreThanTheRuleLimit_IsADiagnostic()
    {
        var sb = new StringBuilder();
        for (int i = 0; i <= RuleText.MaxRules; i++)
            sb.Append("rule R").Append(i).Append('\n');
        Assert.Equal($"t.rules:{RuleText.MaxRules + 1}:1: too many rules: the limit is 10000 in one file (split the rules into several files)",
            Error(sb.ToString()));
    }

    [Fact]
    public void Parse_MoreThanTheTokenLimit_IsADiagnostic()
    {
        string text = "rule R where agent_id in (" + string.Join(",", Enumerable.Repeat("1", 260_000)) + ")";
        Assert.StartsWith("t.rules:1:", Error(text));
        Assert.EndsWith("too many tokens: the limit is 500000 (split the rules into several files)", Error(text));
    }

    [Fact]
    public void Parse_ManyErrors_StopsAfterTheLimit()
    {
        string text = string.Concat(Enumerable.Range(0, 500).Select(i => $"rule R{i} where agnet_id = 'x'\n"));
        var errors = Errors(text);
        Assert.Equal(RuleText.MaxDiagnostics + 1, errors.Length);
        Assert.Equal("t.rules:100:16: too many errors; stopping after 100", errors[^1]);
    }

    [Fact]
    public void Parse_GarbageInput_GivesDiagnosticsQuickly()
    {
        var random = new Random(7);
        var chars = "()'\"\\#*+-/=<>!,.;abc019 \n\tWHERE rule having count".ToCharArray();
        for (int round = 0; round < 200; round++)
        {
            var text = new string(Enumerable.Range(0, random.Next(1, 400)).Select(_ => chars[random.Next(chars.Length)]).ToArray());
            var result = RuleText.Parse("rule X " + text, FileName);
            Assert.True(result.Succeeded || result.Diagnostics.Count > 0);
            Assert.All(result.Diagnostics, d => Assert.True(d.Line >= 1 && d.Column >= 1));
        }
    }

    [Fact]
    public void Parse_RuleNameOverTheLimit_IsAPositionedErrorThatDoesNotEchoTheName()
    {
        string name = new('a', 200_000);
        Assert.Equal("t.rules:2:6: rule name is 200000 characters long; the limit is 128 (use a shorter name)",
            Error($"rule Short\nrule {name} where duration_seconds > 1"));
    }

    [Fact]
    public void Parse_RuleNameAtTheLimit_IsAccepted_AndOneMoreIsNot()
    {
        string name = "R" + new string('1', RuleText.MaxNameLength - 1);
        Assert.Equal(name, Valid($"rule {name} where duration_seconds > 1")[0].Name);
        Assert.Equal("t.rules:1:6: rule name is 129 characters long; the limit is 128 (use a shorter name)",
            Error($"rule {name}2 where duration_seconds > 1"));
    }

    [Fact]
    public void Parse_DuplicateOverLongRuleNames_AreReportedShortened()
    {
        string name = new('b', 5000);
        var errors = Errors($"rule {name}\nrule {name}");
        Assert.Equal(3, errors.Length);
        Assert.All(errors, e => Assert.True(e.Length < 300, e));
        Assert.StartsWith("t.rules:2:6: duplicate rule name 'bbb", errors[2], StringComparison.Ordinal);
        Assert.EndsWith("...' (first defined at t.rules:1:6)", errors[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AttributeNameOverTheLimit_IsAPositionedError_InEveryPlaceANameIsWritten()
    {
        string ok = new('r', RuleText.MaxNameLength);
        string tooLong = ok + "x";
        var rule = Valid($"rule R where attributes.{ok} = 'eu' group by attributes.{ok} window sliding 1h having count(*) > 1 message '{{attributes.{ok}}}'")[0];
        Assert.Equal(ok, rule.GroupBy!.AttributeName);

        Assert.Equal("t.rules:1:14: attribute name is 129 characters long; the limit is 128 (use a shorter name)",
            Error($"rule R where attributes.{tooLong} = 'eu'"));
        Assert.Equal("t.rules:1:42: attribute name is 129 characters long; the limit is 128 (use a shorter name)",
            Error($"rule R window sliding 1h having distinct(attributes.{tooLong}) > 1"));
        Assert.Equal("t.rules:2:10: attribute name is 129 characters long; the limit is 128 (use a shorter name)",
            Error($"rule R window sliding 1h having count(*) > 1\ngroup by attributes.{tooLong}"));
        Assert.Equal("t.rules:1:25: attribute name is 129 characters long; the limit is 128 (use a shorter name)",
            Error($"rule R message 'Region: {{attributes.{tooLong}}}'"));
    }

    [Fact]
    public void Parse_StringLiteralOverTheLimit_IsAPositionedError_AtExactlyTheLimitAccepted()
    {
        string ok = new('x', RuleText.MaxStringLength);
        Assert.Equal(new StringLiteral(ok), ((BinaryExpr)Where($"agent_id = '{ok}'")).Right);
        Assert.Equal("t.rules:1:25: string is 4097 characters long; the limit is 4096",
            Error($"rule R where agent_id = '{ok}x'"));
        Assert.Equal("t.rules:2:25: string is 4097 characters long; the limit is 4096",
            Error($"rule R\nwhere agent_id in ('a', \"{ok}y\")"));
    }

    [Fact]
    public void Parse_StringWithEscapes_CountsEachEscapeOnce()
    {
        string value = string.Concat(Enumerable.Repeat("\\'", RuleText.MaxStringLength));
        Assert.Equal(RuleText.MaxStringLength, ((StringLiteral)((BinaryExpr)Where($"agent_id = '{value}'")).Right).Value.Length);
    }

    [Fact]
    public void Parse_MessageOverTheLimit_IsAPositionedError_AtExactlyTheLimitAccepted()
    {
        string ok = new('m', RuleText.MaxStringLength);
        Assert.Equal(ok, Valid($"rule R message '{ok}'")[0].Message);
        Assert.Equal("t.rules:2:11: message is 4097 characters long; the limit is 4096 (shorten the message)",
            Error($"rule R\n  message '{ok}{{'"));
    }

    [Fact]
    public void Parse_OverLongValuesInErrors_AreShortened()
    {
        string huge = new('q', 200_000);
        string unknownField = Error($"rule R where {huge} = 1");
        Assert.StartsWith("t.rules:1:14: unknown field 'qqq", unknownField, StringComparison.Ordinal);
        Assert.True(unknownField.Length < 500, unknownField);

        string channel = Error($"rule R where channel = '{new string('c', RuleText.MaxStringLength)}'");
        Assert.Equal($"t.rules:1:24: unknown channel '{new string('c', 77)}...' (allowed: email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call'))",
            channel);

        foreach (string text in new[]
        {
            $"rule R severity {huge}",
            $"rule R where {huge}(1) > 1",
            $"rule R where duration_seconds > 1{huge}",
            $"rule R message '{{{new string('p', 4000)}}}'",
            $"rule R where start_time > '{new string('9', 4000)}'",
        })
        {
            string error = Error(text);
            Assert.True(error.Length < 500, error);
            Assert.Contains("...", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_ThousandsOfDistinctAggregatesAndPlaceholders_StaysLinear()
    {
        const int groups = 20, perGroup = 200, placeholders = 120;
        var terms = Enumerable.Range(0, groups)
            .Select(g => "(" + string.Join(" or ", Enumerable.Range(0, perGroup).Select(i => $"count(agent_id = 'a{(g * perGroup) + i}') > 0")) + ")");
        string having = string.Join(" or ", terms);
        // As many placeholders as a message may hold (RuleText.MaxStringLength), each naming one of the aggregates.
        string message = string.Concat(Enumerable.Range(0, placeholders).Select(i => $"{{count(agent_id = 'a{i * 33}')}} "));
        string unknown = message.Replace("agent_id", "channel", StringComparison.Ordinal).Replace("'a", "'voice", StringComparison.Ordinal);
        Assert.InRange(unknown.Length, message.Length, RuleText.MaxStringLength);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var rule = Valid($"rule Wide window sliding 1h having {having} message \"{message}\"")[0];
        Assert.Equal(groups * perGroup, rule.Aggregates.Count);
        Assert.Equal(placeholders * 2, rule.Template!.Segments.Count);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");

        var errors = Errors($"rule Wide window sliding 1h having {having} message \"{unknown}\"");
        Assert.Equal(RuleText.MaxDiagnostics + 1, errors.Length);
        Assert.EndsWith("(this rule's aggregates are {count(agent_id = 'a0')}, {count(agent_id = 'a1')}, {count(agent_id = 'a2')}, {count(agent_id = 'a3')}, "
            + "{count(agent_id = 'a4')}, {count(agent_id = 'a5')}, {count(agent_id = 'a6')}, {count(agent_id = 'a7')}, {count(agent_id = 'a8')}, "
            + "{count(agent_id = 'a9')} and 3990 more)", errors[0], StringComparison.Ordinal);
    }
}
