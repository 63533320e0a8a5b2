using System.Diagnostics;
using CallStream.Rules;
using CallStream.Testing.Pipeline;

namespace CallStream.Tests.Pipeline;

/// <summary>Offsets are stored by the pipeline's loop once the records before them are durable, also while it waits for records.</summary>
public class CheckpointStoringTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WritesThatBecomeDurableWhileTheLoopWaits_AreStored_WithoutAnotherRecord()
    {
        const int count = 50;
        var topic = new FakeTopic(1);
        topic.Append(PipelineRun.Rows(count));
        var source = new FakeInteractionSource(topic);
        var sink = new GatedSink();
        await using var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet, PipelineRun.Options());
        pipeline.AddInteractionSink("gated", sink, PipelineRun.Batching);
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => pipeline.RunAsync(stop.Token), TestContext.Current.CancellationToken);

        try
        {
            // Everything read and what the watermark passed evaluated, nothing durable: the loop now waits for a record that does not come.
            await WaitAsync(run, () => pipeline.GetStatistics() is { Evaluated: > 0 } s && s.Partitions[0].CaughtUp && sink.Waiting, "records evaluated and a write begun");
            Assert.Equal(-1, pipeline.GetStatistics().Partitions[0].StoredOffset);
            Assert.False(source.Stored.ContainsKey(0));

            sink.Open();

            await WaitAsync(run, () => pipeline.GetStatistics().Partitions[0].StoredOffset > 0, "an offset stored");
            var stored = pipeline.GetStatistics().Partitions[0].StoredOffset;
            Assert.Equal(stored, source.Stored[0]);
            Assert.Equal(count, pipeline.GetStatistics().Consumed);
        }
        finally
        {
            sink.Open(); // a failed wait must not leave the stop waiting for the write
        }
        await stop.CancelAsync();
        var summary = await run;
        Assert.Equal(summary.Evaluated, summary.Statistics.Sinks[0].Written);
    }

    private static async Task WaitAsync(Task run, Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (run.IsCompleted)
            {
                await run;
                Assert.Fail($"The pipeline stopped before {what}.");
            }
            if (clock.Elapsed > Deadline)
                Assert.Fail($"{what} did not happen within {Deadline.TotalSeconds} s.");
            await Task.Delay(2, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>An interaction sink whose writes wait until it is opened.</summary>
    private sealed class GatedSink : IBatchedSink<Interaction>
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _waiting;

        public bool Waiting => _waiting;

        public void Open() => _gate.TrySetResult();

        public async ValueTask WriteBatchAsync(IReadOnlyList<Interaction> batch, CancellationToken cancellationToken)
        {
            _waiting = true;
            await _gate.Task.ConfigureAwait(false);
        }
    }
}
