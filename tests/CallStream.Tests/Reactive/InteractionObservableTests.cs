using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Text;
using CallStream.Csv;
using CallStream.Generation;
using CallStream.Ndjson;
using CallStream.Rules;

namespace CallStream.Tests.Reactive;

public sealed class InteractionObservableTests(InteractionObservableTests.Files files) : IClassFixture<InteractionObservableTests.Files>
{
    private const int Rows = 20_000;
    private readonly string _directory = files.Directory;
    private readonly List<Interaction> _interactions = files.Interactions;
    private readonly string _csv = files.Csv;
    private readonly string _ndjson = files.Ndjson;

    /// <summary>The generated interactions, written once as CSV and NDJSON for every test of the class.</summary>
    public sealed class Files : IDisposable
    {
        public Files()
        {
            var generator = new InteractionGenerator(new InteractionGeneratorOptions { Seed = 7 });
            Interactions = [.. generator.Generate(Rows)];
            Csv = System.IO.Path.Combine(Directory, "interactions.csv");
            using (var writer = CsvInteractionWriter.Create(Csv, generator.AttributeColumns))
            {
                foreach (var interaction in Interactions)
                    writer.Write(interaction);
            }
            Ndjson = System.IO.Path.Combine(Directory, "interactions.ndjson");
            using (var writer = NdjsonWriter.ForInteractions(File.Create(Ndjson)))
            {
                foreach (var interaction in Interactions)
                    writer.Write(interaction);
            }
        }

        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("callstream-rx-").FullName;

        public List<Interaction> Interactions { get; }

        public string Csv { get; }

        public string Ndjson { get; }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    [Fact]
    public async Task FromCsv_ReadsEveryRowInFileOrder_OnEachSubscription()
    {
        var source = InteractionObservable.FromCsv(_csv);

        var first = await source.ToList();
        var second = await source.ToList();

        Assert.Equal(_interactions, first);
        Assert.Equal(_interactions, second);
    }

    [Fact]
    public async Task FromNdjson_ReadsEveryLineInFileOrder()
    {
        var read = await InteractionObservable.FromNdjson(_ndjson).ToList();

        Assert.Equal(_interactions, read);
    }

    [Fact]
    public async Task FromCsv_OnAnotherScheduler_ReadsOnThatScheduler()
    {
        int caller = Environment.CurrentManagedThreadId;
        var threads = new HashSet<int>();

        var read = await InteractionObservable.FromCsv(_csv, scheduler: NewThreadScheduler.Default).Do(_ => threads.Add(Environment.CurrentManagedThreadId)).ToList();

        Assert.Equal(Rows, read.Count);
        Assert.DoesNotContain(caller, threads);
    }

    [Fact]
    public async Task FromCsv_BadRows_AreReportedAndSkipped_NotErrors()
    {
        string path = Path.Combine(_directory, "bad.csv");
        var lines = File.ReadAllLines(_csv).Take(11).ToList();
        lines.Insert(3, "not,a,valid,row");
        lines.Insert(7, lines[1].Replace(",voice,", ",fax,", StringComparison.Ordinal).Replace(",chat,", ",fax,", StringComparison.Ordinal).Replace(",email,", ",fax,", StringComparison.Ordinal).Replace(",video,", ",fax,", StringComparison.Ordinal));
        await File.WriteAllLinesAsync(path, lines, TestContext.Current.CancellationToken);
        var rejected = new List<InputRejection>();

        var read = await InteractionObservable.FromCsv(path, new CsvReaderOptions { OnRejected = rejected.Add }).ToList();

        Assert.Equal(_interactions.Take(10), read);
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, r => Assert.Equal(path, r.Source));
        Assert.Equal([4L, 8L], rejected.Select(r => r.Line));
    }

    [Fact]
    public async Task FromCsv_Strict_FirstBadRowEndsTheSequenceWithOnError()
    {
        string path = Path.Combine(_directory, "strict.csv");
        var lines = File.ReadAllLines(_csv).Take(6).ToList();
        lines.Insert(3, "not,a,valid,row");
        await File.WriteAllLinesAsync(path, lines, TestContext.Current.CancellationToken);
        var read = new List<Interaction>();

        var error = await Assert.ThrowsAsync<InputRejectedException>(async () => await InteractionObservable.FromCsv(path, new CsvReaderOptions { Strict = true }).Do(read.Add));

        Assert.Equal(_interactions.Take(2), read);
        Assert.Contains(path + ":4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromNdjson_BadLines_AreReportedAndSkipped_NotErrors()
    {
        string path = Path.Combine(_directory, "bad.ndjson");
        var lines = File.ReadAllLines(_ndjson).Take(5).ToList();
        lines.Insert(2, "{\"not\": \"an interaction\"}");
        await File.WriteAllLinesAsync(path, lines, TestContext.Current.CancellationToken);
        var rejected = new List<InputRejection>();

        var read = await InteractionObservable.FromNdjson(path, new NdjsonReaderOptions { OnRejected = rejected.Add }).ToList();

        Assert.Equal(_interactions.Take(5), read);
        var rejection = Assert.Single(rejected);
        Assert.Equal((path, 3L), (rejection.Source, rejection.Line));
    }

    [Fact]
    public async Task FromCsv_MissingFile_IsAnError()
    {
        string missing = Path.Combine(_directory, "missing.csv");

        var error = await Assert.ThrowsAnyAsync<IOException>(async () => await InteractionObservable.FromCsv(missing));

        Assert.Contains("missing.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromNdjson_MissingFile_IsAnError()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await InteractionObservable.FromNdjson(Path.Combine(_directory, "missing.ndjson")));
    }

    [Fact]
    public async Task ToObservable_DisposedEarly_StopsReadingAndDisposesTheReader()
    {
        var stream = new WatchedStream(File.ReadAllBytes(_csv));
        var reader = new CsvInteractionReader(stream);

        var first = await reader.ToObservable().Take(3).ToList();

        Assert.Equal(_interactions.Take(3), first);
        Assert.True(stream.Disposed);
        Assert.True(stream.BytesRead < stream.Size / 4, $"read {stream.BytesRead} of {stream.Size} bytes");
    }

    [Fact]
    public async Task ToObservable_DisposedFromAnotherThread_StopsReading()
    {
        var stream = new WatchedStream(File.ReadAllBytes(_csv));
        using var firstRow = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int received = 0;
        var subscription = new CsvInteractionReader(stream).ToObservable(NewThreadScheduler.Default).Subscribe(_ =>
        {
            if (Interlocked.Increment(ref received) == 1)
            {
                firstRow.Set();
                release.Wait(TestContext.Current.CancellationToken);
            }
        });
        firstRow.Wait(TestContext.Current.CancellationToken);
        subscription.Dispose();
        release.Set();

        await stream.WhenDisposed.WaitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, Volatile.Read(ref received));
    }

    [Fact]
    public async Task ToObservable_NdjsonReader_ReadsItsStream()
    {
        var reader = NdjsonReader.ForInteractions(new MemoryStream(File.ReadAllBytes(_ndjson)));

        var read = await reader.ToObservable().ToList();

        Assert.Equal(_interactions, read);
    }

    [Fact]
    public async Task ToObservable_SecondSubscription_FailsBecauseAReaderIsReadOnce()
    {
        var source = new CsvInteractionReader(new MemoryStream(Encoding.UTF8.GetBytes(File.ReadAllText(_csv)))).ToObservable();
        Assert.Equal(Rows, (await source.ToList()).Count);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await source.ToList());

        Assert.Contains("read once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_AreCheckedWhenTheObservableIsMade()
    {
        Assert.Throws<ArgumentException>(() => InteractionObservable.FromCsv(""));
        Assert.Throws<ArgumentNullException>(() => InteractionObservable.FromNdjson(null!));
        Assert.Throws<ArgumentException>(() => InteractionObservable.FromCsv(_csv, new CsvReaderOptions { MaxRowLength = 0 }));
        Assert.Throws<ArgumentException>(() => InteractionObservable.FromNdjson(_ndjson, new NdjsonReaderOptions { MaxLineLength = 0 }));
        Assert.Throws<ArgumentNullException>(() => ((CsvInteractionReader)null!).ToObservable());
        Assert.Throws<ArgumentNullException>(() => ((NdjsonReader<Interaction>)null!).ToObservable());
    }

    [Fact]
    public async Task DetectAlerts_OverAFile_GivesTheAlertsOfTheReplayPath()
    {
        // The replay path: the engine fed directly from the reader, then completed.
        var expected = new List<Alert>();
        using (var engine = new RuleEngine(DefaultRules.RuleSet, expected.Add))
        using (var reader = new CsvInteractionReader(_csv))
        {
            foreach (var interaction in reader.ReadAll())
                engine.Offer(interaction);
            engine.Complete();
        }

        var alerts = await InteractionObservable.FromCsv(_csv).DetectAlerts(DefaultRules.RuleSet).ToList();

        Assert.True(expected.Select(a => a.Rule).Distinct().Count() >= 3, $"{expected.Count} alerts of too few rules");
        Assert.Equal(expected, alerts);
    }

    /// <summary>A read-only stream over bytes that counts what is read and tells when it is disposed.</summary>
    private sealed class WatchedStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _bytesRead;

        public long Size { get; } = bytes.Length;

        public long BytesRead => Interlocked.Read(ref _bytesRead);

        public bool Disposed => _disposed.Task.IsCompleted;

        public Task WhenDisposed => _disposed.Task;

        public override int Read(byte[] buffer, int offset, int count) => Count(base.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(base.Read(buffer));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        protected override void Dispose(bool disposing)
        {
            _disposed.TrySetResult();
            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            Interlocked.Add(ref _bytesRead, read);
            return read;
        }
    }
}
