using System.Text;
using CallStream.Csv;
using Sylvan.Data.Csv;

namespace CallStream.Tests.Csv;

public class CsvInteractionWriterTests
{
    private static readonly DateTimeOffset Start = new(2024, 3, 1, 9, 15, 0, TimeSpan.Zero);

    private static Interaction Make(
        string id = "I1",
        string customer = "c1",
        string agent = "a1",
        Channel channel = Channel.Voice,
        DateTimeOffset? start = null,
        double duration = 60,
        Outcome outcome = Outcome.Resolved,
        int? satisfaction = 4,
        params (string Key, string Value)[] attributes) =>
        new(id, customer, agent, channel, start ?? Start, duration, outcome, satisfaction,
            attributes.Select(a => new KeyValuePair<string, string>(a.Key, a.Value)));

    private static string WriteToString(IEnumerable<string>? columns, params Interaction[] interactions)
    {
        var text = new StringWriter();
        using (var writer = new CsvInteractionWriter(text, columns))
        {
            foreach (var i in interactions)
                writer.Write(i);
        }
        return text.ToString();
    }

    [Fact]
    public void Write_TypicalRows_MatchesGoldenText()
    {
        string csv = WriteToString(
            ["region", "note"],
            Make("I0000001", "3fa9c1", "A0001", Channel.Voice, Start, 412, Outcome.Resolved, 5, ("region", "north"), ("note", "plain")),
            Make("I0000002", "00beef", "A0676", Channel.Video, Start.AddSeconds(90.25), 1.5, Outcome.Failed, null, ("note", "said \"no\", twice")),
            Make("I0000003", "abc123", "A0002", Channel.Email, new DateTimeOffset(2024, 3, 1, 11, 0, 0, TimeSpan.FromHours(2)), 0.1, Outcome.Problematic, 1,
                ("region", " west"), ("note", "line1\nline2")),
            Make("I0000004", "abc123", "A0002", Channel.Chat, Start, 3600, Outcome.Resolved, 3));

        const string Expected =
            "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region,note\n"
            + "I0000001,3fa9c1,A0001,voice,2024-03-01T09:15:00Z,412,resolved,5,north,plain\n"
            + "I0000002,00beef,A0676,video,2024-03-01T09:16:30.25Z,1.5,failed,,,\"said \"\"no\"\", twice\"\n"
            + "I0000003,abc123,A0002,email,2024-03-01T09:00:00Z,0.1,problematic,1,\" west\",\"line1\nline2\"\n"
            + "I0000004,abc123,A0002,chat,2024-03-01T09:15:00Z,3600,resolved,3,,\n";
        Assert.Equal(Expected, csv);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("\"", "\"\"\"\"")]
    [InlineData("cr\rlf", "\"cr\rlf\"")]
    [InlineData("trailing ", "\"trailing \"")]
    [InlineData("\tleading", "\"\tleading\"")]
    [InlineData("in side", "in side")]
    [InlineData("ünïcødé €", "ünïcødé €")]
    public void Write_Value_IsQuotedOnlyWhereNeeded(string value, string expected)
    {
        string csv = WriteToString(["x"], Make(attributes: ("x", value)));
        string row = csv.Split('\n', 2)[1];
        Assert.Equal("I1,c1,a1,voice,2024-03-01T09:15:00Z,60,resolved,4," + expected + "\n", row);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(42.0, "42")]
    [InlineData(0.1, "0.1")]
    [InlineData(1234.5678, "1234.5678")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(1e-7, "1E-07")]
    public void Write_Duration_IsInvariantShortestRoundTrip(double duration, string expected)
    {
        string csv = WriteToString(null, Make(duration: duration));
        string field = csv.Split('\n')[1].Split(',')[5];
        Assert.Equal(expected, field);
        Assert.Equal(duration, double.Parse(field, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Write_Instants_FormatLikeIso8601Format()
    {
        var rng = new Random(7);
        var instants = new List<DateTimeOffset>
        {
            new(1, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new(9999, 12, 31, 23, 59, 59, TimeSpan.Zero),
            new(2024, 2, 29, 23, 59, 59, 999, TimeSpan.Zero),
            new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1),
            new(2024, 6, 1, 0, 30, 0, TimeSpan.FromHours(5.5)),
        };
        for (int i = 0; i < 500; i++)
            instants.Add(new DateTimeOffset(rng.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), TimeSpan.Zero));

        string csv = WriteToString(null, [.. instants.Select(t => Make(start: t))]);
        string[] lines = csv.TrimEnd('\n').Split('\n');
        for (int i = 0; i < instants.Count; i++)
            Assert.Equal(Iso8601.Format(instants[i]), lines[i + 1].Split(',')[4]);
    }

    [Fact]
    public void Write_MissingAttributeAndNullSatisfaction_GiveEmptyCells()
    {
        string csv = WriteToString(["region", "tier"], Make(satisfaction: null, attributes: ("tier", "gold")), Make(satisfaction: null));
        string[] lines = csv.Split('\n');
        Assert.Equal("I1,c1,a1,voice,2024-03-01T09:15:00Z,60,resolved,,,gold", lines[1]);
        Assert.Equal("I1,c1,a1,voice,2024-03-01T09:15:00Z,60,resolved,,,", lines[2]);
    }

    [Fact]
    public void Write_AttributeWithoutColumn_IsNotWritten()
    {
        string csv = WriteToString(null, Make(attributes: ("region", "north")));
        Assert.Equal("interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction\n"
            + "I1,c1,a1,voice,2024-03-01T09:15:00Z,60,resolved,4\n", csv);
    }

    [Fact]
    public void Flush_NoRows_WritesHeaderOnly()
    {
        var text = new StringWriter();
        using var writer = new CsvInteractionWriter(text, ["region"]);
        writer.Flush();
        Assert.Equal("interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region\n", text.ToString());
        Assert.Equal(0, writer.RowsWritten);
    }

    [Fact]
    public void Header_AttributeNameNeedingQuotes_IsQuoted()
    {
        var text = new StringWriter();
        using (var writer = new CsvInteractionWriter(text, ["a,b"]))
            writer.Flush();
        Assert.EndsWith(",satisfaction,\"a,b\"\n", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_Output_IsUtf8WithoutBomAndEqualsTextOutput()
    {
        var rows = new[] { Make(attributes: ("x", "ünïcødé, €")), Make(id: "I2", attributes: ("x", "😀 emoji")) };
        using var stream = new MemoryStream();
        using (var writer = new CsvInteractionWriter(stream, ["x"], leaveOpen: true))
        {
            foreach (var r in rows)
                writer.Write(r);
        }
        byte[] bytes = stream.ToArray();
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble));
        Assert.Equal(WriteToString(["x"], rows), Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Write_ManyAndLongRows_SurviveBufferBoundaries()
    {
        string longValue = string.Concat(Enumerable.Repeat("abc,\"def\"\n", 20_000));
        var rows = Enumerable.Range(0, 5000).Select(i => Make(id: "I" + i, attributes: ("x", i == 2500 ? longValue : "v" + i))).ToArray();
        using var stream = new MemoryStream();
        using (var writer = new CsvInteractionWriter(stream, ["x"], leaveOpen: true))
        {
            foreach (var r in rows)
                writer.Write(r);
            Assert.Equal(5000, writer.RowsWritten);
        }
        Assert.Equal(WriteToString(["x"], rows), Encoding.UTF8.GetString(stream.ToArray()));

        stream.Position = 0;
        using var reader = CsvDataReader.Create(new StreamReader(stream), new CsvDataReaderOptions { MaxBufferSize = 1 << 20 });
        int n = 0;
        while (reader.Read())
        {
            Assert.Equal(rows[n].Attributes["x"], reader.GetString(8));
            n++;
        }
        Assert.Equal(5000, n);
    }

    [Fact]
    public async Task WriteAsync_ProducesTheSameBytesAsWrite()
    {
        string longValue = new('z', 100_000);
        var rows = Enumerable.Range(0, 3000).Select(i => Make(id: "I" + i, attributes: ("x", i == 10 ? longValue : "v,"))).ToArray();
        using var stream = new MemoryStream();
        var writer = new CsvInteractionWriter(stream, ["x"], leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var r in rows)
                await writer.WriteAsync(r, TestContext.Current.CancellationToken);
            await writer.FlushAsync(TestContext.Current.CancellationToken);
            Assert.Equal(WriteToString(["x"], rows), Encoding.UTF8.GetString(stream.ToArray()));
        }
    }

    [Fact]
    public void Output_ReadBySylvan_GivesBackEveryValue()
    {
        string[] tricky = ["plain", "a,b", "q\"uote", "multi\nline", "crlf\r\nx", " padded ", "", "ünï €"];
        var rows = tricky.Select((v, i) => Make(id: "I" + i, customer: "c" + v.Length, satisfaction: i % 2 == 0 ? null : 3, attributes: ("note", v))).ToArray();
        string csv = WriteToString(["note"], rows);

        using var reader = CsvDataReader.Create(new StringReader(csv));
        Assert.Equal("note", reader.GetName(8));
        int n = 0;
        while (reader.Read())
        {
            Assert.Equal(rows[n].InteractionId, reader.GetString(0));
            Assert.Equal("voice", reader.GetString(3));
            Assert.True(Iso8601.TryParse(reader.GetString(4), out var start));
            Assert.Equal(rows[n].StartTime, start);
            Assert.Equal(rows[n].Satisfaction?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, reader.GetString(7));
            Assert.Equal(tricky[n], reader.GetString(8));
            n++;
        }
        Assert.Equal(tricky.Length, n);
    }

    [Fact]
    public void Dispose_LeaveOpen_KeepsStreamOpen_OtherwiseClosesIt()
    {
        var kept = new MemoryStream();
        new CsvInteractionWriter(kept, leaveOpen: true).Dispose();
        Assert.True(kept.CanWrite);
        Assert.True(kept.Length > 0);

        var closed = new MemoryStream();
        new CsvInteractionWriter(closed).Dispose();
        Assert.False(closed.CanWrite);
    }

    [Fact]
    public void Write_AfterDispose_Throws()
    {
        var writer = new CsvInteractionWriter(new StringWriter());
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write(Make()));
        Assert.Throws<ObjectDisposedException>(writer.Flush);
        writer.Dispose();
    }

    [Fact]
    public void Create_WritesFileAndClosesIt()
    {
        string path = Path.Combine(Path.GetTempPath(), "callstream-writer-" + Guid.NewGuid().ToString("N") + ".csv");
        try
        {
            using (var writer = CsvInteractionWriter.Create(path, ["region"]))
                writer.Write(Make(attributes: ("region", "east")));
            Assert.Equal(WriteToString(["region"], Make(attributes: ("region", "east"))), File.ReadAllText(path));
            File.Delete(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Constructors_CheckArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new CsvInteractionWriter((Stream)null!));
        Assert.Throws<ArgumentNullException>(() => new CsvInteractionWriter((TextWriter)null!));
        using var readOnly = new MemoryStream([], writable: false);
        Assert.Throws<ArgumentException>(() => new CsvInteractionWriter(readOnly));
        Assert.Throws<ArgumentException>(() => new CsvInteractionWriter(new StringWriter(), [""]));
        var duplicate = Assert.Throws<ArgumentException>(() => new CsvInteractionWriter(new StringWriter(), ["region", "Region"]));
        Assert.Contains("Region", duplicate.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new CsvInteractionWriter(new StringWriter(), ["Channel"]));
        Assert.Throws<ArgumentException>(() => CsvInteractionWriter.Create(""));
        using var writer = new CsvInteractionWriter(new StringWriter());
        Assert.Throws<ArgumentNullException>(() => writer.Write(null!));
        Assert.Throws<ArgumentNullException>(() => { _ = writer.WriteAsync(null!, TestContext.Current.CancellationToken); });
    }

    [Fact]
    public void Columns_ListContractThenAttributeColumns()
    {
        using var writer = new CsvInteractionWriter(new StringWriter(), ["region"]);
        Assert.Equal([.. CsvColumns.All, "region"], writer.Columns);
    }
}
