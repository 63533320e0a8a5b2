using static CallStream.Rules.Tests.RuleTestText;

namespace CallStream.Rules.Tests;

public class RuleTextDiagnosticsTests
{
    [Fact]
    public void Parse_UnknownField_SuggestsNearestName()
    {
        Assert.Equal("t.rules:2:9: unknown field 'agnet_id' (did you mean 'agent_id'?)",
            Error("rule R\n  where agnet_id = 'a7'\n"));
    }

    [Fact]
    public void Parse_UnknownFieldInWrongCase_SuggestsTheField()
    {
        Assert.Equal("t.rules:1:14: unknown field 'Channel' (did you mean 'channel'?)", Error("rule R where Channel = 'chat'"));
    }

    [Fact]
    public void Parse_UnknownFieldFarFromAnyKnownField_SuggestsAnAttribute()
    {
        Assert.Equal(
            "t.rules:1:14: unknown field 'region' (did you mean 'attributes.region'? The fields are interaction_id, customer_id, agent_id, channel, outcome, start_time, duration_seconds, satisfaction and attributes.NAME)",
            Error("rule R where region = 'eu'"));
    }

    [Fact]
    public void Parse_UnknownFieldInGroupBy_SuggestsNearestName()
    {
        Assert.Equal("t.rules:1:35: unknown field 'customerid' (did you mean 'customer_id'?)",
            Error("rule R window sliding 1h group by customerid having count(*) > 1"));
    }

    [Fact]
    public void Parse_AggregateNameWithoutParentheses_ExplainsHowToWriteIt()
    {
        Assert.Equal("t.rules:1:44: unknown field 'count' (aggregates are written with parentheses, such as count(*))",
            Error("rule R window sliding 1h having count(*) + count > 1"));
    }

    [Fact]
    public void Parse_TextComparedWithNumber_NamesBothTypes()
    {
        Assert.Equal("t.rules:2:9: cannot compare text with number", Error("rule R\n  where agent_id = 5\n"));
    }

    [Fact]
    public void Parse_NumberComparedWithText_NamesBothTypesInOrder()
    {
        Assert.Equal("t.rules:1:14: cannot compare number with text", Error("rule R where duration_seconds >= 'long'"));
    }

    [Fact]
    public void Parse_TypeMismatchInsideALargerExpression_PointsAtTheComparison()
    {
        Assert.Equal("t.rules:1:34: cannot compare number with text",
            Error("rule R where agent_id = 'a' and (1 + satisfaction > 'x' or true)"));
    }

    [Fact]
    public void Parse_UnknownChannel_ListsAllowedValues()
    {
        Assert.Equal(
            "t.rules:2:19: unknown channel 'fax' (allowed: email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call'))",
            Error("rule R\n  where channel = 'fax'\n"));
    }

    [Fact]
    public void Parse_UnknownOutcome_ListsAllowedValues()
    {
        Assert.Equal("t.rules:1:24: unknown outcome 'faild' (allowed: resolved, failed, problematic)",
            Error("rule R where outcome = 'faild'"));
    }

    [Fact]
    public void Parse_UnknownChannelInInList_PointsAtTheValue()
    {
        Assert.Equal(
            "t.rules:1:35: unknown channel 'sms' (allowed: email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call'))",
            Error("rule R where channel in ('voice', 'sms')"));
    }

    [Theory]
    [InlineData("channel = 'Phone'")]
    [InlineData("channel = 'voice call'")]
    [InlineData("'VIDEO CALL' = channel")]
    [InlineData("channel in ('call', 'EMAIL', 'chat')")]
    [InlineData("outcome != 'Problematic'")]
    public void Parse_ChannelAndOutcomeAliasesInAnyCase_AreValid(string condition)
    {
        Assert.NotNull(Where(condition));
    }

    [Fact]
    public void Parse_OrderingComparisonOnChannel_IsAnError()
    {
        Assert.Equal("t.rules:1:14: 'channel' can only be compared with = and != (or 'in'), not '<'",
            Error("rule R where channel < 'voice'"));
    }

    [Fact]
    public void Parse_OrderingComparisonOnBooleans_IsAnError()
    {
        Assert.Equal("t.rules:1:14: cannot order bool values with '<' (use = or !=)", Error("rule R where true < false"));
    }

    [Fact]
    public void Parse_StartTimeComparedWithIsoString_IsValid()
    {
        var where = Where("start_time >= '2024-03-01T09:15:00+01:00'");
        Assert.Equal(new BinaryExpr(BinaryOp.GreaterOrEqual, new FieldExpr(Field.StartTime), new StringLiteral("2024-03-01T09:15:00+01:00")), where);
    }

    [Fact]
    public void Parse_StartTimeComparedWithBadInstant_SaysItIsNotIso8601()
    {
        Assert.Equal("t.rules:1:27: '2024-13-01T00:00:00Z' is not an ISO-8601 instant (write an instant such as '2024-03-01T09:15:00Z')",
            Error("rule R where start_time < '2024-13-01T00:00:00Z'"));
    }

    [Fact]
    public void Parse_StartTimeComparedWithNumber_NamesBothTypes()
    {
        Assert.Equal("t.rules:1:14: cannot compare instant with number", Error("rule R where start_time > 5"));
    }

    [Fact]
    public void Parse_StartTimeComparedWithTextField_ExplainsWhatItComparesWith()
    {
        Assert.Equal("t.rules:1:14: cannot compare instant with text (an instant compares with an ISO-8601 string literal such as '2024-03-01T09:15:00Z')",
            Error("rule R where start_time = agent_id"));
    }

    [Fact]
    public void Parse_ComparisonWithNull_IsAllowed()
    {
        Assert.Equal(new BinaryExpr(BinaryOp.Equal, new FieldExpr(Field.Satisfaction), new NullLiteral()), Where("satisfaction = null"));
    }

    [Fact]
    public void Parse_DuplicateRuleName_PointsAtTheFirst()
    {
        Assert.Equal("t.rules:4:6: duplicate rule name 'A' (first defined at t.rules:1:6)",
            Error("rule A\n  severity info\n\nrule A\n  severity critical\n"));
    }

    [Fact]
    public void Parse_DuplicateClause_PointsAtTheFirst()
    {
        Assert.Equal("t.rules:3:3: duplicate 'where' clause (first given at t.rules:2:3; each clause appears at most once)",
            Error("rule A\n  where satisfaction < 2\n  where satisfaction > 4\n"));
    }

    [Fact]
    public void Parse_DuplicateGroupBy_NamesTheClause()
    {
        Assert.Equal("t.rules:1:26: duplicate 'group by' clause (first given at t.rules:1:8; each clause appears at most once)",
            Error("rule A group by agent_id group by agent_id window sliding 1h having count(*) > 1"));
    }

    [Fact]
    public void Parse_HavingWithoutWindow_IsAnError()
    {
        Assert.Equal("t.rules:2:3: 'having' requires a 'window' clause (add for example 'window sliding 1h')",
            Error("rule A\n  having count(*) > 5\n"));
    }

    [Fact]
    public void Parse_WindowWithoutHaving_IsAnError()
    {
        Assert.Equal("t.rules:2:3: 'window' requires a 'having' clause (a windowed rule alerts when its having condition holds over the window)",
            Error("rule A\n  window tumbling 1d\n"));
    }

    [Fact]
    public void Parse_HavingWithBrokenWindow_ReportsOnlyTheWindowError()
    {
        Assert.Equal("t.rules:1:17: expected 'tumbling' or 'sliding' after 'window', found 'rolling'",
            Error("rule A   window rolling 1h having count(*) > 5"));
    }

    [Fact]
    public void Parse_AggregateInWhere_IsOnlyAllowedInHaving()
    {
        Assert.Equal("t.rules:2:9: aggregate 'count(*)' is only allowed in 'having' (a windowed rule tests aggregates in its having clause)",
            Error("rule A\n  where count(*) > 5\n"));
    }

    [Fact]
    public void Parse_NestedAggregate_IsAnError()
    {
        Assert.Equal("t.rules:1:39: aggregate 'count(*)' cannot appear inside another aggregate",
            Error("rule A window sliding 1h having count(count(*) > 1) > 1"));
    }

    [Fact]
    public void Parse_FieldOutsideAggregateInHaving_IsAllowed()
    {
        var having = Having("count(*) > 3 and channel = 'voice'");
        Assert.Equal(
            new BinaryExpr(BinaryOp.And,
                new BinaryExpr(BinaryOp.Greater, new AggregateExpr(AggregateKind.CountAll, null), new NumberLiteral(3)),
                new BinaryExpr(BinaryOp.Equal, new FieldExpr(Field.Channel), new StringLiteral("voice"))),
            having);
    }

    [Fact]
    public void Parse_UnterminatedString_PointsAtTheOpeningQuote()
    {
        Assert.Equal("t.rules:3:11: unterminated string (a string ends with the quote it starts with: \")",
            Error("rule A\n  where agent_id = 'x'\n  message \"Call {interaction_id}\n"));
    }

    [Fact]
    public void Parse_UnknownEscape_IsAnError()
    {
        Assert.Equal("t.rules:1:28: unknown escape '\\n' in string (a backslash escapes only a quote or a backslash: \\' \\\" \\\\)",
            Error("rule A where agent_id = 'a1\\n'"));
    }

    [Theory]
    [InlineData("rule A window sliding 5ms having count(*) > 1", "t.rules:1:23: bad duration '5ms' (a duration is a number followed directly by s, m, h or d, such as 90s or 1.5h)")]
    [InlineData("rule A window sliding 2min having count(*) > 1", "t.rules:1:23: bad duration '2min' (a duration is a number followed directly by s, m, h or d, such as 90s or 1.5h)")]
    [InlineData("rule A where duration_seconds > 3.", "t.rules:1:33: bad number '3.' (write numbers like 42 or 3.5)")]
    [InlineData("rule A where duration_seconds > 1.2.3", "t.rules:1:33: bad number '1.2.3' (write numbers like 42 or 3.5)")]
    [InlineData("rule A suppress 0.00000001s", "t.rules:1:17: duration '0.00000001s' is finer than 100 nanoseconds")]
    [InlineData("rule A suppress 99999999999d", "t.rules:1:17: duration '99999999999d' is out of range (durations go up to about 10675199d)")]
    public void Parse_BadNumberOrDuration_IsReportedOnce(string text, string expected)
    {
        Assert.Equal(expected, Error(text));
    }

    [Fact]
    public void Parse_NumberTooLarge_IsOutOfRange()
    {
        string digits = new('9', 400);
        Assert.Equal($"t.rules:1:33: number '{digits[..37]}...' is out of range", Error("rule A where duration_seconds > " + digits));
    }

    [Fact]
    public void Parse_WindowWithoutUnit_SuggestsAddingOne()
    {
        Assert.Equal("t.rules:1:23: expected a duration such as 1h after 'window', found '3600' (add a unit: s, m, h or d)",
            Error("rule A window sliding 3600 having count(*) > 1"));
    }

    [Fact]
    public void Parse_MissingExpression_SaysWhatWasExpected()
    {
        Assert.Equal("t.rules:3:3: expected an expression, found 'severity'",
            Error("rule A\n  where duration_seconds >\n  severity info\n"));
    }

    [Fact]
    public void Parse_EmptyWhere_SaysAnExpressionIsExpected()
    {
        Assert.Equal("t.rules:1:14: expected an expression after 'where', found 'severity'", Error("rule A where severity info"));
    }

    [Fact]
    public void Parse_UnclosedParenthesis_SaysWhereItOpened()
    {
        Assert.Equal("t.rules:2:1: expected ')', found 'severity' (the '(' at 1:14 is not closed)",
            Error("rule A where (duration_seconds > 5\nseverity info"));
    }

    [Fact]
    public void Parse_TokenAfterExpression_SaysWhatWasExpected()
    {
        Assert.Equal("t.rules:1:35: unexpected '5' after the expression; expected an operator, a clause or 'rule'",
            Error("rule A where duration_seconds > 4 5"));
    }

    [Fact]
    public void Parse_MisspeltClause_SuggestsTheClause()
    {
        Assert.Equal("t.rules:2:3: unexpected 'wher'; expected a clause or 'rule' (did you mean 'where'?)",
            Error("rule A\n  wher duration_seconds > 5\n"));
    }

    [Fact]
    public void Parse_TextBeforeTheFirstRule_ExpectsRule()
    {
        Assert.Equal("t.rules:1:1: expected 'rule', found 'rules' (did you mean 'rule'?)", Error("rules A where true"));
    }

    [Fact]
    public void Parse_MissingRuleName_IsAnError()
    {
        Assert.Equal("t.rules:1:6: expected a rule name after 'rule', found 'where'", Error("rule where true"));
    }

    [Fact]
    public void Parse_KeywordAsRuleName_IsAnError()
    {
        Assert.Equal("t.rules:1:6: expected a rule name after 'rule', found keyword 'Critical' (keywords cannot be rule names)",
            Error("rule Critical where true"));
    }

    [Fact]
    public void Parse_MissingBy_IsAnError()
    {
        Assert.Equal("t.rules:1:14: expected 'by' after 'group', found 'agent_id'", Error("rule A group agent_id"));
    }

    [Fact]
    public void Parse_UnknownSeverity_ListsAllowedValues()
    {
        Assert.Equal("t.rules:2:12: unknown severity 'fatal' (expected one of info, warning, critical)",
            Error("rule A\n  severity fatal\n"));
    }

    [Fact]
    public void Parse_MisspeltSeverity_SuggestsTheNearest()
    {
        Assert.Equal("t.rules:1:17: unknown severity 'warn' (did you mean 'warning'? expected one of info, warning, critical)",
            Error("rule A severity warn"));
    }

    [Fact]
    public void Parse_MessageWithoutString_IsAnError()
    {
        Assert.Equal("t.rules:1:16: expected a string after 'message', found 'hello' (write the message in quotes: message 'Call {interaction_id} failed')",
            Error("rule A message hello"));
    }

    [Fact]
    public void Parse_UnknownPlaceholder_PointsInsideTheString()
    {
        Assert.Equal("t.rules:2:19: unknown placeholder '{agnt}' in message (did you mean '{agent_id}'?)",
            Error("rule A\n  message 'Agent: {agnt}'\n"));
    }

    [Fact]
    public void Parse_UnknownPlaceholderAfterEscapesAndNewline_PointsAtTheBrace()
    {
        Assert.Equal("t.rules:3:10: unknown placeholder '{nope}' in message (a placeholder is a field such as {agent_id} or {attributes.region}, {key}, {rule}, or an aggregate of 'having' such as {count(*)})",
            Error("rule A\n  message 'It\\'s\nlong and {nope}'\n"));
    }

    [Fact]
    public void Parse_PlaceholderAfterEscapedQuote_PointsAtTheBrace()
    {
        Assert.Equal("t.rules:1:25: unknown placeholder '{x}' in message (a placeholder is a field such as {agent_id} or {attributes.region}, {key}, {rule}, or an aggregate of 'having' such as {count(*)})",
            Error("rule A message 'a\\'b\\\\c {x}'"));
    }

    [Fact]
    public void Parse_AggregatePlaceholderNotInHaving_ListsTheRulesAggregates()
    {
        Assert.Equal("t.rules:1:62: placeholder '{sum(duration_seconds)}' is not an aggregate of 'having' (this rule's aggregates are {count(*)})",
            Error("rule A window sliding 1h having count(*) > 1 message 'Total: {sum(duration_seconds)}'"));
    }

    [Fact]
    public void Parse_UnmatchedClosingBrace_IsAnError()
    {
        Assert.Equal("t.rules:1:18: unmatched '}' in message (write '}}' for a literal brace)", Error("rule A message 'a}b'"));
    }

    [Fact]
    public void Parse_UnterminatedPlaceholder_IsAnError()
    {
        Assert.Equal("t.rules:1:18: unterminated placeholder in message (close it with '}', or write '{{' for a literal brace)",
            Error("rule A message 'a{key'"));
    }

    [Fact]
    public void Parse_WhereNotBoolean_IsAnError()
    {
        Assert.Equal("t.rules:1:14: 'where' needs a condition (bool), not number", Error("rule A where duration_seconds + 1"));
    }

    [Fact]
    public void Parse_HavingNotBoolean_IsAnError()
    {
        Assert.Equal("t.rules:1:33: 'having' needs a condition (bool), not number", Error("rule A window sliding 1h having count(*)"));
    }

    [Fact]
    public void Parse_NotOnANumber_IsAnError()
    {
        Assert.Equal("t.rules:1:18: 'not' needs a condition (bool), not number", Error("rule A where not satisfaction"));
    }

    [Fact]
    public void Parse_AndOnText_IsAnError()
    {
        Assert.Equal("t.rules:1:14: 'and' needs conditions (bool) on both sides, not text", Error("rule A where agent_id and true"));
    }

    [Fact]
    public void Parse_ArithmeticOnText_IsAnError()
    {
        Assert.Equal("t.rules:1:14: '+' needs numbers, not text", Error("rule A where agent_id + 1 > 2"));
    }

    [Fact]
    public void Parse_InListWithNonLiteral_IsAnError()
    {
        Assert.Equal("t.rules:1:32: an 'in' list holds only literals, not 'customer_id'",
            Error("rule A where agent_id in ('a', customer_id)"));
    }

    [Fact]
    public void Parse_InListWithMixedTypes_IsAnError()
    {
        Assert.Equal("t.rules:1:41: the 'in' list mixes number and text", Error("rule A where duration_seconds in (1, 2, 'x')"));
    }

    [Fact]
    public void Parse_InListOfWrongType_NamesBothTypes()
    {
        Assert.Equal("t.rules:1:27: cannot compare text with number", Error("rule A where agent_id in (1, 2)"));
    }

    [Fact]
    public void Parse_InListWithNull_SuggestsIsNull()
    {
        Assert.Equal("t.rules:1:34: null is not allowed in an 'in' list (test for null with 'is null')",
            Error("rule A where satisfaction in (1, null)"));
    }

    [Fact]
    public void Parse_InOnANonField_IsAnError()
    {
        Assert.Equal("t.rules:1:14: the left side of 'in' must be a field (write FIELD in (LITERAL, ...))",
            Error("rule A where satisfaction + 1 in (1, 2)"));
    }

    [Fact]
    public void Parse_EmptyInList_IsAnError()
    {
        Assert.Equal("t.rules:1:31: an 'in' list needs at least one value", Error("rule A where satisfaction in ()"));
    }

    [Fact]
    public void Parse_IsNullOnANonField_IsAnError()
    {
        Assert.Equal("t.rules:1:14: the left side of 'is null' must be a field", Error("rule A where satisfaction * 2 is null"));
    }

    [Fact]
    public void Parse_NumericAggregateOverText_NamesTheFieldAndItsType()
    {
        Assert.Equal("t.rules:1:37: sum needs a numeric field, but agent_id is text",
            Error("rule A window sliding 1h having sum(agent_id) > 1"));
    }

    [Fact]
    public void Parse_AggregateOverAnExpression_NeedsAField()
    {
        Assert.Equal("t.rules:1:37: the argument of avg must be a field, such as avg(duration_seconds)",
            Error("rule A window sliding 1h having avg(duration_seconds / 60) > 1"));
    }

    [Fact]
    public void Parse_CountOfAField_SuggestsIsNotNull()
    {
        Assert.Equal("t.rules:1:39: count needs a condition (bool), not number (to count the events that have a value, write count(satisfaction is not null))",
            Error("rule A window sliding 1h having count(satisfaction) > 1"));
    }

    [Fact]
    public void Parse_StarOutsideCount_IsAnError()
    {
        Assert.Equal("t.rules:1:37: '*' is only allowed in count(*) (sum needs a field)", Error("rule A window sliding 1h having sum(*) > 1"));
    }

    [Fact]
    public void Parse_AggregateWithoutArgument_SaysWhatItNeeds()
    {
        Assert.Equal("t.rules:1:39: count needs an argument: count(*) or count(condition)", Error("rule A window sliding 1h having count() > 1"));
    }

    [Fact]
    public void Parse_UnknownFunction_ListsTheAggregates()
    {
        Assert.Equal("t.rules:1:33: unknown function 'median' (the aggregates are count, rate, sum, avg, min, max and distinct)",
            Error("rule A window sliding 1h having median(duration_seconds) > 1"));
    }

    [Fact]
    public void Parse_ChainedComparison_SuggestsAnd()
    {
        Assert.Equal("t.rules:1:31: comparisons cannot be chained: unexpected '<' (combine comparisons with 'and')",
            Error("rule A where 1 < satisfaction < 4"));
    }

    [Fact]
    public void Parse_IsWithoutNull_IsAnError()
    {
        Assert.Equal("t.rules:1:34: expected 'null' after 'is not', found '5'", Error("rule A where satisfaction is not 5"));
    }

    [Fact]
    public void Parse_UnexpectedCharacter_GivesAHint()
    {
        Assert.Equal("t.rules:1:19: unexpected character '&' (write 'and')", Error("rule A where true && true"));
    }

    [Fact]
    public void Parse_BangAlone_SuggestsNot()
    {
        Assert.Equal("t.rules:1:14: unexpected character '!' (write 'not' for negation and '!=' for 'not equal')", Error("rule A where !true"));
    }

    [Fact]
    public void Parse_AttributesWithoutName_IsAnError()
    {
        Assert.Equal("t.rules:1:25: expected an attribute name after 'attributes.' (attribute names use letters, digits and '_', not starting with a digit)",
            Error("rule A where attributes.1 = 'x'"));
    }

    [Fact]
    public void Parse_NegativeWindow_MustBePositive()
    {
        Assert.Equal("t.rules:1:23: the window length must be positive", Error("rule A window sliding -1h having count(*) > 1"));
    }

    [Fact]
    public void Parse_ZeroSuppression_MustBePositive()
    {
        Assert.Equal("t.rules:1:17: the suppression period must be positive", Error("rule A suppress 0s"));
    }

    [Fact]
    public void Parse_EmptyText_GivesAnEmptyRuleSet()
    {
        Assert.Empty(Valid(""));
        Assert.Empty(Valid("  \n\t\r\n"));
        Assert.Empty(Valid("# only a comment\n# and another"));
    }

    [Fact]
    public void Parse_ErrorsInSeveralRulesAndClauses_AreAllReportedAtOnce()
    {
        string text = """
            rule A
              where agnet_id = 'x'
              severity fatal

            rule B
              where duration_seconds > 'long'
              window sliding 1h

            rule C
              where (outcome = 'failed'
              message 'x {y}'

            rule A
              severity info
            """;
        Assert.Equal(
            [
                "t.rules:2:9: unknown field 'agnet_id' (did you mean 'agent_id'?)",
                "t.rules:3:12: unknown severity 'fatal' (expected one of info, warning, critical)",
                "t.rules:6:9: cannot compare number with text",
                "t.rules:7:3: 'window' requires a 'having' clause (a windowed rule alerts when its having condition holds over the window)",
                "t.rules:11:3: expected ')', found 'message' (the '(' at 10:9 is not closed)",
                "t.rules:11:14: unknown placeholder '{y}' in message (a placeholder is a field such as {agent_id} or {attributes.region}, {key}, {rule}, or an aggregate of 'having' such as {count(*)})",
                "t.rules:13:6: duplicate rule name 'A' (first defined at t.rules:1:6)",
            ],
            Errors(text));
    }

    [Fact]
    public void Parse_FileWithOneBadRule_YieldsNoRuleSet()
    {
        var result = RuleText.Parse("rule Good where true\nrule Bad where 1", FileName);
        Assert.False(result.Succeeded);
        Assert.Null(result.RuleSet);
        Assert.Equal("t.rules:2:16: 'where' needs a condition (bool), not number", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Parse_TabsAndWideCharacters_CountAsOneColumn()
    {
        // The emoji is a surrogate pair: one column.
        Assert.Equal("t.rules:2:14: unknown field 'agnet_id' (did you mean 'agent_id'?)",
            Error("rule A\n\twhere '\U0001F600' = agnet_id"));
    }

    [Fact]
    public void Parse_CarriageReturnLineEndings_CountLines()
    {
        Assert.Equal("t.rules:3:9: unknown field 'x1' (did you mean 'attributes.x1'? The fields are interaction_id, customer_id, agent_id, channel, outcome, start_time, duration_seconds, satisfaction and attributes.NAME)",
            Error("rule A\r\n  severity info\r  where x1 = 'a'"));
    }

    [Fact]
    public void Parse_ForgedErrorLineInAString_IsEscapedInOneLine()
    {
        const string Allowed = "(allowed: email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call'))";
        var errors = Errors("rule R where channel = 'x\n/etc/passwd:1:1: forged\u001b[2J'\nrule S where outcome = \"\u001b]0;title\u0007\r\u009b2J\"");
        Assert.Equal(
            [
                "t.rules:1:24: unknown channel 'x\\n/etc/passwd:1:1: forged\\u001b[2J' " + Allowed,
                "t.rules:3:24: unknown outcome '\\u001b]0;title\\u0007\\r\\u009b2J' (allowed: resolved, failed, problematic)",
            ],
            errors);
        Assert.All(errors, EscapingAssert.IsOneCleanLine);
    }

    [Fact]
    public void Parse_ControlCharactersInPlaceholdersNamesAndFileName_AreEscapedInOneLine()
    {
        var result = RuleText.Parse(
            "rule R message 'Hi {agent\n/etc/passwd:1:1: forged}'\nrule S where \u202eattributes.x = 'a'\nrule T where \u009b = 1\nrule U where channel = 'a\u2028b'",
            "evil\n/etc/passwd:9:9: forged\u001b[2J.rules");
        var errors = result.Diagnostics.Select(d => d.ToString()).ToArray();
        Assert.Equal(
            [
                "evil\\n/etc/passwd:9:9: forged\\u001b[2J.rules:1:20: unknown placeholder '{agent\\n/etc/passwd:1:1: forged}' in message (a placeholder is a field such as {agent_id} or {attributes.region}, {key}, {rule}, or an aggregate of 'having' such as {count(*)})",
                "evil\\n/etc/passwd:9:9: forged\\u001b[2J.rules:3:14: unexpected character '\\u202e'",
                "evil\\n/etc/passwd:9:9: forged\\u001b[2J.rules:4:14: unexpected character 'U+009B'",
                "evil\\n/etc/passwd:9:9: forged\\u001b[2J.rules:5:24: unknown channel 'a\\u2028b' (allowed: email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call'))",
            ],
            errors);
        Assert.All(errors, EscapingAssert.IsOneCleanLine);
        var ex = Assert.Throws<RuleParseException>(result.GetRuleSetOrThrow);
        Assert.Equal(errors.Length + 1, ex.Message.Split(Environment.NewLine).Length);
        Assert.All(ex.Message.Split(Environment.NewLine), EscapingAssert.IsOneCleanLine);
    }

    [Fact]
    public void Parse_MutatedRuleFiles_GiveOnlyOneLineBoundedErrors()
    {
        string[] hostile =
        [
            "\n/etc/passwd:1:1: forged\n", "\u001b[2J", "\u001b]0;title\u0007", "\r", "\t", "\u0085", "\u009b31m", "\u007f",
            "\u2028", "\u2029", "\u202e", "\u2066", "\ud800", "'", "\"", "{", "}", "attributes.", new string('n', 5000), "\\",
        ];
        var random = new Random(16);
        int diagnostics = 0;
        for (int round = 0; round < 300; round++)
        {
            var text = new System.Text.StringBuilder(DefaultRules.Text);
            for (int i = random.Next(1, 8); i > 0; i--)
                text.Insert(random.Next(text.Length + 1), hostile[random.Next(hostile.Length)]);
            var result = RuleText.Parse(text.ToString(), "mutated\u001b[2J\n.rules");
            foreach (var d in result.Diagnostics)
            {
                string line = d.ToString();
                EscapingAssert.IsOneCleanLine(line);
                Assert.True(line.Length < 1500, line);
                diagnostics++;
            }
        }
        Assert.True(diagnostics > 300, $"only {diagnostics} diagnostics: the mutations hardly broke the rules");
    }
}
