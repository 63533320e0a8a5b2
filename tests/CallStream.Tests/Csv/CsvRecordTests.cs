using System.Text;
using CallStream.Csv;

namespace CallStream.Tests.Csv;

/// <summary>The guard's record API (<see cref="CsvRecordGuard.TryTakeRecord"/>) and the fields of <see cref="CsvRecord"/>.</summary>
public class CsvRecordTests
{
    /// <summary>Takes every record the guard hands out, as field lists, stopping at the end or at a bad record.</summary>
    private static List<string[]> TakeAll(CsvRecordGuard guard, List<string>? raw = null)
    {
        var records = new List<string[]>();
        while (true)
        {
            if (guard.TryTakeRecord())
            {
                var record = guard.Record;
                var fields = new string[record.FieldCount];
                for (int i = 0; i < fields.Length; i++)
                    fields[i] = new string(record[i]);
                records.Add(fields);
                raw?.Add(new string(record.Raw));
                continue;
            }
            if (guard.Pending != CsvRecordProblem.None || !guard.ReadMore())
                return records;
        }
    }

    [Fact]
    public void TryTakeRecord_GivesFieldsInPlace_AndUnquotesQuotedOnes()
    {
        using var guard = new CsvRecordGuard(new StringReader("a,\"b,c\",\"d\"\"e\",\"\",f\r\n\"x\ny\",,\"\"\"\"\n\nlast"), ',', 100, leaveOpen: false);
        var raw = new List<string>();

        var records = TakeAll(guard, raw);

        Assert.Equal(
            [["a", "b,c", "d\"e", "", "f"], ["x\ny", "", "\""], [""], ["last"]],
            records);
        Assert.Equal(["a,\"b,c\",\"d\"\"e\",\"\",f\r\n", "\"x\ny\",,\"\"\"\"\n", "\n", "last"], raw);
    }

    [Fact]
    public void Record_TellsBlankQuotedAndTerminated()
    {
        using var guard = new CsvRecordGuard(new StringReader("h\n\n\"q\"\nplain"), ',', 100, leaveOpen: false);
        var seen = new List<(bool Blank, bool Quoted, bool Terminated)>();
        while (true)
        {
            if (guard.TryTakeRecord())
                seen.Add((guard.Record.IsBlank, guard.Record.HasQuotedField, guard.Record.IsTerminated));
            else if (!guard.ReadMore())
                break;
        }
        Assert.Equal([(false, false, true), (true, false, true), (false, true, true), (false, false, false)], seen);
    }

    [Fact]
    public void Record_FieldOutOfRange_Throws()
    {
        using var guard = new CsvRecordGuard(new StringReader("a,b\n"), ',', 100, leaveOpen: false);
        while (!guard.TryTakeRecord())
            Assert.True(guard.ReadMore());
        var record = guard.Record;
        Assert.Equal(2, record.FieldCount);
        Assert.Equal("b", record[1].ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => record[2].ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => record[-1].ToString());
    }

    [Fact]
    public void TryTakeRecord_StopsAtABadRecord_AndGoesOnAfterItIsSkipped()
    {
        using var guard = new CsvRecordGuard(new StringReader("h\n1,2\n\"x\"y,3\n4,5\n"), ',', 100, leaveOpen: false);

        Assert.Equal([["h"], ["1", "2"]], TakeAll(guard));
        Assert.Equal(CsvRecordProblem.TextAfterClosingQuote, guard.Pending);
        Assert.Equal((1L, true), guard.SkipPending(null));
        // The blank line a text reader gets after a skipped record is not a record.
        Assert.Equal([["4", "5"]], TakeAll(guard));
        Assert.False(guard.ReadMore());
    }

    /// <summary>
    /// Characters whose low byte is that of a comma, a quote, <c>\n</c> or <c>\r</c> (U+012C, U+0122, U+010A, U+010D)
    /// are candidates for the 32-character scan but are ordinary text; so are they next to a non-ASCII delimiter.
    /// </summary>
    [Theory]
    [InlineData(',')]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('\u2192')]
    [InlineData('\u012C')]
    public void TryTakeRecord_CharactersThatShareALowByteWithSpecialOnes_AreOrdinaryText(char delimiter)
    {
        string lookalikes = "\u012C\u0122\u010A\u010D\u0192\u013B\u0109";
        string[] fields =
        [
            "start" + lookalikes + "end",
            new string('x', 40) + lookalikes,
            "",
            lookalikes + new string('y', 70) + lookalikes,
            "\"" + lookalikes + "\"",
        ];
        fields = fields.Select(f => f.Replace(delimiter.ToString(), "", StringComparison.Ordinal)).ToArray();
        string line = string.Join(delimiter, fields.Select(f => f.StartsWith('"') ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f));
        string text = string.Concat(Enumerable.Repeat(line + "\n", 50));

        foreach (int chunk in new[] { 0, 1, 7, 33, 1000 })
        {
            TextReader input = chunk > 0 ? new TrickleReader(text, chunk) : new StringReader(text);
            using var guard = new CsvRecordGuard(input, delimiter, 1000, leaveOpen: false);
            var records = TakeAll(guard);
            Assert.Equal(50, records.Count);
            Assert.All(records, r => Assert.Equal(fields, r));
            Assert.Equal(CsvRecordProblem.None, guard.Pending);
        }
    }

    /// <summary>
    /// Writes random records (fields full of delimiters, quotes, line breaks, look-alike characters and long runs) as
    /// RFC 4180, reads them back fed whole and in pieces, and checks every field comes back as written.
    /// </summary>
    [Theory]
    [InlineData(11, ',')]
    [InlineData(12, ';')]
    [InlineData(13, '\u00A7')]
    public void TryTakeRecord_RandomRecords_GiveBackTheirFields(int seed, char delimiter)
    {
        var rng = new Random(seed);
        string[] pieces = ["plain", "\"", "\n", "\r\n", "\r", " ", "é", "\u012C", "\u010A", "\u0122", "0123456789abcdefghijklmnopqrstuvwxyz", delimiter.ToString()];
        var expected = new List<string[]>();
        var text = new StringBuilder();
        for (int n = 0; n < 300; n++)
        {
            var fields = new string[rng.Next(1, 12)];
            for (int f = 0; f < fields.Length; f++)
            {
                var field = new StringBuilder();
                int length = rng.Next(4) == 0 ? 0 : rng.Next(1, 80);
                while (field.Length < length)
                    field.Append(pieces[rng.Next(pieces.Length)]);
                fields[f] = field.ToString();
            }
            // A record of one empty field is a blank line, which the reader skips: give it some text.
            if (fields is [""])
                fields[0] = "x";
            expected.Add(fields);
            text.AppendJoin(delimiter, fields.Select(f => NeedsQuotes(f, delimiter) ? "\"" + f.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : f));
            text.Append(rng.Next(3) switch { 0 => "\n", 1 => "\r\n", _ => "\r" });
        }

        foreach (int chunk in new[] { 0, 1, 5, 31, 32, 33, 4096 })
        {
            TextReader input = chunk > 0 ? new TrickleReader(text.ToString(), chunk) : new StringReader(text.ToString());
            using var guard = new CsvRecordGuard(input, delimiter, 10_000, leaveOpen: false);
            var records = TakeAll(guard);
            Assert.Equal(CsvRecordProblem.None, guard.Pending);
            Assert.Equal(expected.Count, records.Count);
            for (int n = 0; n < expected.Count; n++)
                Assert.Equal(expected[n], records[n]);
        }
    }

    private static bool NeedsQuotes(string field, char delimiter) =>
        field.Contains(delimiter, StringComparison.Ordinal) || field.AsSpan().IndexOfAny("\"\r\n") >= 0;
}
