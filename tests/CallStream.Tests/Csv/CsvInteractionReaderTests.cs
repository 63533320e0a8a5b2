using System.Text;
using CallStream.Csv;
using static CallStream.Tests.Csv.CsvTestInput;

namespace CallStream.Tests.Csv;

public class CsvInteractionReaderTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 9, 15, 0, TimeSpan.Zero);

    // ---- valid input -------------------------------------------------------------------------------------------

    [Fact]
    public void Read_ValidRow_MapsEveryField()
    {
        var result = Read(Lines(Header, "i-1,c-9,a-7,Chat,2024-03-01T09:15:00Z,312.5,Problematic,5,north"));

        var i = Assert.Single(result.Interactions);
        Assert.Equal("i-1", i.InteractionId);
        Assert.Equal("c-9", i.CustomerId);
        Assert.Equal("a-7", i.AgentId);
        Assert.Equal(Channel.Chat, i.Channel);
        Assert.Equal(T0, i.StartTime);
        Assert.Equal(312.5, i.DurationSeconds);
        Assert.Equal(Outcome.Problematic, i.Outcome);
        Assert.Equal(5, i.Satisfaction);
        Assert.Equal("north", i.Attributes["queue"]);
        Assert.Single(i.Attributes);
        Assert.Equal((1, 1, 0), (result.Read, result.Accepted, result.Rejected));
    }

    [Fact]
    public void Read_EmptySatisfaction_IsNull()
    {
        var i = Assert.Single(Read(Lines(Header, Row("i-1", satisfaction: ""))).Interactions);
        Assert.Null(i.Satisfaction);
    }

    [Fact]
    public void Read_WithoutSatisfactionColumn_ReadsNullSatisfaction()
    {
        var result = Read(Lines("interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome", "i,c,a,email,2024-03-01T09:15:00Z,0,resolved"));
        Assert.Null(Assert.Single(result.Interactions).Satisfaction);
    }

    [Fact]
    public void Read_EmptyAttributeCell_IsAbsent_WhileOtherTextIsKeptVerbatim()
    {
        var result = Read(Lines(Header + ",note", Row("i-1", queue: "") + ",  spaced  ", Row("i-2", queue: "q") + ","));

        Assert.False(result.Interactions[0].Attributes.ContainsKey("queue"));
        Assert.Equal("  spaced  ", result.Interactions[0].Attributes["note"]);
        Assert.Equal("q", result.Interactions[1].Attributes["queue"]);
        Assert.False(result.Interactions[1].Attributes.ContainsKey("note"));
    }

    [Fact]
    public void Read_ContractFields_AreTrimmed()
    {
        var i = Assert.Single(Read(Lines(Header, " i-1 , c-1 , a-1 , voice , 2024-03-01T09:15:00Z , 60 , resolved , 4 ,q")).Interactions);
        Assert.Equal(("i-1", "c-1", "a-1", 4), (i.InteractionId, i.CustomerId, i.AgentId, i.Satisfaction));
    }

    [Fact]
    public void Read_Utf8ByteOrderMark_IsIgnored()
    {
        using var stream = Utf8Stream(Lines(Header, Row("i-1")), bom: true);
        using var reader = new CsvInteractionReader(stream);
        var i = Assert.Single(reader.ReadAll());
        Assert.Equal("i-1", i.InteractionId);
        Assert.Equal("interaction_id", reader.Columns[0]);
    }

    [Fact]
    public void Read_ByteOrderMarkCharacterFromTextReader_IsIgnored()
    {
        var i = Assert.Single(Read("\uFEFF" + Lines(Header, Row("i-1"))).Interactions);
        Assert.Equal("i-1", i.InteractionId);
    }

    [Fact]
    public void Read_HeaderNames_MatchIgnoringCaseAndSurroundingSpaceInAnyOrder()
    {
        var result = Read(Lines(
            " Outcome ,QUEUE,Duration_Seconds,Start_Time,CHANNEL,Agent_ID,Customer_Id,Interaction_Id",
            "failed,north,12,2024-03-01T09:15:00Z,email,a,c,i"));

        var i = Assert.Single(result.Interactions);
        Assert.Equal(("i", "c", "a", Channel.Email, Outcome.Failed, 12.0), (i.InteractionId, i.CustomerId, i.AgentId, i.Channel, i.Outcome, i.DurationSeconds));
        Assert.Equal("north", i.Attributes["QUEUE"]);
    }

    [Fact]
    public void Read_ColumnMap_ReadsRenamedColumns()
    {
        var options = new CsvReaderOptions { ColumnMap = { ["Call_Duration"] = "duration_seconds", ["ticket"] = "interaction_id", ["q"] = "queue" } };
        var result = Read(
            Lines("ticket,customer_id,agent_id,channel,start_time,call_duration,outcome,q", "t-1,c,a,phone,2024-03-01T09:15:00Z,42.25,resolved,vip"),
            options);

        var i = Assert.Single(result.Interactions);
        Assert.Equal("t-1", i.InteractionId);
        Assert.Equal(42.25, i.DurationSeconds);
        Assert.Equal("vip", i.Attributes["queue"]);
        Assert.False(i.Attributes.ContainsKey("q"));
    }

    [Fact]
    public void Read_QuotedFields_KeepEmbeddedCommasQuotesAndNewLines()
    {
        var result = Read(Lines(
            Header + ",note",
            "\"i,1\",\"c \"\"quoted\"\"\",a,voice,2024-03-01T09:15:00Z,60,resolved,4,\"\",\"line one\nline two\r\nline three\""));

        var i = Assert.Single(result.Interactions);
        Assert.Equal("i,1", i.InteractionId);
        Assert.Equal("c \"quoted\"", i.CustomerId);
        Assert.False(i.Attributes.ContainsKey("queue"));
        Assert.Equal("line one\nline two\r\nline three", i.Attributes["note"]);
    }

    [Fact]
    public void Read_TwoQuotedFieldsWithEscapes_KeepTheirOwnValues()
    {
        var i = Assert.Single(Read(Lines(Header, "\"i\"\"1\",\"c\"\"2\",\"a\"\"3\",voice,2024-03-01T09:15:00Z,60,resolved,4,\"q\"\"4\"")).Interactions);
        Assert.Equal(("i\"1", "c\"2", "a\"3", "q\"4"), (i.InteractionId, i.CustomerId, i.AgentId, i.Attributes["queue"]));
    }

    [Fact]
    public void Read_QuoteInsideUnquotedField_IsLiteral()
    {
        var i = Assert.Single(Read(Lines(Header, "i-1,c,a,voice,2024-03-01T09:15:00Z,60,resolved,4,5\" screen")).Interactions);
        Assert.Equal("5\" screen", i.Attributes["queue"]);
    }

    [Theory]
    [InlineData("2024-03-01T09:15:00Z", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T11:15:00+02:00", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T03:45:00-0530", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01T09:15:00", "2024-03-01T09:15:00Z")]
    [InlineData("2024-03-01 09:15:00.250", "2024-03-01T09:15:00.25Z")]
    [InlineData("2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00Z")]
    public void Read_StartTime_IsNormalisedToUtc(string written, string expected)
    {
        var i = Assert.Single(Read(Lines(Header, Row("i", start: written))).Interactions);
        Assert.Equal(expected, Iso8601.Format(i.StartTime));
        Assert.Equal(TimeSpan.Zero, i.StartTime.Offset);
    }

    [Theory]
    [InlineData("voice", Channel.Voice)]
    [InlineData("Voice Call", Channel.Voice)]
    [InlineData("PHONE", Channel.Voice)]
    [InlineData("call", Channel.Voice)]
    [InlineData("video call", Channel.Video)]
    [InlineData("Video", Channel.Video)]
    [InlineData("EMAIL", Channel.Email)]
    [InlineData(" chat ", Channel.Chat)]
    public void Read_ChannelNamesAndAliases_AreAccepted(string written, Channel expected) =>
        Assert.Equal(expected, Assert.Single(Read(Lines(Header, Row("i", channel: written))).Interactions).Channel);

    [Theory]
    [InlineData("RESOLVED", Outcome.Resolved)]
    [InlineData("Failed", Outcome.Failed)]
    [InlineData("problematic", Outcome.Problematic)]
    public void Read_OutcomeNames_IgnoreCase(string written, Outcome expected) =>
        Assert.Equal(expected, Assert.Single(Read(Lines(Header, Row("i", outcome: written))).Interactions).Outcome);

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("1.5", 1.5)]
    [InlineData(" 3600 ", 3600.0)]
    [InlineData("1e3", 1000.0)]
    [InlineData("-0", 0.0)]
    public void Read_Duration_AcceptsInvariantNumbers(string written, double expected)
    {
        var i = Assert.Single(Read(Lines(Header, Row("i", duration: written))).Interactions);
        Assert.Equal(expected, i.DurationSeconds);
        Assert.False(double.IsNegative(i.DurationSeconds));
    }

    [Fact]
    public void Read_Durations_AreTheDoublesDoubleParseGives()
    {
        var rng = new Random(5);
        var written = new List<string>();
        for (int n = 0; n < 3000; n++)
        {
            string digits = new(Enumerable.Range(0, rng.Next(1, 19)).Select(_ => (char)('0' + rng.Next(10))).ToArray());
            int point = rng.Next(-1, digits.Length);
            written.Add(point <= 0 ? digits : digits[..point] + "." + digits[point..]);
        }
        written.AddRange(["0", "0.0", "000123.4500", "1.", ".5", "1e3", "999999999999999", "9999999999999999", "0.1", "0.3", "123456789012345.6", "4.35", "2.675"]);

        var result = Read(Lines([Header, .. written.Select((d, n) => Row($"i-{n}", duration: d))]));

        Assert.Empty(result.Rejections);
        Assert.Equal(
            written.Select(d => BitConverter.DoubleToInt64Bits(double.Parse(d, System.Globalization.CultureInfo.InvariantCulture))),
            result.Interactions.Select(i => BitConverter.DoubleToInt64Bits(i.DurationSeconds)));
    }

    [Fact]
    public void Read_RepeatedAttributeValues_ShareOneAttributeMap_AndKeepTheirOwnValues()
    {
        string longNote = new('n', 100);
        var result = Read(Lines(
            Header + ",note",
            Row("i-1", queue: "north") + ",a",
            Row("i-2", queue: "south") + ",a",
            Row("i-3", queue: "north") + ",a",
            Row("i-4", queue: "north") + ",",
            Row("i-5", queue: "north") + "," + longNote,
            Row("i-6", queue: "north") + "," + longNote));

        var i = result.Interactions;
        Assert.Same(i[0].Attributes, i[2].Attributes);
        Assert.NotSame(i[0].Attributes, i[1].Attributes);
        Assert.Equal([new("queue", "north"), new("note", "a")], i[0].Attributes);
        Assert.Equal([new("queue", "south"), new("note", "a")], i[1].Attributes);
        Assert.Equal([new("queue", "north")], i[3].Attributes);
        Assert.Equal([new("queue", "north"), new("note", longNote)], i[4].Attributes);
        Assert.Equal(i[4].Attributes, i[5].Attributes);
    }

    [Fact]
    public void Read_ChannelAndOutcomeSpellings_AreEachReadTheirOwnWay()
    {
        string[] channels = ["voice", "Voice Call", "PHONE", "chat", "video call", "Video", "email", "call", "voice", "EMAIL", "chat", "video"];
        string[] outcomes = ["resolved", "FAILED", "Problematic", "failed", "RESOLVED", "problematic"];
        var rows = Enumerable.Range(0, 40).Select(n => Row($"i-{n}", channel: channels[n % channels.Length], outcome: outcomes[n % outcomes.Length]));

        var result = Read(Lines([Header, .. rows, Row("i-x", channel: "fax"), Row("i-y", outcome: "done")]));

        for (int n = 0; n < 40; n++)
        {
            Assert.True(WireNames.TryParseChannel(channels[n % channels.Length], out var channel));
            Assert.True(WireNames.TryParseOutcome(outcomes[n % outcomes.Length], out var outcome));
            Assert.Equal((channel, outcome), (result.Interactions[n].Channel, result.Interactions[n].Outcome));
        }
        Assert.Equal([4, 7], result.Rejections.Select(r => r.Column));
    }

    [Fact]
    public void Read_LineEndings_CrLfAndLoneCr_AreRowBreaks()
    {
        string csv = Header + "\r\n" + Row("i-1") + "\r" + Row("i-2") + "\r\n" + Row("i-3", duration: "x") + "\n";
        var result = Read(csv);
        Assert.Equal(["i-1", "i-2"], result.Interactions.Select(i => i.InteractionId));
        Assert.Equal(4, Assert.Single(result.Rejections).Line);
    }

    [Fact]
    public void Read_BlankLines_AreSkippedButCounted()
    {
        var result = Read("\n\r\n" + Lines(Header, "", Row("i-1"), "", "", Row("i-2", duration: "-1"), Row("i-3")) + "\n");

        Assert.Equal(["i-1", "i-3"], result.Interactions.Select(i => i.InteractionId));
        Assert.Equal(8, Assert.Single(result.Rejections).Line);
        Assert.Equal((3, 2, 1), (result.Read, result.Accepted, result.Rejected));
    }

    [Fact]
    public void Read_LastRowWithoutLineEnding_IsRead()
    {
        var result = Read(Header + "\n" + Row("i-1") + "\n" + Row("i-2"));
        Assert.Equal(["i-1", "i-2"], result.Interactions.Select(i => i.InteractionId));
    }

    [Fact]
    public void Read_HeaderOnly_ReadsNothing()
    {
        var result = Read(Header);
        Assert.Empty(result.Interactions);
        Assert.Equal((0, 0, 0), (result.Read, result.Accepted, result.Rejected));
    }

    [Fact]
    public void Read_OtherDelimiter_IsUsed()
    {
        var options = new CsvReaderOptions { Delimiter = ';' };
        var i = Assert.Single(Read(Lines(Header.Replace(',', ';'), "i;c;a;voice;2024-03-01T09:15:00Z;1.5;resolved;;\"x;y\""), options).Interactions);
        Assert.Equal("x;y", i.Attributes["queue"]);
        Assert.Equal(1.5, i.DurationSeconds);
    }

    [Fact]
    public void Read_FromPath_OpensTheFileOnFirstRead()
    {
        string path = Path.Combine(Path.GetTempPath(), $"callstream-{Guid.NewGuid():N}.csv");
        var reader = new CsvInteractionReader(path);
        try
        {
            File.WriteAllText(path, Lines(Header, Row("i-1"), Row("i-2")), new UTF8Encoding(true));
            var ids = reader.ReadAll().Select(i => i.InteractionId).ToList();
            Assert.Equal(["i-1", "i-2"], ids);
            Assert.Equal(path, reader.SourceName);
        }
        finally
        {
            reader.Dispose();
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_MissingFile_ThrowsOnFirstRead()
    {
        using var reader = new CsvInteractionReader(Path.Combine(Path.GetTempPath(), $"callstream-missing-{Guid.NewGuid():N}.csv"));
        Assert.Throws<FileNotFoundException>(() => reader.Read());
    }

    // ---- file-level errors -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    [InlineData("\uFEFF")]
    public void Read_EmptyInput_ThrowsHeaderException(string csv)
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read(csv));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("test.csv:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateHeader_ThrowsWithBothColumns()
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read(Lines(Header + ",Queue", Row("i"))));
        Assert.Equal((1L, 10), (ex.Line, ex.Column));
        Assert.Equal("test.csv:1:10: duplicate header 'Queue': columns 9 and 10 have the same name (names are compared ignoring case).", ex.Message);
    }

    [Fact]
    public void Read_MissingRequiredColumn_SuggestsNearestHeaderAndTheColumnMap()
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read(Lines(
            "interaction_id,customer_id,agent_id,channel,start_time,call_duration,outcome", "i,c,a,voice,2024-03-01T09:15:00Z,60,resolved")));

        Assert.Equal((1L, 6), (ex.Line, ex.Column));
        Assert.StartsWith("test.csv:1:6: required column 'duration_seconds' is missing; did you mean 'call_duration' (column 6)?", ex.Message, StringComparison.Ordinal);
        Assert.Contains("column map (call_duration -> duration_seconds)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("StartTime", "start_time")]
    [InlineData("agent", "agent_id")]
    [InlineData("cust_id", "customer_id")]
    [InlineData("chanel", "channel")]
    public void Read_MissingRequiredColumn_FindsLookalikes(string header, string wanted)
    {
        string line = string.Join(',', CsvColumns.Required.Select(c => c == wanted ? header : c));
        var ex = Assert.Throws<CsvHeaderException>(() => Read(Lines(line)));
        Assert.Contains($"required column '{wanted}' is missing; did you mean '{header}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingRequiredColumnsWithoutLookalike_ListsThemAndTheHeader()
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read(Lines("interaction_id,customer_id,agent_id,channel,start_time,zzz", "i,c,a,voice,2024-03-01T09:15:00Z,1")));
        Assert.Equal(1, ex.Column);
        Assert.Equal(
            "test.csv:1:1: required column 'duration_seconds' is missing; required column 'outcome' is missing. The header has: interaction_id, customer_id, agent_id, channel, start_time, zzz.",
            ex.Message);
    }

    [Fact]
    public void Read_EmptyHeaderName_Throws()
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read(Lines(Header + ",", Row("i") + ",")));
        Assert.Equal(10, ex.Column);
        Assert.Contains("column 10 has no name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ColumnMapOntoAnExistingColumn_Throws()
    {
        var options = new CsvReaderOptions { ColumnMap = { ["call_duration"] = "duration_seconds" } };
        var ex = Assert.Throws<CsvHeaderException>(() => Read(Lines(Header + ",call_duration", Row("i") + ",5"), options));
        Assert.Equal(10, ex.Column);
        Assert.Contains("column 'call_duration' is read as 'duration_seconds', which column 6 ('duration_seconds') already provides", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderWithUnclosedQuote_Throws()
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read("interaction_id,\"customer_id\n"));
        Assert.Equal((1L, 2), (ex.Line, ex.Column));
        Assert.Contains("never closed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderWithLineBreakInName_Throws()
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read(Lines("\"interaction\nid\",customer_id", "i,c")));
        Assert.Equal(1, ex.Column);
        Assert.Contains("contains a line break", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderLongerThanTheLimit_Throws()
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read(Lines(Header + ",note", Row("i") + ",x"), new CsvReaderOptions { MaxRowLength = 50 }));
        Assert.Contains("longer than 50 characters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderAfterBlankLines_IsLocatedOnItsLine()
    {
        var ex = Assert.Throws<CsvHeaderException>(() => Read("\n\n" + Lines(Header + ",queue")));
        Assert.Equal(3, ex.Line);
    }

    [Fact]
    public async Task Read_AfterAHeaderError_ThrowsTheSameErrorAgain()
    {
        using var reader = new CsvInteractionReader(new StringReader(Lines("a,b", "1,2")));
        var first = Assert.Throws<CsvHeaderException>(() => reader.Read());
        Assert.Same(first, Assert.Throws<CsvHeaderException>(() => reader.Read()));
        Assert.Same(first, await Assert.ThrowsAsync<CsvHeaderException>(async () => await reader.ReadAsync(TestContext.Current.CancellationToken)));
        Assert.Equal((1L, 1, "input"), (first.Line, first.Column, first.SourceName));
    }

    [Fact]
    public void CsvHeaderException_StandardConstructors_KeepTheMessage()
    {
        Assert.Equal("m", new CsvHeaderException("m").Reason);
        Assert.Equal("m", new CsvHeaderException("m", new InvalidOperationException()).Message);
        Assert.NotEmpty(new CsvHeaderException().Message);
        Assert.Equal("f.csv:3:4: why", new CsvHeaderException("f.csv", 3, 4, "why").Message);
    }

    // ---- row rejections ----------------------------------------------------------------------------------------

    public static TheoryData<string, int, string?, string?, string> BadRows => new()
    {
        { "i,c,,voice,2024-03-01T09:15:00Z,60,resolved,4,q", 3, "agent_id", null, "is required but empty." },
        { " ,c,a,voice,2024-03-01T09:15:00Z,60,resolved,4,q", 1, "interaction_id", null, "is required but empty." },
        { "i,c,a,voice,,60,resolved,4,q", 5, "start_time", null, "is required but empty." },
        { "i,c,a,voice,yesterday,60,resolved,4,q", 5, "start_time", "yesterday", "not an ISO-8601 instant" },
        { "i,c,a,voice,2024-02-30T09:15:00Z,60,resolved,4,q", 5, "start_time", "2024-02-30T09:15:00Z", "not an ISO-8601 instant" },
        { "i,c,a,voice,2024-03-01T09:15:00Z,sixty,resolved,4,q", 6, "duration_seconds", "sixty", "not a number of seconds" },
        { "i,c,a,voice,2024-03-01T09:15:00Z,\"1,5\",resolved,4,q", 6, "duration_seconds", "1,5", "not a number of seconds" },
        { "i,c,a,voice,2024-03-01T09:15:00Z,NaN,resolved,4,q", 6, "duration_seconds", "NaN", "must be a finite number of seconds." },
        { "i,c,a,voice,2024-03-01T09:15:00Z,-5,resolved,4,q", 6, "duration_seconds", "-5", "must not be negative." },
        { "i,c,a,fax,2024-03-01T09:15:00Z,60,resolved,4,q", 4, "channel", "fax", "unknown channel; allowed: email, chat, voice" },
        { "i,c,a,voice,2024-03-01T09:15:00Z,60,done,4,q", 7, "outcome", "done", "unknown outcome; allowed: resolved, failed, problematic." },
        { "i,c,a,voice,2024-03-01T09:15:00Z,60,resolved,6,q", 8, "satisfaction", "6", "must be an integer from 1 to 5, or empty." },
        { "i,c,a,voice,2024-03-01T09:15:00Z,60,resolved,0,q", 8, "satisfaction", "0", "must be an integer from 1 to 5, or empty." },
        { "i,c,a,voice,2024-03-01T09:15:00Z,60,resolved,4.5,q", 8, "satisfaction", "4.5", "must be an integer from 1 to 5, or empty." },
        { "i,c,a,voice,2024-03-01T09:15:00Z,60,resolved,4", 9, "queue", null, "the row has 8 fields but the header has 9." },
        { "i,c,a,voice,2024-03-01T09:15:00Z,60,resolved,4,q,extra", 10, null, null, "the row has 10 fields but the header has 9." },
        { "i,c,a,voice,2024-03-01T09:15:00Z,60,resolved,4,\"q\"x", 9, "queue", "\"q\"x", "a quoted field must end with its closing quote" },
        { "i,c,a,voice,2024-03-01T09:15:00Z,60,\"resolved\" ,4,q", 7, "outcome", "\"resolved\" ", "a quoted field must end with its closing quote" },
        { "\0i,c,a,voice,2024-03-01T09:15:00Z,60,resolved,4,q", 1, null, null, "the row starts with a NUL character" },
    };

    [Fact]
    public void Read_RowWithFourBadFields_IsOneRejectionReportingEveryBadFieldWithItsColumnAndReason()
    {
        string row = "i,c,a,fax,yesterday,-5,done,4,q";
        foreach (int chunk in new[] { 0, 1, 3 })
        {
            var result = Read(Lines(Header, Row("i-1"), row, Row("i-3")), chunk: chunk);

            Assert.Equal(["i-1", "i-3"], result.Interactions.Select(i => i.InteractionId));
            var rejection = Assert.Single(result.Rejections);
            Assert.Equal((3, 2, 1), (result.Read, result.Accepted, result.Rejected));
            Assert.Equal(
                [(4, "channel", "fax"), (5, "start_time", "yesterday"), (6, "duration_seconds", "-5"), (7, "outcome", "done")],
                rejection.Problems.Select(p => (p.Column, p.Field, p.Value)));
            Assert.StartsWith("unknown channel", rejection.Problems[0].Reason, StringComparison.Ordinal);
            Assert.StartsWith("not an ISO-8601 instant", rejection.Problems[1].Reason, StringComparison.Ordinal);
            Assert.Equal("must not be negative.", rejection.Problems[2].Reason);
            Assert.StartsWith("unknown outcome", rejection.Problems[3].Reason, StringComparison.Ordinal);
            Assert.Equal((4, "channel", "fax", rejection.Problems[0].Reason), (rejection.Column, rejection.Field, rejection.Value, rejection.Reason));
            Assert.Equal(Lines(Header, row), result.RejectsOutput);
            string line = rejection.ToString();
            Assert.StartsWith("test.csv:3:4: field 'channel' value 'fax': unknown channel", line, StringComparison.Ordinal);
            Assert.Contains(" Also column 5: field 'start_time' value 'yesterday': not an ISO-8601 instant", line, StringComparison.Ordinal);
            Assert.Contains(" Also column 6: field 'duration_seconds' value '-5': must not be negative.", line, StringComparison.Ordinal);
            Assert.EndsWith(" Also column 7: field 'outcome' value 'done': unknown outcome; allowed: resolved, failed, problematic.", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Read_BadFieldsInColumnsOutOfContractOrder_AreReportedInColumnOrder()
    {
        const string Reordered = "outcome,satisfaction,interaction_id,customer_id,agent_id,channel,start_time,duration_seconds";
        var result = Read(Lines(Reordered, "done,9,i,,a,voice,2024-03-01T09:15:00Z,60"));

        var rejection = Assert.Single(result.Rejections);
        Assert.Equal([1, 2, 4], rejection.Problems.Select(p => p.Column));
        Assert.Equal((1, "outcome"), (rejection.Column, rejection.Field));
        Assert.Equal("is required but empty.", rejection.Problems[2].Reason);
    }

    [Theory]
    [MemberData(nameof(BadRows))]
    public void Read_BadRow_IsRejectedWithLocationFieldValueAndReason_AndNeighboursAreRead(string row, int column, string? field, string? value, string reason)
    {
        foreach (int chunk in new[] { 0, 1, 3 })
        {
            var result = Read(Lines(Header, Row("i-1"), row, Row("i-3")), chunk: chunk);

            Assert.Equal(["i-1", "i-3"], result.Interactions.Select(i => i.InteractionId));
            var rejection = Assert.Single(result.Rejections);
            Assert.Equal(("test.csv", 3L, column, field, value), (rejection.Source, rejection.Line, rejection.Column, rejection.Field, rejection.Value));
            Assert.StartsWith(reason, rejection.Reason, StringComparison.Ordinal);
            Assert.Equal(row, rejection.RawText);
            var only = Assert.Single(rejection.Problems);
            Assert.Equal((column, field, value, rejection.Reason), (only.Column, only.Field, only.Value, only.Reason));
            Assert.Equal((3, 2, 1), (result.Read, result.Accepted, result.Rejected));
            Assert.Equal(Lines(Header, row), result.RejectsOutput);
        }
    }

    [Fact]
    public void Read_Rejection_FormatsAsFileLineColumn()
    {
        var rejection = Assert.Single(Read(Lines(Header, Row("i-1", duration: "-5"))).Rejections);
        Assert.Equal("test.csv:2:6: field 'duration_seconds' value '-5': must not be negative.", rejection.ToString());
    }

    [Fact]
    public void Read_QuotedNewLines_LaterRowsKeepTheirPhysicalLineNumbers()
    {
        string csv = Lines(
            Header + ",note",
            Row("i-1") + ",\"two\nlines\"",          // lines 2-3
            Row("i-2", duration: "x") + ",plain",    // line 4
            Row("i-3") + ",\"three\r\nlines\r\nhere\"", // lines 5-7
            Row("i-4", outcome: "?") + ",\"a\nb\"",  // lines 8-9
            Row("i-5", satisfaction: "9") + ",c");   // line 10

        foreach (int chunk in new[] { 0, 1, 2, 5 })
        {
            var result = Read(csv, chunk: chunk);
            Assert.Equal(["i-1", "i-3"], result.Interactions.Select(i => i.InteractionId));
            Assert.Equal([4L, 8L, 10L], result.Rejections.Select(r => r.Line));
            Assert.Equal("i-4,c-i-4,a-1,voice,2024-03-01T09:15:00Z,60,?,4,billing,\"a\nb\"", result.Rejections[1].RawText);
        }
    }

    [Fact]
    public void Read_LoneCarriageReturnInsideQuotes_CountsAsALine()
    {
        var result = Read(Lines(Header + ",note", Row("i-1") + ",\"a\rb\"", Row("i-2", duration: "x") + ",c"));
        Assert.Equal("a\rb", result.Interactions[0].Attributes["note"]);
        Assert.Equal(4, Assert.Single(result.Rejections).Line);
    }

    [Fact]
    public void Read_OversizedRow_IsRejectedWithoutBeingHeld_AndTheFollowingRowsAreRead()
    {
        // The long row spans lines 3-6 and is longer than the reader's 64 KiB buffers, so it is skipped in pieces.
        string note = "\"" + new string('x', 100_000) + "\nmore\n" + new string('y', 100_000) + "\nend\"";
        string longRow = Row("i-2") + "," + note;
        string csv = Lines(Header + ",note", Row("i-1") + ",a", longRow, Row("i-3", duration: "bad") + ",b", Row("i-4") + ",c");

        foreach (int chunk in new[] { 0, 7 })
        {
            var result = Read(csv, new CsvReaderOptions { MaxRowLength = 1000 }, chunk);

            Assert.Equal(["i-1", "i-4"], result.Interactions.Select(i => i.InteractionId));
            Assert.Equal(2, result.Rejections.Count);
            var tooLong = result.Rejections[0];
            Assert.Equal((3L, 1, (string?)null), (tooLong.Line, tooLong.Column, tooLong.Field));
            Assert.StartsWith("the row is longer than 1000 characters (CsvReaderOptions.MaxRowLength)", tooLong.Reason, StringComparison.Ordinal);
            Assert.Equal(longRow[..1000], tooLong.RawText);
            Assert.Equal(7, result.Rejections[1].Line);
            Assert.Equal(Lines(Header + ",note", longRow, Row("i-3", duration: "bad") + ",b"), result.RejectsOutput);
            Assert.Equal((4, 2, 2), (result.Read, result.Accepted, result.Rejected));
        }
    }

    [Fact]
    public void Read_RowJustOverTheLimit_IsRejected_AndOneAtTheLimitIsRead()
    {
        string atLimit = Row("i-1", queue: new string('q', 50));
        var options = new CsvReaderOptions { MaxRowLength = atLimit.Length };
        var result = Read(Lines(Header, atLimit, Row("i-2", queue: new string('q', 51)), Row("i-3", queue: new string('q', 50))), options);
        Assert.Equal(["i-1", "i-3"], result.Interactions.Select(i => i.InteractionId));
        Assert.Equal(3, Assert.Single(result.Rejections).Line);
    }

    [Fact]
    public void Read_UnclosedQuote_RejectsOnlyTheRowWhereItStarts()
    {
        string broken = Row("i-2") + ",\"never closed";
        string csv = Lines(Header + ",note", Row("i-1") + ",a", broken, Row("i-3") + ",b", Row("i-4") + ",c");

        var result = Read(csv);

        Assert.Equal(["i-1", "i-3", "i-4"], result.Interactions.Select(i => i.InteractionId));
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal((3L, 10, "note", "\"never closed"), (rejection.Line, rejection.Column, rejection.Field, rejection.Value));
        Assert.Contains("never closed", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal(Lines(Header + ",note", broken), result.RejectsOutput);
    }

    [Fact]
    public void Read_BadRowAtTheVeryEnd_WithoutLineEnding_IsRejectedAndWrittenWithOne()
    {
        var result = Read(Header + "\r\n" + Row("i-1") + "\r\n" + Row("i-2", duration: "x"));
        Assert.Equal(3, Assert.Single(result.Rejections).Line);
        Assert.Equal(Header + "\r\n" + Row("i-2", duration: "x") + "\r\n", result.RejectsOutput);
    }

    [Fact]
    public void Read_ManyBadRowsInARow_AreEachRejected()
    {
        var lines = new List<string> { Header };
        for (int n = 0; n < 500; n++)
            lines.Add(n % 2 == 0 ? Row($"i-{n}", queue: "\"q\"x") : Row($"i-{n}"));
        var result = Read(Lines([.. lines]));
        Assert.Equal(250, result.Interactions.Count);
        Assert.Equal(Enumerable.Range(0, 250).Select(n => (long)(2 + (2 * n))), result.Rejections.Select(r => r.Line));
    }

    // ---- strict mode, observer, rejects ------------------------------------------------------------------------

    [Fact]
    public void Read_StrictMode_ThrowsAtTheFirstBadRowWithItsLocation()
    {
        var observed = new List<InputRejection>();
        var rejects = new StringWriter();
        var options = new CsvReaderOptions { Strict = true, SourceName = "log.csv", OnRejected = observed.Add, Rejects = rejects };
        using var reader = new CsvInteractionReader(new StringReader(Lines(Header, Row("i-1"), Row("i-2", channel: "fax"), Row("i-3"))), options);

        Assert.Equal("i-1", reader.Read()!.InteractionId);
        var ex = Assert.Throws<InputRejectedException>(() => reader.Read());

        Assert.Equal("log.csv:3:4: field 'channel' value 'fax': unknown channel; allowed: email, chat, voice (or 'voice call', 'phone', 'call'), video (or 'video call').", ex.Message);
        Assert.Equal((3L, 4, "channel"), (ex.Rejection!.Line, ex.Rejection.Column, ex.Rejection.Field));
        Assert.Empty(observed);
        Assert.Equal(Lines(Header, Row("i-2", channel: "fax")), rejects.ToString());
        Assert.Equal((2, 1, 1), (reader.RecordsRead, reader.RecordsAccepted, reader.RecordsRejected));
    }

    [Fact]
    public void Read_StrictMode_OversizedRow_Throws()
    {
        var options = new CsvReaderOptions { Strict = true, MaxRowLength = 100 };
        using var reader = new CsvInteractionReader(new StringReader(Lines(Header, Row("i-1", queue: new string('q', 200)))), options);
        var ex = Assert.Throws<InputRejectedException>(() => reader.Read());
        Assert.Equal((2L, 1), (ex.Rejection!.Line, ex.Rejection.Column));
    }

    [Fact]
    public async Task ReadAsync_StrictMode_Throws()
    {
        var options = new CsvReaderOptions { Strict = true };
        await using var reader = new CsvInteractionReader(new StringReader(Lines(Header, Row("i-1", outcome: "x"))), options);
        var ex = await Assert.ThrowsAsync<InputRejectedException>(async () => await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, ex.Rejection!.Line);
    }

    [Fact]
    public void Read_RejectsOutput_KeepsTheHeaderLineEnding()
    {
        var rejects = new StringWriter();
        Read(Header + "\r\n" + Row("i-1", duration: "x") + "\r\n" + Row("i-2", duration: "y") + "\r\n", new CsvReaderOptions { Rejects = rejects });
        Assert.Equal(Header + "\r\n" + Row("i-1", duration: "x") + "\r\n" + Row("i-2", duration: "y") + "\r\n", rejects.ToString());
    }

    [Fact]
    public void Read_NoRejects_WritesNothing()
    {
        var result = Read(Lines(Header, Row("i-1")));
        Assert.Equal("", result.RejectsOutput);
    }

    [Fact]
    public void Read_RejectsOutput_ReadsBackAsTheSameRejections()
    {
        string csv = Lines(Header + ",note", Row("i-1", duration: "-1") + ",\"multi\nline\"", Row("i-2") + ",ok", Row("i-3", channel: "fax") + ",\"x\"\"y\"");
        var first = Read(csv);
        var second = Read(first.RejectsOutput);
        Assert.Equal(first.Rejections.Select(r => (r.Column, r.Field, r.Value, r.Reason, r.RawText)), second.Rejections.Select(r => (r.Column, r.Field, r.Value, r.Reason, r.RawText)));
        Assert.Equal(first.RejectsOutput, second.RejectsOutput);
    }

    // ---- large input, async, cancellation ----------------------------------------------------------------------
    // (reading a large file in constant memory: CsvInteractionReaderMemoryTests)

    [Fact]
    public async Task ReadAllAsync_GivesWhatReadAllGives()
    {
        string note = "\"" + new string('n', 70_000) + "\"";
        string csv = Lines(
            Header + ",note",
            Row("i-1") + ",\"a\nb\"",
            Row("i-2", duration: "x") + ",b",
            Row("i-3") + "," + note,
            Row("i-4") + ",\"c\"d",
            Row("i-5") + ",e");
        var options = () => new CsvReaderOptions { MaxRowLength = 5000 };

        var sync = Read(csv, options());
        var async = await ReadAsync(csv, options());
        var asyncTrickle = await ReadAsync(csv, options(), chunk: 3);

        Assert.Equal(["i-1", "i-5"], sync.Interactions.Select(i => i.InteractionId));
        Assert.Equal([4L, 5L, 6L], sync.Rejections.Select(r => r.Line));
        foreach (var other in new[] { async, asyncTrickle })
        {
            Assert.Equal(sync.Interactions, other.Interactions);
            Assert.Equal(sync.Rejections, other.Rejections);
            Assert.Equal(sync.RejectsOutput, other.RejectsOutput);
        }
    }

    [Fact]
    public async Task ReadAsync_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await using var reader = new CsvInteractionReader(new StringReader(Lines(Header, Row("i-1"))));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadAsync(cts.Token));
    }

    [Fact]
    public void Read_AfterTheEnd_KeepsReturningNull()
    {
        using var reader = new CsvInteractionReader(new StringReader(Lines(Header, Row("i-1"))));
        Assert.NotNull(reader.Read());
        Assert.Null(reader.Read());
        Assert.Null(reader.Read());
    }

    // ---- arguments ---------------------------------------------------------------------------------------------

    [Fact]
    public void Constructor_NullOrEmptyArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => new CsvInteractionReader((string)null!));
        Assert.Throws<ArgumentException>(() => new CsvInteractionReader(""));
        Assert.Throws<ArgumentNullException>(() => new CsvInteractionReader((Stream)null!));
        Assert.Throws<ArgumentNullException>(() => new CsvInteractionReader((TextReader)null!));
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowNamingTheOption()
    {
        var tooSmall = Assert.Throws<ArgumentException>(() => new CsvInteractionReader(new StringReader(""), new CsvReaderOptions { MaxRowLength = 0 }));
        Assert.Contains("MaxRowLength", tooSmall.Message, StringComparison.Ordinal);
        var quote = Assert.Throws<ArgumentException>(() => new CsvInteractionReader(new StringReader(""), new CsvReaderOptions { Delimiter = '"' }));
        Assert.Contains("Delimiter", quote.Message, StringComparison.Ordinal);
        var map = new CsvReaderOptions();
        map.ColumnMap.Add("x", " ");
        var empty = Assert.Throws<ArgumentException>(() => new CsvInteractionReader(new StringReader(""), map));
        Assert.Contains("ColumnMap", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AfterDispose_Throws()
    {
        var reader = new CsvInteractionReader(new StringReader(Lines(Header)));
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.Read());
        Assert.Throws<ObjectDisposedException>(() => reader.ReadAll());
    }

    [Fact]
    public void Dispose_ClosesTheStreamUnlessLeftOpen()
    {
        var owned = Utf8Stream(Lines(Header));
        new CsvInteractionReader(owned).Dispose();
        Assert.False(owned.CanRead);

        var kept = Utf8Stream(Lines(Header, Row("i")));
        using (var reader = new CsvInteractionReader(kept, leaveOpen: true))
            Assert.Single(reader.ReadAll());
        Assert.True(kept.CanRead);
    }
}
