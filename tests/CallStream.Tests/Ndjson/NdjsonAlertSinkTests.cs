using System.Text;
using CallStream.Ndjson;

namespace CallStream.Tests.Ndjson;

public sealed class NdjsonAlertSinkTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "callstream-alertsink-" + Guid.NewGuid().ToString("N"));

    private string FilePath => Path.Combine(_directory, "alerts.ndjson");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task WriteBatch_AppendsOneLinePerAlert_DurableWhenItReturns()
    {
        await using var sink = new NdjsonAlertSink(FilePath);
        Assert.False(File.Exists(FilePath)); // no I/O before the first write

        await sink.WriteBatchAsync([Alert(1), Alert(2)], TestContext.Current.CancellationToken);
        await sink.WriteBatchAsync([Alert(3)], TestContext.Current.CancellationToken);

        Assert.Equal([Alert(1), Alert(2), Alert(3)], ReadBack());
        Assert.Equal(3, sink.Written);
        Assert.Equal(0, sink.DuplicatesSuppressed);
    }

    [Fact]
    public async Task SameAlertId_WithinABatch_AcrossBatches_AndAcrossSinksOnTheFile_IsWrittenOnce()
    {
        await using (var sink = new NdjsonAlertSink(FilePath))
        {
            await sink.WriteBatchAsync([Alert(1), Alert(2), Alert(1)], TestContext.Current.CancellationToken);
            await sink.WriteBatchAsync([Alert(2), Alert(3)], TestContext.Current.CancellationToken);
            Assert.Equal(3, sink.Written);
            Assert.Equal(2, sink.DuplicatesSuppressed);
        }

        await using (var restarted = new NdjsonAlertSink(FilePath))
        {
            await restarted.WriteBatchAsync([Alert(3), Alert(4), Alert(1)], TestContext.Current.CancellationToken);
            Assert.Equal(3, restarted.ExistingAlerts);
            Assert.Equal(1, restarted.Written);
            Assert.Equal(2, restarted.DuplicatesSuppressed);
        }

        Assert.Equal([Alert(1), Alert(2), Alert(3), Alert(4)], ReadBack());
    }

    [Fact]
    public async Task IncompleteLastLine_FromACrashMidBatch_IsCutBeforeAppending()
    {
        Directory.CreateDirectory(_directory);
        await using (var sink = new NdjsonAlertSink(FilePath))
            await sink.WriteBatchAsync([Alert(1)], TestContext.Current.CancellationToken);
        string complete = await File.ReadAllTextAsync(FilePath, TestContext.Current.CancellationToken);
        await File.AppendAllTextAsync(FilePath, complete[..20], TestContext.Current.CancellationToken); // half a line, no line break

        await using (var sink = new NdjsonAlertSink(FilePath))
        {
            await sink.WriteBatchAsync([Alert(2)], TestContext.Current.CancellationToken);
            Assert.Equal(1, sink.ExistingAlerts);
        }

        Assert.Equal([Alert(1), Alert(2)], ReadBack());
        Assert.EndsWith("\n", await File.ReadAllTextAsync(FilePath, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_AreChecked_AndADisposedSinkRefusesWrites()
    {
        Assert.Throws<ArgumentException>(() => new NdjsonAlertSink(""));
        Assert.Throws<ArgumentNullException>(() => new NdjsonAlertSink(null!));
        var sink = new NdjsonAlertSink(FilePath);
        await Assert.ThrowsAsync<ArgumentNullException>(() => sink.WriteBatchAsync(null!, TestContext.Current.CancellationToken).AsTask());
        await sink.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sink.WriteBatchAsync([Alert(1)], TestContext.Current.CancellationToken).AsTask());
    }

    private static Alert Alert(int n) => new(
        "RepeatedFailures", Severity.Critical, "c" + n, "i" + n, DateTimeOffset.UnixEpoch.AddMinutes(n), $"alert {n} – ünïcode",
        DateTimeOffset.UnixEpoch.AddMinutes(n - 60), DateTimeOffset.UnixEpoch.AddMinutes(n), [new AlertValue("count(*)", 5)]);

    private List<Alert> ReadBack()
    {
        using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = NdjsonReader.ForAlerts(stream, new NdjsonReaderOptions { Strict = true });
        var alerts = reader.ReadAll().ToList();
        Assert.Equal(alerts.Count, Encoding.UTF8.GetString(File.ReadAllBytes(FilePath)).Count(c => c == '\n'));
        return alerts;
    }
}
