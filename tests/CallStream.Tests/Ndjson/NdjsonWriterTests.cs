using System.Text;
using CallStream.Json;
using CallStream.Ndjson;

namespace CallStream.Tests.Ndjson;

public class NdjsonWriterTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 9, 15, 0, TimeSpan.Zero);

    internal static Interaction Sample(int n) =>
        new($"i-{n}", "c-ü", "a-1", Channel.Voice, T0.AddSeconds(n), 12.5 + n, Outcome.Failed, n % 2 == 0 ? null : 3, n % 3 == 0 ? null : [new("queue", "q\"uote\nline")]);

    internal static Alert SampleAlert(int n) =>
        new("long-calls", Severity.Warning, "a-1", $"i-{n}", T0.AddSeconds(n), $"agent a-1 had {n} long calls", T0, T0.AddMinutes(5), [new("count(*)", n), new("avg(duration)", null)]);

    [Fact]
    public void Write_Interactions_OneCompactObjectPerLine_Utf8WithoutBom()
    {
        var stream = new MemoryStream();
        using (var writer = NdjsonWriter.ForInteractions(stream, leaveOpen: true))
        {
            writer.Write(Sample(1));
            writer.Write(Sample(2));
            Assert.Equal(2, writer.Count);
        }

        byte[] bytes = stream.ToArray();
        Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble));
        string text = Encoding.UTF8.GetString(bytes);
        Assert.Equal(
            """{"interactionId":"i-1","customerId":"c-ü","agentId":"a-1","channel":"voice","startTime":"2024-03-01T09:15:01Z","durationSeconds":13.5,"outcome":"failed","satisfaction":3,"attributes":{"queue":"q\"uote\nline"}}""" + "\n"
            + """{"interactionId":"i-2","customerId":"c-ü","agentId":"a-1","channel":"voice","startTime":"2024-03-01T09:15:02Z","durationSeconds":14.5,"outcome":"failed","attributes":{"queue":"q\"uote\nline"}}""" + "\n",
            text);
    }

    [Fact]
    public void Write_Alert_UsesTheAlertContract()
    {
        var stream = new MemoryStream();
        using (var writer = NdjsonWriter.ForAlerts(stream, leaveOpen: true))
            writer.Write(SampleAlert(4));

        string line = Encoding.UTF8.GetString(stream.ToArray());
        Assert.EndsWith("}\n", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(SampleAlert(4), System.Text.Json.JsonSerializer.Deserialize(line, CallStreamJsonContext.Default.Alert));
        Assert.Contains("\"values\":{\"count(*)\":4,\"avg(duration)\":null}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ManyValues_ReachTheStreamInBlocks_AndAllByDispose()
    {
        var stream = new MemoryStream();
        var writer = NdjsonWriter.ForInteractions(stream, leaveOpen: true);
        for (int n = 0; n < 2000; n++)
            writer.Write(Sample(n));
        long beforeDispose = stream.Length;
        writer.Dispose();

        Assert.True(beforeDispose > 0, "full blocks are written as they fill");
        Assert.True(beforeDispose < stream.Length, "the last block waits for flush or dispose");
        Assert.Equal(2000, Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Flush_WritesPendingLines()
    {
        var stream = new MemoryStream();
        using var writer = NdjsonWriter.ForInteractions(stream, leaveOpen: true);
        writer.Write(Sample(1));
        Assert.Equal(0, stream.Length);
        writer.Flush();
        Assert.EndsWith("}\n", Encoding.UTF8.GetString(stream.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_FlushAsyncAndDisposeAsync_WriteEverything()
    {
        var ct = TestContext.Current.CancellationToken;
        var stream = new MemoryStream();
        var writer = NdjsonWriter.ForAlerts(stream, leaveOpen: true);
        for (int n = 0; n < 1000; n++)
            await writer.WriteAsync(SampleAlert(n), ct);
        await writer.FlushAsync(ct);
        long flushed = stream.Length;
        await writer.WriteAsync(SampleAlert(1000), ct);
        await writer.DisposeAsync();

        string[] lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1001, lines.Length);
        Assert.True(flushed < stream.Length);
        Assert.True(stream.CanRead, "leaveOpen keeps the stream open");
    }

    [Fact]
    public void Dispose_ClosesTheStreamUnlessLeftOpen()
    {
        var stream = new MemoryStream();
        NdjsonWriter.ForInteractions(stream).Dispose();
        Assert.False(stream.CanWrite);
    }

    [Fact]
    public void Write_AfterDispose_Throws()
    {
        var writer = NdjsonWriter.ForInteractions(new MemoryStream());
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Write(Sample(1)));
        Assert.Throws<ObjectDisposedException>(writer.Flush);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => NdjsonWriter.ForInteractions(null!));
        Assert.Throws<ArgumentNullException>(() => new NdjsonWriter<Alert>(new MemoryStream(), null!));
        Assert.Throws<ArgumentException>(() => NdjsonWriter.ForAlerts(new MemoryStream([], writable: false)));
        using var writer = NdjsonWriter.ForInteractions(new MemoryStream());
        Assert.Throws<ArgumentNullException>(() => writer.Write(null!));
        Assert.Throws<ArgumentNullException>(() => writer.WriteAsync(null!, TestContext.Current.CancellationToken));
    }
}
