using System.Text;
using CallStream.Json;
using CallStream.Ndjson;
using static CallStream.Tests.Ndjson.NdjsonWriterTests;

namespace CallStream.Tests.Ndjson;

public class NdjsonReaderTests
{
    private const string Valid = """{"interactionId":"i-1","customerId":"c","agentId":"a","channel":"voice","startTime":"2024-03-01T09:15:00Z","durationSeconds":60,"outcome":"resolved"}""";

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    private static (List<Interaction> Values, List<InputRejection> Rejections, string Rejects, NdjsonReader<Interaction> Reader) ReadInteractions(string text, NdjsonReaderOptions? options = null)
    {
        options ??= new NdjsonReaderOptions();
        var rejections = new List<InputRejection>();
        var rejects = new StringWriter();
        options.OnRejected ??= rejections.Add;
        options.Rejects ??= rejects;
        options.SourceName ??= "in.ndjson";
        var reader = NdjsonReader.ForInteractions(Utf8(text), options);
        var values = reader.ReadAll().ToList();
        reader.Dispose();
        return (values, rejections, rejects.ToString(), reader);
    }

    [Fact]
    public void RoundTrip_Interactions_WriteThenRead()
    {
        var written = Enumerable.Range(0, 5000).Select(Sample).ToList();
        var stream = new MemoryStream();
        using (var writer = NdjsonWriter.ForInteractions(stream, leaveOpen: true))
        {
            foreach (var interaction in written)
                writer.Write(interaction);
        }
        stream.Position = 0;

        using var reader = NdjsonReader.ForInteractions(stream);
        Assert.Equal(written, reader.ReadAll());
        Assert.Equal((5000, 5000, 0), (reader.RecordsRead, reader.RecordsAccepted, reader.RecordsRejected));
    }

    [Fact]
    public async Task RoundTrip_Alerts_WriteThenReadAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var written = Enumerable.Range(0, 3000).Select(SampleAlert).Append(new Alert("slow", Severity.Critical, "i-9", "i-9", DateTimeOffset.UnixEpoch, "per event")).ToList();
        var stream = new MemoryStream();
        await using (var writer = NdjsonWriter.ForAlerts(stream, leaveOpen: true))
        {
            foreach (var alert in written)
                await writer.WriteAsync(alert, ct);
        }
        stream.Position = 0;

        await using var reader = NdjsonReader.ForAlerts(stream);
        var read = new List<Alert>();
        await foreach (var alert in reader.ReadAllAsync(ct))
            read.Add(alert);
        Assert.Equal(written, read);
        Assert.Null(read[^1].WindowStart);
    }

    [Fact]
    public void Read_BlankLinesCrLfAndByteOrderMark_AreAccepted()
    {
        var (values, rejections, _, reader) = ReadInteractions("\uFEFF" + Valid + "\r\n\r\n   \n\t\n" + Valid.Replace("i-1", "i-2", StringComparison.Ordinal) + "\r\n" + Valid.Replace("i-1", "i-3", StringComparison.Ordinal));
        Assert.Equal(["i-1", "i-2", "i-3"], values.Select(v => v.InteractionId));
        Assert.Empty(rejections);
        Assert.Equal(3, reader.RecordsRead);
    }

    public static TheoryData<string, int, string?, string?, string> BadLines => new()
    {
        { "{\"interactionId\":\"i\",", 21, null, null, "not valid JSON: " },
        { "not json", 2, null, null, "not valid JSON: 'not json' is an invalid JSON literal." },
        { Valid + " {}", 151, null, null, "not valid JSON: " },
        { "null", 1, null, null, "the line is null, not a JSON object." },
        { "[1,2]", 1, null, null, "an interaction is a JSON object, not an array." },
        { Valid.Replace("\"voice\"", "\"fax\"", StringComparison.Ordinal), 55, "channel", "fax", "unknown channel; allowed: " },
        { Valid.Replace(",\"agentId\":\"a\"", "", StringComparison.Ordinal), 1, "agentId", null, "is required." },
        { Valid.Replace("60", "-1", StringComparison.Ordinal), 108, "durationSeconds", "-1", "must not be negative." },
        { Valid.Replace("2024-03-01T09:15:00Z", "soon", StringComparison.Ordinal), 73, "startTime", "soon", "not an ISO-8601 instant" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void Read_BadLine_IsRejectedWithLineColumnFieldValueAndReason_AndReadingGoesOn(string line, int column, string? field, string? value, string reason)
    {
        string text = Valid + "\n\n" + line + "\n" + Valid.Replace("i-1", "i-4", StringComparison.Ordinal) + "\n";
        var (values, rejections, rejects, reader) = ReadInteractions(text);

        Assert.Equal(["i-1", "i-4"], values.Select(v => v.InteractionId));
        var rejection = Assert.Single(rejections);
        Assert.Equal(("in.ndjson", 3L, column, field, value), (rejection.Source, rejection.Line, rejection.Column, rejection.Field, rejection.Value));
        Assert.StartsWith(reason, rejection.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal(line, rejection.RawText);
        Assert.Equal(line + "\n", rejects);
        Assert.Equal((3, 2, 1), (reader.RecordsRead, reader.RecordsAccepted, reader.RecordsRejected));
    }

    [Fact]
    public void Read_BadAlert_ReportsTheField()
    {
        string line = """{"alertId":"0000000000000000","rule":"r","severity":"warning","key":"k","interactionId":"i","triggeredAt":"2024-03-01T09:15:00Z","message":"m"}""";
        var rejections = new List<InputRejection>();
        using var reader = NdjsonReader.ForAlerts(Utf8(line), new NdjsonReaderOptions { OnRejected = rejections.Add });
        Assert.Empty(reader.ReadAll());
        var rejection = Assert.Single(rejections);
        Assert.Equal(("alertId", 1L), (rejection.Field, rejection.Line));
        Assert.Contains("does not match", rejection.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StrictMode_ThrowsAtTheFirstBadLine()
    {
        var observed = new List<InputRejection>();
        using var reader = NdjsonReader.ForInteractions(Utf8(Valid + "\n{oops\n" + Valid + "\n"), new NdjsonReaderOptions { Strict = true, SourceName = "a.ndjson", OnRejected = observed.Add });
        Assert.NotNull(reader.Read());
        var ex = Assert.Throws<InputRejectedException>(() => reader.Read());
        Assert.StartsWith("a.ndjson:2:2: not valid JSON: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.Rejection!.Line);
        Assert.Empty(observed);
    }

    [Fact]
    public async Task ReadAsync_StrictMode_Throws()
    {
        await using var reader = NdjsonReader.ForInteractions(Utf8("null\n"), new NdjsonReaderOptions { Strict = true });
        var ex = await Assert.ThrowsAsync<InputRejectedException>(async () => await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal("input:1:1: the line is null, not a JSON object.", ex.Message);
    }

    [Fact]
    public async Task Read_OversizedLine_IsRejectedWithoutBeingHeld_AndReadingGoesOn()
    {
        string huge = "{\"interactionId\":\"" + new string('é', 150_000) + "\"}";
        string text = Valid + "\n" + huge + "\r\n" + Valid.Replace("i-1", "i-3", StringComparison.Ordinal) + "\n";
        var options = () => new NdjsonReaderOptions { MaxLineLength = 1000 };

        var (values, rejections, rejects, _) = ReadInteractions(text, options());

        Assert.Equal(["i-1", "i-3"], values.Select(v => v.InteractionId));
        var rejection = Assert.Single(rejections);
        Assert.Equal((2L, 1), (rejection.Line, rejection.Column));
        Assert.Equal("the line is longer than 1000 bytes (NdjsonReaderOptions.MaxLineLength).", rejection.Reason);
        Assert.StartsWith("{\"interactionId\":\"ééé", rejection.RawText, StringComparison.Ordinal);
        Assert.Equal(huge + "\r\n", rejects);

        var asyncRejects = new StringWriter();
        var asyncRejections = new List<InputRejection>();
        var asyncOptions = options();
        asyncOptions.Rejects = asyncRejects;
        asyncOptions.OnRejected = asyncRejections.Add;
        asyncOptions.SourceName = "in.ndjson";
        await using var reader = NdjsonReader.ForInteractions(Utf8(text), asyncOptions);
        var asyncValues = new List<Interaction>();
        await foreach (var v in reader.ReadAllAsync(TestContext.Current.CancellationToken))
            asyncValues.Add(v);
        Assert.Equal(values, asyncValues);
        Assert.Equal(rejections, asyncRejections);
        Assert.Equal(rejects, asyncRejects.ToString());
    }

    [Fact]
    public void Read_LongLineUnderTheLimit_IsRead()
    {
        string note = new('n', 200_000);
        string line = Valid.Replace("}", ",\"attributes\":{\"note\":\"" + note + "\"}}", StringComparison.Ordinal);
        var (values, rejections, _, _) = ReadInteractions(line + "\n" + Valid + "\n");
        Assert.Equal(2, values.Count);
        Assert.Equal(note, values[0].Attributes["note"]);
        Assert.Empty(rejections);
    }

    [Fact]
    public void Read_LastLineWithoutNewLine_IsRead()
    {
        var (values, _, _, _) = ReadInteractions(Valid + "\n" + Valid);
        Assert.Equal(2, values.Count);
    }

    [Fact]
    public async Task ReadAsync_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await using var reader = NdjsonReader.ForInteractions(Utf8(Valid));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await reader.ReadAsync(cts.Token));
    }

    [Fact]
    public void Read_AfterDispose_Throws()
    {
        var reader = NdjsonReader.ForAlerts(new MemoryStream());
        reader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => reader.Read());
        Assert.Throws<ObjectDisposedException>(() => reader.ReadAll());
    }

    [Fact]
    public void Dispose_ClosesTheStreamUnlessLeftOpen()
    {
        var owned = new MemoryStream();
        NdjsonReader.ForInteractions(owned).Dispose();
        Assert.False(owned.CanRead);
        var kept = new MemoryStream();
        NdjsonReader.ForInteractions(kept, leaveOpen: true).Dispose();
        Assert.True(kept.CanRead);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => NdjsonReader.ForInteractions(null!));
        Assert.Throws<ArgumentNullException>(() => new NdjsonReader<Alert>(new MemoryStream(), null!));
        var unreadable = new MemoryStream();
        unreadable.Dispose();
        Assert.Throws<ArgumentException>(() => NdjsonReader.ForAlerts(unreadable));
        var ex = Assert.Throws<ArgumentException>(() => NdjsonReader.ForAlerts(new MemoryStream(), new NdjsonReaderOptions { MaxLineLength = 0 }));
        Assert.Contains("MaxLineLength", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(CallStreamJsonContext.Default.Alert);
    }

    [Theory]
    [InlineData("interactionId")]
    [InlineData("agentId")]
    [InlineData("region")]
    public void Read_InvalidUtf8InAString_RejectsTheLine_InsteadOfReplacingIt(string field)
    {
        string line = Valid.Replace("}", ""","attributes":{"region":"east"}}""", StringComparison.Ordinal);
        var start = line.IndexOf($"\"{field}\":\"", StringComparison.Ordinal) + field.Length + 4;
        var bytes = Encoding.UTF8.GetBytes(line + "\n").ToList();
        bytes.Insert(start, 0xFF);
        bytes.AddRange(Encoding.UTF8.GetBytes(Valid.Replace("i-1", "i-2", StringComparison.Ordinal) + "\n"));
        var rejections = new List<InputRejection>();

        using var reader = NdjsonReader.ForInteractions(new MemoryStream([.. bytes]), new NdjsonReaderOptions { OnRejected = rejections.Add });
        var values = reader.ReadAll().ToList();

        Assert.Equal(["i-2"], values.Select(v => v.InteractionId));
        Assert.Equal(1, Assert.Single(rejections).Line);
    }
}
