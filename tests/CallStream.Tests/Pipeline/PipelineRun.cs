using System.Diagnostics;
using System.Reactive.Linq;
using CallStream.Generation;
using CallStream.Pipeline;
using CallStream.Rules;
using CallStream.Testing.Pipeline;

namespace CallStream.Tests.Pipeline;

/// <summary>One run of an <see cref="InteractionPipeline"/> over a <see cref="FakeInteractionSource"/>, with in-memory stores.</summary>
internal sealed class PipelineRun : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly CancellationTokenSource _stop = new();

    private PipelineRun(FakeTopic topic, FakeInteractionSource source, InteractionPipeline pipeline, MemoryStore<Alert> alerts, MemoryStore<Interaction> interactions)
    {
        Topic = topic;
        Source = source;
        Pipeline = pipeline;
        Alerts = alerts;
        Interactions = interactions;
        Run = Task.Run(() => pipeline.RunAsync(_stop.Token));
    }

    public FakeTopic Topic { get; }

    public FakeInteractionSource Source { get; }

    public InteractionPipeline Pipeline { get; }

    public MemoryStore<Alert> Alerts { get; }

    public MemoryStore<Interaction> Interactions { get; }

    public Task<PipelineSummary> Run { get; }

    /// <summary>Small batches, so that a run writes many, and no wait for partial ones beyond a few milliseconds.</summary>
    public static BatchingOptions Batching => new() { BatchSize = 100, FlushInterval = TimeSpan.FromMilliseconds(5), FirstRetryDelay = TimeSpan.Zero, MaxAttempts = 2 };

    public static InteractionPipelineOptions Options(bool warmUp = true, TimeSpan? lateness = null) => new()
    {
        IdleTimeout = TimeSpan.Zero,
        AllowedLateness = lateness ?? TimeSpan.FromSeconds(5),
        WarmUp = warmUp,
    };

    public static PipelineRun Start(FakeTopic topic, MemoryStore<Alert>? alerts = null, MemoryStore<Interaction>? interactions = null, InteractionPipelineOptions? options = null, IEnumerable<int>? partitions = null, BatchingOptions? batching = null)
    {
        var source = new FakeInteractionSource(topic, partitions);
        var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet, options ?? Options());
        alerts ??= MemoryStore.ForAlerts();
        interactions ??= MemoryStore.ForInteractions();
        pipeline.AddAlertSink("memory:alerts", alerts, batching ?? Batching);
        pipeline.AddInteractionSink("memory:interactions", interactions, batching ?? Batching);
        return new PipelineRun(topic, source, pipeline, alerts, interactions);
    }

    public static List<Interaction> Rows(int count, int perDay = 2000) =>
        [.. new InteractionGenerator(new InteractionGeneratorOptions { Seed = 11, InteractionsPerDay = perDay }).Generate(count)];

    /// <summary>The alerts of <c>replay</c>: the rule engine over the rows in file order, completed at the end.</summary>
    public static List<Alert> Replay(IEnumerable<Interaction> rows) => [.. rows.ToObservable().DetectAlerts(DefaultRules.RuleSet).ToEnumerable()];

    /// <summary>Waits (polling, with a deadline) until a condition on the statistics holds; fails early when the run ends.</summary>
    public async Task WaitAsync(Func<PipelineStatistics, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(Pipeline.GetStatistics()))
        {
            if (Run.IsCompleted)
            {
                await Run; // throws its failure, if any
                Assert.Fail($"The pipeline stopped before {what}.");
            }
            if (clock.Elapsed > Deadline)
                Assert.Fail($"{what} did not happen within {Deadline.TotalSeconds} s: {Pipeline.GetStatistics()}");
            await Task.Delay(2);
        }
    }

    /// <summary>Waits until every partition the source owns has been read to its end by the pipeline.</summary>
    public Task WaitAllReadAsync() => WaitAsync(
        s => s.Partitions.Count > 0 && s.Partitions.Count == Source.Owned.Count && s.Partitions.All(p => p.CaughtUp && p.LastReadOffset == Topic.EndOf(p.Partition) - 1),
        "reading every partition to its end");

    public async Task<PipelineSummary> StopAsync()
    {
        await _stop.CancelAsync();
        return await Run;
    }

    public async Task<PipelineSummary> CompleteAsync()
    {
        Pipeline.Complete();
        return await Run;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Run;
        }
#pragma warning disable CA1031 // a test that expected the failure has checked it already
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        await Pipeline.DisposeAsync();
        _stop.Dispose();
    }
}
