using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;

namespace CallStream.Rules.Tests.Engine;

public class BatchedSinkObservableTests
{
    [Fact]
    public async Task WriteToAsync_WritesEveryItemInOrder_InBatchesOfAtMostTheSize()
    {
        var sink = new RecordingSink();

        await Observable.Range(0, 25).WriteToAsync(sink, maxBatchSize: 10, TimeSpan.FromHours(1), Scheduler.Default, TestContext.Current.CancellationToken);

        Assert.Equal([10, 10, 5], sink.Batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 25), sink.Batches.SelectMany(b => b));
    }

    [Fact]
    public async Task WriteToAsync_WritesAPartialBatchAfterTheDelay_InVirtualTime()
    {
        var scheduler = new HistoricalScheduler();
        var source = new Subject<int>();
        var sink = new RecordingSink();
        var written = source.WriteToAsync(sink, maxBatchSize: 100, TimeSpan.FromSeconds(5), scheduler, TestContext.Current.CancellationToken);
        source.OnNext(1);
        source.OnNext(2);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.Empty(sink.Batches);
        scheduler.AdvanceBy(TimeSpan.FromTicks(1));
        Assert.Equal([[1, 2]], sink.Batches);
        Assert.False(written.IsCompleted);
        source.OnNext(3);
        source.OnCompleted();
        await written;
        Assert.Equal([[1, 2], [3]], sink.Batches);
    }

    [Fact]
    public async Task WriteToAsync_EmptySource_CompletesWithoutWriting()
    {
        var sink = new RecordingSink();
        await Observable.Empty<int>().WriteToAsync(sink, TestContext.Current.CancellationToken);
        Assert.Empty(sink.Batches);
    }

    [Fact]
    public async Task WriteToAsync_SinkFailure_FailsTheTaskAndUnsubscribes()
    {
        var source = new Subject<int>();
        var sink = new RecordingSink { Failure = new IOException("disk full") };
        var written = source.WriteToAsync(sink, maxBatchSize: 1, TimeSpan.FromHours(1), Scheduler.Default, TestContext.Current.CancellationToken);
        source.OnNext(1);
        var error = await Assert.ThrowsAsync<IOException>(() => written);
        Assert.Equal("disk full", error.Message);
        Assert.False(source.HasObservers);
    }

    [Fact]
    public async Task WriteToAsync_SourceError_FailsTheTask()
    {
        var sink = new RecordingSink();
        var failure = new InvalidOperationException("broken source");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Observable.Throw<int>(failure).WriteToAsync(sink, TestContext.Current.CancellationToken));
        Assert.Same(failure, error);
    }

    [Fact]
    public async Task WriteToAsync_Cancelled_Unsubscribes()
    {
        var source = new Subject<int>();
        using var cancellation = new CancellationTokenSource();
        var written = source.WriteToAsync(new RecordingSink(), cancellation.Token);
        Assert.True(source.HasObservers);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => written);
        Assert.False(source.HasObservers);
    }

    [Fact]
    public void WriteToAsync_ChecksArguments()
    {
        var source = Observable.Empty<int>();
        var sink = new RecordingSink();
        var token = TestContext.Current.CancellationToken;
        Assert.Throws<ArgumentNullException>(() => { _ = ((IObservable<int>)null!).WriteToAsync(sink, token); });
        Assert.Throws<ArgumentNullException>(() => { _ = source.WriteToAsync(null!, token); });
        Assert.Throws<ArgumentNullException>(() => { _ = source.WriteToAsync(sink, 1, TimeSpan.FromSeconds(1), null!, token); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = source.WriteToAsync(sink, 0, TimeSpan.FromSeconds(1), Scheduler.Default, token); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = source.WriteToAsync(sink, 1, TimeSpan.Zero, Scheduler.Default, token); });
    }

    private sealed class RecordingSink : IBatchedSink<int>
    {
        public List<List<int>> Batches { get; } = [];

        public Exception? Failure { get; init; }

        public ValueTask WriteBatchAsync(IReadOnlyList<int> batch, CancellationToken cancellationToken)
        {
            if (Failure is not null)
                return ValueTask.FromException(Failure);
            Batches.Add([.. batch]);
            return ValueTask.CompletedTask;
        }
    }
}
