using CallStream.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Tests.Pipeline;

public class BatchingSinkTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Flush_WritesFullBatchesThenTheRest_InOrder()
    {
        var sink = new RecordingSink<int>();
        await using var batching = new BatchingSink<int>(sink, "test", new BatchingOptions { BatchSize = 1000, QueueCapacity = 5000 }, new FakeTimeProvider());

        for (int i = 0; i < 2500; i++)
            await batching.EnqueueAsync(i, null, TestContext.Current.CancellationToken);
        await batching.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 2500), sink.All());
        Assert.All(sink.Batches, b => Assert.InRange(b.Count, 1, 1000));
        Assert.Equal(2500, batching.Written);
    }

    [Fact]
    public async Task PartialBatch_IsWrittenOnceTheFlushIntervalHasPassed_InFakeTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var sink = new RecordingSink<int> { Clock = time.GetUtcNow };
        await using var batching = new BatchingSink<int>(sink, "test", new BatchingOptions { BatchSize = 100, FlushInterval = TimeSpan.FromSeconds(1) }, time);

        var called = sink.NextCall;
        await batching.EnqueueAsync(1, null, TestContext.Current.CancellationToken);
        await batching.EnqueueAsync(2, null, TestContext.Current.CancellationToken);
        for (int step = 0; step < 1000 && !called.IsCompleted; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(called, Task.Delay(5, TestContext.Current.CancellationToken)); // hands the loop a thread; fake time drives the interval
        }

        await called.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.True(sink.CallTimes[0] >= DateTimeOffset.UnixEpoch.AddSeconds(1), "the batch was written before its flush interval");
        await batching.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal([1, 2], sink.All());
    }

    [Fact]
    public async Task FullQueue_MakesWritersWait_UntilTheSinkCatchesUp()
    {
        var sink = new RecordingSink<int> { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var batching = new BatchingSink<int>(sink, "test", new BatchingOptions { BatchSize = 1, QueueCapacity = 2 }, new FakeTimeProvider());
        var ct = TestContext.Current.CancellationToken;

        var firstCall = sink.NextCall;
        await batching.EnqueueAsync(1, null, ct);
        await firstCall.WaitAsync(Deadline, ct); // item 1 is in the (blocked) sink
        await batching.EnqueueAsync(2, null, ct);
        await batching.EnqueueAsync(3, null, ct);
        var fourth = batching.EnqueueAsync(4, null, ct).AsTask();

        Assert.False(fourth.IsCompleted, "the fourth item should wait for queue space");
        sink.Gate.SetResult();
        await fourth.WaitAsync(Deadline, ct);
        await batching.FlushAsync(ct).WaitAsync(Deadline, ct);
        Assert.Equal([1, 2, 3, 4], sink.All());
    }

    [Fact]
    public async Task FailingBatch_IsRetried_AndTicketsReleasedOnlyWhenDurable()
    {
        var sink = new RecordingSink<int> { FailuresToInject = 2 };
        var tracker = new CheckpointTracker();
        await using var batching = new BatchingSink<int>(sink, "test", new BatchingOptions { FirstRetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, new FakeTimeProvider());
        var ticket = tracker.Begin(0, 41);
        await batching.EnqueueAsync(7, ticket, TestContext.Current.CancellationToken);
        ticket.Complete();
        Assert.False(ticket.IsDone);

        await batching.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(3, sink.Calls);
        Assert.Equal([7], sink.All());
        Assert.True(ticket.IsDone);
        Assert.True(tracker.TryGetCommittable(0, out long offset));
        Assert.Equal(42, offset);
    }

    [Fact]
    public async Task PersistentFailure_FaultsTheSink_NamesIt_AndHoldsTheCheckpoint()
    {
        var sink = new RecordingSink<int> { FailuresToInject = int.MaxValue };
        var tracker = new CheckpointTracker();
        var batching = new BatchingSink<int>(sink, "mongo:alerts", new BatchingOptions { MaxAttempts = 3, FirstRetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, new FakeTimeProvider());
        var ticket = tracker.Begin(2, 0);
        await batching.EnqueueAsync(1, ticket, TestContext.Current.CancellationToken);
        ticket.Complete();

        var ex = await Assert.ThrowsAsync<SinkWriteException>(() => batching.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken));

        Assert.Equal("mongo:alerts", ex.SinkName);
        Assert.Equal(3, ex.Attempts);
        Assert.Contains("injected failure", ex.Message, StringComparison.Ordinal);
        Assert.False(tracker.TryGetCommittable(2, out _));
        await Assert.ThrowsAsync<SinkWriteException>(() => batching.Completion.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        Assert.Throws<SinkWriteException>(() => { _ = batching.EnqueueAsync(2, null, TestContext.Current.CancellationToken); });
        await batching.DisposeAsync();
    }

    [Fact]
    public async Task PermanentRejection_IsNotRetried_IsCounted_AndReleasesTheTickets()
    {
        // Any retry would wait for the (virtual) backoff, which never passes here: the flush completing shows there was none.
        var sink = new ScriptedSink<string>(call => call == 1 ? Reject([1], othersStored: true) : null);
        var tracker = new CheckpointTracker();
        await using var batching = new BatchingSink<string>(sink, "mongo:alerts", new BatchingOptions { BatchSize = 3 }, new FakeTimeProvider());
        var tickets = new List<RecordTicket>();
        foreach (string item in new[] { "a", "bad", "c" })
        {
            var ticket = tracker.Begin(0, tickets.Count);
            tickets.Add(ticket);
            await batching.EnqueueAsync(item, ticket, TestContext.Current.CancellationToken);
            ticket.Complete();
        }

        await batching.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(1, sink.Calls);
        Assert.Equal(1, batching.Rejected);
        Assert.Equal(2, batching.Written);
        Assert.All(tickets, t => Assert.True(t.IsDone));
        Assert.True(tracker.TryGetCommittable(0, out long offset));
        Assert.Equal(3, offset);
        Assert.False(batching.Completion.IsCompleted, "a rejection does not fail the sink");
    }

    [Fact]
    public async Task PermanentRejection_OfTheWholeBatch_WritesNothingAndRetriesNothing()
    {
        var sink = new ScriptedSink<string>(_ => Reject([0, 1], othersStored: false));
        await using var batching = new BatchingSink<string>(sink, "test", new BatchingOptions { BatchSize = 2 }, new FakeTimeProvider());
        await batching.EnqueueAsync("x", null, TestContext.Current.CancellationToken);
        await batching.EnqueueAsync("y", null, TestContext.Current.CancellationToken);

        await batching.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(1, sink.Calls);
        Assert.Equal(2, batching.Rejected);
        Assert.Equal(0, batching.Written);
    }

    [Fact]
    public async Task TransientFailure_IsRetriedAfterTheBackoff_InVirtualTime()
    {
        var time = new TimerWatchingTimeProvider();
        var sink = new ScriptedSink<string>(call => call <= 2 ? new TimeoutException("primary stepped down") : null);
        await using var batching = new BatchingSink<string>(sink, "test", new BatchingOptions { BatchSize = 1, FirstRetryDelay = TimeSpan.FromMilliseconds(200) }, time);
        var ct = TestContext.Current.CancellationToken;

        await batching.EnqueueAsync("a", null, ct);
        var flushed = batching.FlushAsync(ct);
        await time.WaitForTimerAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(Deadline, ct);
        time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(1, sink.Calls);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await time.WaitForTimerAsync(TimeSpan.FromMilliseconds(400)).WaitAsync(Deadline, ct); // the delay doubles
        Assert.Equal(2, sink.Calls);
        time.Advance(TimeSpan.FromMilliseconds(400));
        await flushed.WaitAsync(Deadline, ct);

        Assert.Equal(3, sink.Calls);
        Assert.Equal(1, batching.Written);
        Assert.Equal(0, batching.Rejected);
    }

    [Fact]
    public async Task PartialRejection_WithTransientFailures_RetriesOnlyTheOthers_AfterTheBackoff()
    {
        var time = new TimerWatchingTimeProvider();
        var sink = new ScriptedSink<string>(call => call == 1 ? Reject([0], othersStored: false) : null);
        await using var batching = new BatchingSink<string>(sink, "test", new BatchingOptions { BatchSize = 3, FirstRetryDelay = TimeSpan.FromMilliseconds(300) }, time);
        var ct = TestContext.Current.CancellationToken;
        foreach (string item in new[] { "bad", "b", "c" })
            await batching.EnqueueAsync(item, null, ct);
        var flushed = batching.FlushAsync(ct);

        await time.WaitForTimerAsync(TimeSpan.FromMilliseconds(300)).WaitAsync(Deadline, ct);
        Assert.False(flushed.IsCompleted);
        Assert.Equal(1, batching.Rejected); // reported at once, before the retry of the others
        time.Advance(TimeSpan.FromMilliseconds(300));
        await flushed.WaitAsync(Deadline, ct);

        Assert.Equal([["bad", "b", "c"], ["b", "c"]], sink.Batches);
        Assert.Equal(1, batching.Rejected);
        Assert.Equal(2, batching.Written);
    }

    [Fact]
    public async Task RejectionNamingNoItemOfTheBatch_IsAnOrdinaryFailure_Retried()
    {
        var sink = new ScriptedSink<string>(call => call == 1 ? Reject([5], othersStored: true) : null);
        await using var batching = new BatchingSink<string>(sink, "test", new BatchingOptions { FirstRetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.Zero }, new FakeTimeProvider());
        await batching.EnqueueAsync("a", null, TestContext.Current.CancellationToken);

        await batching.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(2, sink.Calls);
        Assert.Equal(0, batching.Rejected);
        Assert.Equal(1, batching.Written);
    }

    private static SinkItemsRejectedException Reject(int[] positions, bool othersStored) =>
        new("refused", [.. positions.Select(p => new RejectedItem(p, "code 121: Document failed validation"))], othersStored, null);

    [Fact]
    public async Task Dispose_WritesThePartialBatch_WithoutWaitingForTheInterval()
    {
        var sink = new RecordingSink<string>();
        var batching = new BatchingSink<string>(sink, "test", new BatchingOptions { BatchSize = 100, FlushInterval = TimeSpan.FromHours(1) }, new FakeTimeProvider());
        await batching.EnqueueAsync("a", null, TestContext.Current.CancellationToken);
        await batching.EnqueueAsync("b", null, TestContext.Current.CancellationToken);

        await batching.DisposeAsync().AsTask().WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.Equal(["a", "b"], sink.All());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => batching.EnqueueAsync("c", null, TestContext.Current.CancellationToken).AsTask());
    }

    [Fact]
    public void Constructor_ChecksArgumentsAndOptions()
    {
        var sink = new RecordingSink<int>();
        Assert.Throws<ArgumentNullException>(() => new BatchingSink<int>(null!, "x"));
        Assert.Throws<ArgumentException>(() => new BatchingSink<int>(sink, " "));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingSink<int>(sink, "x", new BatchingOptions { BatchSize = 0 }));
        Assert.Contains("BatchingOptions.BatchSize", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingSink<int>(sink, "x", new BatchingOptions { FlushInterval = TimeSpan.Zero }));
        Assert.Contains("FlushInterval", ex.Message, StringComparison.Ordinal);
    }
}
