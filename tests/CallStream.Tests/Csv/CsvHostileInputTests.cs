using System.Text;
using CallStream.Csv;
using static CallStream.Tests.Csv.CsvTestInput;

namespace CallStream.Tests.Csv;

/// <summary>Input made to hurt the reader: bytes that are not UTF-8, stray quotes, and headers with too many columns.</summary>
public class CsvHostileInputTests
{
    private static byte[] Bytes(params object[] parts)
    {
        var bytes = new List<byte>();
        foreach (var part in parts)
        {
            if (part is string text)
                bytes.AddRange(Encoding.UTF8.GetBytes(text));
            else
                bytes.AddRange((byte[])part);
        }
        return [.. bytes];
    }

    private static async Task<CsvReadResult> ReadBytes(byte[] bytes, bool async, CsvReaderOptions? options = null, int chunk = 0)
    {
        options ??= new CsvReaderOptions();
        var rejections = new List<InputRejection>();
        var rejects = new StringWriter();
        options.Rejects = rejects;
        options.OnRejected = rejections.Add;
        options.SourceName = "bytes.csv";
        Stream stream = chunk > 0 ? new TrickleStream(bytes, chunk) : new MemoryStream(bytes);
        await using var reader = new CsvInteractionReader(stream, options);
        var interactions = new List<Interaction>();
        if (async)
        {
            await foreach (var interaction in reader.ReadAllAsync(TestContext.Current.CancellationToken))
                interactions.Add(interaction);
        }
        else
        {
            interactions.AddRange(reader.ReadAll());
        }
        return new(interactions, rejections, rejects.ToString(), reader.RecordsRead, reader.RecordsAccepted, reader.RecordsRejected);
    }

    // ---- bytes that are not UTF-8 ------------------------------------------------------------------------------

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 1)]
    [InlineData(true, 3)]
    public async Task Read_InvalidUtf8_RejectsTheRowWithItsPositionAndByte_InsteadOfReplacingIt(bool async, int chunk)
    {
        // Replaced, both ids would read as "I\uFFFD9": two accepted rows for one id.
        var bytes = Bytes(Header + "\n", "I", new byte[] { 0xFF }, "9" + Row("") + "\n", "I", new byte[] { 0xFE }, "9" + Row("") + "\n", Row("i-3") + "\n");

        var result = await ReadBytes(bytes, async, chunk: chunk);

        Assert.Equal(["i-3"], result.Interactions.Select(i => i.InteractionId));
        Assert.Equal(2, result.Rejected);
        var (first, second) = (result.Rejections[0], result.Rejections[1]);
        Assert.Equal((2L, 1, "interaction_id", "I\uFFFD9"), (first.Line, first.Column, first.Field, first.Value));
        Assert.Contains("not valid UTF-8 (byte 0xFF", first.Reason, StringComparison.Ordinal);
        Assert.Equal((3L, 1), (second.Line, second.Column));
        Assert.Contains("byte 0xFE", second.Reason, StringComparison.Ordinal);
        Assert.Equal("bytes.csv:2:1: field 'interaction_id' value 'I\uFFFD9': is not valid UTF-8 (byte 0xFF; shown as U+FFFD); save the input as UTF-8.", first.ToString());
        Assert.Equal(Lines(Header, "I\uFFFD9" + Row(""), "I\uFFFD9" + Row("")), result.RejectsOutput);
    }

    [Fact]
    public async Task Read_InvalidUtf8InSeveralFields_ReportsEachField()
    {
        var bytes = Bytes(Header + "\n", "i-1,c", new byte[] { 0xC3 }, ",a-1,voice,2024-03-01T09:15:00Z,60,resolved,4,q", new byte[] { 0xE2, 0x82 }, "\n");

        var rejection = Assert.Single((await ReadBytes(bytes, async: false)).Rejections);

        Assert.Equal([2, 9], rejection.Problems.Select(p => p.Column));
        Assert.Contains("byte 0xC3", rejection.Problems[0].Reason, StringComparison.Ordinal);
        Assert.Contains("bytes 0xE2 0x82", rejection.Problems[1].Reason, StringComparison.Ordinal);
        Assert.Equal("queue", rejection.Problems[1].Field);
    }

    [Fact]
    public async Task Read_TruncatedSequenceAtTheEndOfTheInput_IsRejected()
    {
        var bytes = Bytes(Header + "\n", Row("i-1") + "\n", Row("i-2"), new byte[] { 0xF0, 0x90 });
        var result = await ReadBytes(bytes, async: false, chunk: 1);
        Assert.Equal(["i-1"], result.Interactions.Select(i => i.InteractionId));
        Assert.Equal((3L, 9), (result.Rejections[0].Line, result.Rejections[0].Column));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Read_ValidMultiByteText_AfterAnInvalidByte_IsStillRead(int chunk)
    {
        // U+10080 is the surrogate pair D800 DC80: its second half looks like the mark of byte 0x80 but is valid.
        string text = "\U00010080\U000100FFé€";
        var bytes = Bytes(Header + "\n", "i-1", new byte[] { 0x80 }, Row("") + "\n", Row("i-2", queue: text) + "\n");

        var result = await ReadBytes(bytes, async: false, chunk: chunk);

        var read = Assert.Single(result.Interactions);
        Assert.Equal(("i-2", text), (read.InteractionId, read.Attributes["queue"]));
        Assert.Equal(2, Assert.Single(result.Rejections).Line);
    }

    [Fact]
    public async Task Read_InvalidUtf8InTheHeader_IsRefusedWithItsColumn()
    {
        var bytes = Bytes(Header + ",n", new byte[] { 0xFF }, "te\n", Row("i-1") + ",x\n");
        var ex = await Assert.ThrowsAsync<CsvHeaderException>(() => ReadBytes(bytes, async: true));
        Assert.Equal((1L, 10), (ex.Line, ex.Column));
        Assert.Contains("header name 'n\uFFFDte' is not valid UTF-8 (byte 0xFF)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32")]
    public async Task Read_InputWithAUnicodeByteOrderMark_IsReadInThatEncoding(string name)
    {
        var encoding = Encoding.GetEncoding(name);
        var bytes = Bytes(encoding.GetPreamble(), encoding.GetBytes(Lines(Header, Row("i-1", queue: "é\U00010080"))));

        var result = await ReadBytes(bytes, async: false, chunk: 5);

        var read = Assert.Single(result.Interactions);
        Assert.Equal(("i-1", "é\U00010080"), (read.InteractionId, read.Attributes["queue"]));
    }

    // ---- stray quotes ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 7)]
    [InlineData(true, 13)]
    public async Task Read_StrayQuoteIn10000Rows_CostsOneRow(bool async, int chunk)
    {
        var lines = new List<string> { Header };
        for (int n = 1; n <= 10_000; n++)
            lines.Add(n == 10 ? Row("i-10", queue: "\"billing") : Row($"i-{n}"));
        string csv = Lines([.. lines]);

        var result = async ? await CsvTestInput.ReadAsync(csv, chunk: chunk) : CsvTestInput.Read(csv, chunk: chunk);

        Assert.Equal(9_999, result.Accepted);
        Assert.DoesNotContain(result.Interactions, i => i.InteractionId == "i-10");
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal((11L, 9, "queue", "\"billing"), (rejection.Line, rejection.Column, rejection.Field, rejection.Value));
        Assert.Contains("not closed within 100 lines (CsvReaderOptions.MaxQuotedLineBreaks)", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal(Lines(Header, lines[10]), result.RejectsOutput);
        Assert.Equal((10_000L, 1L), (result.Read, result.Rejected));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Read_QuotedFieldWithLineBreaksUpToTheLimit_IsRead_AndOnePastItRejectsOnlyItsFirstLine(int chunk)
    {
        var options = new CsvReaderOptions { MaxQuotedLineBreaks = 3 };
        string csv = Lines(
            Header,
            Row("i-1", queue: "\"a\nb\r\nc\nd\""),
            Row("i-2", queue: "\"a\nb\nc\nd\ne\""),
            Row("i-3"));

        var result = CsvTestInput.Read(csv, options, chunk);

        // After i-2's first line, its other lines are read as rows, each with too few fields.
        Assert.Equal(["i-1", "i-3"], result.Interactions.Select(i => i.InteractionId));
        Assert.Equal("a\nb\r\nc\nd", result.Interactions[0].Attributes["queue"]);
        Assert.Equal([6L, 7, 8, 9, 10], result.Rejections.Select(r => r.Line));
        Assert.Contains("not closed within 3 lines", result.Rejections[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StrayQuoteInARowAlreadyTooLong_EndsThatRowAtTheLimit()
    {
        // The row is skipped as too long before the quote opens; the quote may then hold the limit's lines only.
        var lines = new List<string> { Header, Row("i-1", queue: new string('q', 400) + ",\"x") };
        for (int n = 2; n <= 50; n++)
            lines.Add(Row($"i-{n}"));
        var options = new CsvReaderOptions { MaxRowLength = 300, MaxQuotedLineBreaks = 5 };

        var result = CsvTestInput.Read(Lines([.. lines]), options, chunk: 11);

        // The quote's sixth line break, at the end of i-6, is past the limit: the row ends there.
        Assert.Equal(Enumerable.Range(7, 44).Select(n => $"i-{n}"), result.Interactions.Select(i => i.InteractionId));
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(2, rejection.Line);
        Assert.Contains("longer than 300 characters", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_QuoteStillOpenAtTheEnd_RejectsItsFirstLineOnly()
    {
        var result = CsvTestInput.Read(Lines(Header, Row("i-1", queue: "\"open"), Row("i-2"), Row("i-3")));
        Assert.Equal(["i-2", "i-3"], result.Interactions.Select(i => i.InteractionId));
        Assert.Contains("never closed", Assert.Single(result.Rejections).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TheLimitIsPerQuotedField()
    {
        var options = new CsvReaderOptions { MaxQuotedLineBreaks = 2 };
        var result = CsvTestInput.Read(Lines(Header + ",note", Row("i-1", queue: "\"a\nb\nc\"") + ",\"d\ne\nf\""), options);
        var read = Assert.Single(result.Interactions);
        Assert.Equal(("a\nb\nc", "d\ne\nf"), (read.Attributes["queue"], read.Attributes["note"]));
    }

    [Fact]
    public void Read_HeaderWithAStrayQuote_IsRefusedWithItsColumn()
    {
        var options = new CsvReaderOptions { MaxQuotedLineBreaks = 1 };
        var ex = Assert.Throws<CsvHeaderException>(() => CsvTestInput.Read(Lines("interaction_id,\"customer_id", Row("i-1"), Row("i-2")), options));
        Assert.Equal((1L, 2), (ex.Line, ex.Column));
        Assert.Contains("a quoted header name is not closed within 1 line (CsvReaderOptions.MaxQuotedLineBreaks).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_NegativeMaxQuotedLineBreaks_AreRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CsvInteractionReader(new StringReader(""), new CsvReaderOptions { MaxQuotedLineBreaks = -1 }));
        Assert.Contains("MaxQuotedLineBreaks", ex.Message, StringComparison.Ordinal);
    }

    // ---- attribute columns -------------------------------------------------------------------------------------

    [Fact]
    public void Read_HeaderWithMoreAttributeColumnsThanTheLimit_IsRefusedWithTheCountAndTheLimit()
    {
        var header = new StringBuilder(Header);
        for (int n = 1; n < 200_000; n++)
            header.Append(",x").Append(n);
        var options = new CsvReaderOptions { MaxRowLength = 4 << 20 };

        var ex = Assert.Throws<CsvHeaderException>(() => CsvTestInput.Read(header + "\n" + Row("i-1") + "\n", options));

        Assert.Equal((1L, 9 + 256), (ex.Line, ex.Column));
        Assert.Contains("the header has 200,000 attribute columns (columns outside the contract); at most 256 are allowed (CsvReaderOptions.MaxAttributeColumns).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeaderAtTheAttributeColumnLimit_IsRead()
    {
        var options = new CsvReaderOptions { MaxAttributeColumns = 1 };
        var result = CsvTestInput.Read(Lines(Header, Row("i-1")), options);
        Assert.Equal("billing", Assert.Single(result.Interactions).Attributes["queue"]);
        Assert.Throws<CsvHeaderException>(() => CsvTestInput.Read(Lines(Header + ",region", Row("i-1") + ",north"), options));
    }

    [Fact]
    public void Read_RowsWith10000AttributeColumns_UnderARaisedLimit_AreRead()
    {
        const int Columns = 10_000;
        var header = new StringBuilder(Header);
        var row = new StringBuilder(Row("i-1"));
        for (int n = 1; n < Columns; n++)
        {
            header.Append(",x").Append(n);
            row.Append(",v").Append(n);
        }
        var options = new CsvReaderOptions { MaxAttributeColumns = Columns };

        var result = CsvTestInput.Read(Lines(header.ToString(), row.ToString(), row.ToString().Replace("i-1,", "i-2,", StringComparison.Ordinal)), options);

        Assert.Equal(2, result.Accepted);
        var attributes = result.Interactions[1].Attributes;
        Assert.Equal(Columns, attributes.Count);
        Assert.Equal(("billing", "v9999"), (attributes["queue"], attributes["x9999"]));
        Assert.Equal(result.Interactions[0].Attributes, attributes);
    }

    /// <summary>A stream that hands out at most a few bytes per read, to split every multi-byte sequence.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
