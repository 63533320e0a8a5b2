using System.Text;
using CallStream.Csv;
using static CallStream.Tests.Csv.CsvTestInput;

namespace CallStream.Tests.Csv;

public class CsvRecordGuardTests
{
    private static string ReadToPause(CsvRecordGuard guard)
    {
        var text = new StringBuilder();
        var buffer = new char[3];
        int n;
        while ((n = guard.Read(buffer, 0, buffer.Length)) > 0)
            text.Append(buffer, 0, n);
        return text.ToString();
    }

    [Fact]
    public void Guard_HandsOutGoodRecords_PausesAtABadOne_AndResumesAfterIt()
    {
        using var guard = new CsvRecordGuard(new StringReader("a,b\n1,2\n\"x\"y,3\n4,5\n"), ',', 100, leaveOpen: false);

        Assert.Equal("a,b\n1,2\n", ReadToPause(guard));
        Assert.Equal(CsvRecordProblem.TextAfterClosingQuote, guard.Pending);
        Assert.Equal("\"x\"y,3\n", guard.PendingText.ToString());
        Assert.Equal(3, guard.PendingOffset);

        var copy = new StringWriter();
        Assert.Equal((1L, true), guard.SkipPending(copy));
        Assert.Equal("\"x\"y,3\n", copy.ToString());
        Assert.Equal(CsvRecordProblem.None, guard.Pending);
        Assert.Equal("\n4,5\n", ReadToPause(guard));
        Assert.Equal("a,b\n", guard.HeaderText);
    }

    [Fact]
    public void Guard_DropsByteOrderMarkAndBlankLinesBeforeTheHeader_AndTurnsLoneCarriageReturnsIntoNewLines()
    {
        using var guard = new CsvRecordGuard(new StringReader("\uFEFF\r\n\n\ra,b\r1,\"x\ry\"\r\n2,3\r"), ',', 100, leaveOpen: false);
        Assert.Equal("a,b\n1,\"x\ry\"\r\n2,3\n", ReadToPause(guard));
        Assert.Equal(3, guard.LeadingBlankLines);
        Assert.Equal(CsvRecordProblem.None, guard.Pending);
    }

    [Fact]
    public void Guard_LongRecord_IsHeldBackAndStreamedWhenSkipped()
    {
        string longField = "\"" + new string('x', 200_000) + "\n\"\"\n" + new string('y', 100) + "\"";
        using var guard = new CsvRecordGuard(new TrickleReader("h\n" + longField + ",z\r\nnext\n", 1000), ',', 50, leaveOpen: false);

        Assert.Equal("h\n", ReadToPause(guard));
        Assert.Equal(CsvRecordProblem.TooLong, guard.Pending);
        Assert.Equal(50, guard.PendingText.Length);
        var copy = new StringWriter();
        Assert.Equal((3L, true), guard.SkipPending(copy));
        Assert.Equal(longField + ",z\r\n", copy.ToString());
        Assert.Equal("\nnext\n", ReadToPause(guard));
    }

    [Theory]
    [InlineData("a,\"b,c\",d", 8, 2, "d")]
    [InlineData("a,\"b,c\"x,d", 7, 1, "\"b,c\"x")]
    [InlineData("\"a\"\"\",b", 6, 1, "b")]
    [InlineData("a,\"open\nmore", 3, 1, "\"open")]
    public void FieldIndexAtAndRawFieldText_ReadQuotesAsTheGuardDoes(string record, int offset, int field, string raw)
    {
        Assert.Equal(field, CsvRecordGuard.FieldIndexAt(record, offset, ','));
        Assert.Equal(raw, CsvRecordGuard.RawFieldText(record, field, ',').ToString());
    }

    [Fact]
    public void LineBreakCounter_CountsCrLfOnceAcrossPieces()
    {
        var counter = default(CsvRecordGuard.LineBreakCounter);
        counter.Add("a\r");
        counter.Add("\nb\r");
        counter.Add("c\n\r");
        Assert.True(counter.EndsWithLineBreak);
        Assert.Equal(4, counter.Finish());
    }

    /// <summary>
    /// Generates logs full of quoting, line-ending and length edge cases, and checks that every way of feeding them
    /// (whole, a few characters at a time, asynchronously) gives exactly the expected interactions and rejections.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Reader_RandomisedLogs_GiveTheExpectedRowsAndLineNumbers(int seed)
    {
        const int Limit = 300;
        var rng = new Random(seed);
        var csv = new StringBuilder(Header + ",note\n");
        var expectedIds = new List<string>();
        var expectedRejections = new List<(long Line, int Column)>();
        long line = 2;
        bool previousEndedWithLoneCr = false;
        for (int n = 0; n < 400; n++)
        {
            int kind = n == 200 ? 1 : rng.Next(10);
            if (kind == 0 && !previousEndedWithLoneCr)
            {
                csv.Append(rng.Next(2) == 0 ? "\n" : "\r\n");
                line++;
                continue;
            }
            string id = $"i-{n}";
            string note = Note(rng, kind == 1 ? Limit + rng.Next(1, 400) : rng.Next(0, 40));
            if (kind == 1 && n == 200)
                note = Note(rng, 70_000);
            string row = kind switch
            {
                2 => Row(id, duration: "-1"),
                3 => Row(id, queue: "\"q\"x"),
                _ => Row(id),
            } + "," + note;
            string ending = rng.Next(3) switch { 0 => "\n", 1 => "\r\n", _ => "\r" };
            csv.Append(row).Append(ending);
            previousEndedWithLoneCr = ending == "\r";

            if (kind == 1 && row.Length > Limit)
                expectedRejections.Add((line, 1));
            else if (kind == 2)
                expectedRejections.Add((line, 6));
            else if (kind == 3)
                expectedRejections.Add((line, 9));
            else
                expectedIds.Add(id);
            line += 1 + LineBreaks(note);
        }

        Assert.All(new[] { 1, 6, 9 }, column => Assert.Contains(expectedRejections, r => r.Column == column));
        string text = csv.ToString();
        Assert.Contains("\r\n\r\n", text, StringComparison.Ordinal);
        var results = new List<CsvReadResult>();
        foreach (int chunk in new[] { 0, 1, 2, 3, 5, 64, 4096 })
            results.Add(Read(text, new CsvReaderOptions { MaxRowLength = Limit, MaxQuotedLineBreaks = int.MaxValue }, chunk));
        results.Add(await ReadAsync(text, new CsvReaderOptions { MaxRowLength = Limit, MaxQuotedLineBreaks = int.MaxValue }));
        results.Add(await ReadAsync(text, new CsvReaderOptions { MaxRowLength = Limit, MaxQuotedLineBreaks = int.MaxValue }, chunk: 7));

        foreach (var result in results)
        {
            Assert.Equal(expectedIds, result.Interactions.Select(i => i.InteractionId));
            Assert.Equal(expectedRejections, result.Rejections.Select(r => (r.Line, r.Column)));
            Assert.Equal(results[0].Interactions, result.Interactions);
            Assert.Equal(results[0].RejectsOutput, result.RejectsOutput);
        }
        // Rejected rows read back from the rejects output are rejected again, for the same reasons.
        var again = Read(results[0].RejectsOutput, new CsvReaderOptions { MaxRowLength = Limit, MaxQuotedLineBreaks = int.MaxValue });
        Assert.Empty(again.Interactions);
        Assert.Equal(expectedRejections.Select(r => r.Column), again.Rejections.Select(r => r.Column));
    }

    private static string Note(Random rng, int length)
    {
        string[] pieces = ["plain", ",", "\"", "\n", "\r\n", "\r", " ", "é"];
        var text = new StringBuilder();
        while (text.Length < length)
            text.Append(pieces[rng.Next(pieces.Length)]);
        string note = text.ToString();
        return note.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + note.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : note;
    }

    private static long LineBreaks(string text)
    {
        var counter = default(CsvRecordGuard.LineBreakCounter);
        counter.Add(text);
        return counter.Finish();
    }
}
