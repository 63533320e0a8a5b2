using System.Diagnostics;
using System.Reactive.Linq;
using CallStream.Generation;
using CallStream.Kafka.Tests.Support;
using CallStream.Ndjson;
using CallStream.Pipeline;
using CallStream.Rules;
using CallStream.Testing.Pipeline;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka.Tests.Pipeline;

/// <summary>
/// A generated log produced to a multi-partition topic of an in-process cluster (event-time message timestamps), the
/// alerts of <c>replay</c> over the same rows, and pipelines that consume the topic into shared, idempotent stores: an
/// NDJSON alert file and an in-memory interaction store. Ends with a reconciliation of rows, topic and stores.
/// </summary>
internal sealed class KafkaPipelineScenario : IAsyncDisposable
{
    public const string Topic = "consumerdata";
    public const string Group = "callstream";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    private readonly ITestOutputHelper _output;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "callstream-kafka-pipeline-" + Guid.NewGuid().ToString("N"));
    private readonly List<PipelineHandle> _pipelines = [];

    private KafkaPipelineScenario(ITestOutputHelper output, InProcessKafkaCluster cluster, int partitions, List<Interaction> rows)
    {
        _output = output;
        Cluster = cluster;
        Partitions = partitions;
        Rows = rows;
        Expected = PipelineRunReplay(rows);
        Directory.CreateDirectory(_directory);
        AlertFile = new NdjsonAlertSink(Path.Combine(_directory, "alerts.ndjson"));
    }

    public InProcessKafkaCluster Cluster { get; }

    public int Partitions { get; }

    public List<Interaction> Rows { get; }

    public List<Alert> Expected { get; }

    public NdjsonAlertSink AlertFile { get; }

    public MemoryStore<Interaction> Interactions { get; } = MemoryStore.ForInteractions();

    public ListLoggerFactory Logs { get; } = new();

    /// <summary>Closed, it stops the interaction store: the pipelines stall on backpressure, mid-stream.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a 3-broker cluster, creates the topic (partition p led by broker p % 3 + 1, the group's coordinator on broker 1) and produces the rows with <see cref="KafkaInteractionSink"/> (event-time timestamps).</summary>
    public static async Task<KafkaPipelineScenario> CreateAsync(ITestOutputHelper output, int rows = 20_000, int partitions = 6, KafkaMessageTimestamp timestamps = KafkaMessageTimestamp.EventTime)
    {
        var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions, replicationFactor: 3);
        cluster.CreateTopic(Group + KafkaSourceOptions.ProgressSuffix, 1, replicationFactor: 3);
        for (int p = 0; p < partitions; p++)
            cluster.SetPartitionLeader(Topic, p, p % 3 + 1);
        cluster.SetGroupCoordinator(Group, 1);
        var log = new InteractionGenerator(new InteractionGeneratorOptions { Seed = 5, InteractionsPerDay = 5000 }).Generate(rows).ToList();

        var sinkOptions = KafkaOptions.Sink(cluster, Topic);
        sinkOptions.MessageTimestamp = timestamps;
        await using (var producer = new KafkaInteractionSink(sinkOptions))
        await using (var batching = new BatchingSink<Interaction>(producer, "kafka:consumerdata", new BatchingOptions { BatchSize = 5000 }))
        {
            foreach (var interaction in log)
                await batching.EnqueueAsync(interaction);
            await batching.FlushAsync();
        }
        return new KafkaPipelineScenario(output, cluster, partitions, log);
    }

    /// <summary>Starts a pipeline in the group, writing to the shared stores.</summary>
    public PipelineHandle StartPipeline(string name, bool warmUp = true)
    {
        var sourceOptions = KafkaOptions.Source(Cluster, Topic, Group);
        sourceOptions.EventQueueCapacity = 1000;
        var source = new KafkaInteractionSource(sourceOptions, Logs);
        var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet, new InteractionPipelineOptions { IdleTimeout = TimeSpan.FromMilliseconds(200), WarmUp = warmUp }, Logs);
        var batching = new BatchingOptions { BatchSize = 500, QueueCapacity = 1000, FlushInterval = TimeSpan.FromMilliseconds(50), FirstRetryDelay = TimeSpan.FromMilliseconds(10), MaxAttempts = 3 };
        pipeline.AddAlertSink("ndjson:alerts", AlertFile, batching);
        pipeline.AddInteractionSink("memory:interactions", new GatedSink(Interactions, Gate), batching);
        var handle = new PipelineHandle(name, pipeline, source);
        _pipelines.Add(handle);
        return handle;
    }

    public async Task WaitAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            foreach (var p in _pipelines.Where(p => p.Run.IsFaulted))
                await p.Run; // throws the failure
            if (clock.Elapsed > Deadline)
                Assert.Fail($"{what} did not happen within {Deadline.TotalSeconds} s; {string.Join("; ", _pipelines.Select(p => p.Name + ": " + p.Pipeline.GetStatistics()))}");
            await Task.Delay(10);
        }
    }

    /// <summary>Waits until the pipelines together own every partition and have read each to its end.</summary>
    public Task WaitAllReadAsync(params PipelineHandle[] pipelines) => WaitAsync(
        () =>
        {
            var caughtUp = pipelines.SelectMany(p => p.Pipeline.GetStatistics().Partitions).Where(p => p.CaughtUp).Select(p => p.Partition).ToHashSet();
            return caughtUp.Count == Partitions;
        },
        "reading every partition to its end");

    /// <summary>Checks rows vs topic vs stores and prints the figures: nothing lost, each alert stored once.</summary>
    public Reconciliation Reconcile(params PipelineSummary[] summaries)
    {
        var ends = TopicCounts.Ends(Cluster, Topic, Partitions);
        long inTopic = ends.Sum(e => e.High - e.Low);
        List<Alert> stored;
        using (var file = new FileStream(AlertFile.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = NdjsonReader.ForAlerts(file, new NdjsonReaderOptions { Strict = true }))
            stored = [.. reader.ReadAll()];
        var committed = Committed();
        var r = new Reconciliation(
            Rows.Count, inTopic, summaries.Sum(s => s.Consumed), summaries.Sum(s => s.WarmUpEvents), summaries.Sum(s => s.Statistics.Replayed),
            summaries.Sum(s => s.Evaluated), summaries.Sum(s => s.Alerts), summaries.Sum(s => s.AlertsNotReemitted), summaries.Sum(s => s.Late),
            Interactions.Items.Count, Interactions.Duplicates, stored.Count, stored.Select(a => a.AlertId).Distinct().Count(), AlertFile.DuplicatesSuppressed, Expected.Count,
            string.Join(",", committed.Select((c, p) => $"{p}:{c}/{ends[p].High}")));
        _output.WriteLine(r.ToString());
        foreach (var entry in Logs.Entries.Where(e => e.Level >= LogLevel.Warning || e.EventId == 4032 || e.Category.Contains("InteractionPipeline", StringComparison.Ordinal) || e.Message.Contains("revoked", StringComparison.OrdinalIgnoreCase)).Take(80))
            _output.WriteLine($"  [{entry.Level}] {entry.Message}");

        Assert.Equal(Rows.Count, inTopic);                                                   // produced = rows
        Assert.Equal(Rows.Select(i => i.InteractionId).Order(), Interactions.Items.Keys.Order()); // nothing lost
        Assert.Equal(stored.Count, r.AlertIdsStored);                                        // each alert stored once
        Assert.Equal(ends.Select(e => e.High), committed);                                   // every offset committed
        StoredAlerts = stored;
        return r;
    }

    public List<Alert> StoredAlerts { get; private set; } = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var pipeline in _pipelines)
            await pipeline.DisposeAsync();
        Gate.TrySetResult();
        await AlertFile.DisposeAsync();
        Cluster.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private List<long> Committed() => TopicCounts.Committed(Cluster, Group, Topic, Partitions);

    /// <summary>The alerts of <c>replay</c>: the rules over the rows in file order, completed at the end.</summary>
    private static List<Alert> PipelineRunReplay(IEnumerable<Interaction> rows) => [.. rows.ToObservable().DetectAlerts(DefaultRules.RuleSet).ToEnumerable()];

    /// <summary>The interaction store behind a gate the scenario opens.</summary>
    private sealed class GatedSink(MemoryStore<Interaction> store, TaskCompletionSource gate) : IBatchedSink<Interaction>
    {
        public async ValueTask WriteBatchAsync(IReadOnlyList<Interaction> batch, CancellationToken cancellationToken)
        {
            await gate.Task.WaitAsync(cancellationToken);
            await store.WriteBatchAsync(batch, cancellationToken);
        }
    }
}

/// <summary>A pipeline of a scenario, running in the background until stopped or completed.</summary>
internal sealed class PipelineHandle : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public PipelineHandle(string name, InteractionPipeline pipeline, IInteractionSource source)
    {
        Name = name;
        Pipeline = pipeline;
        Source = source;
        Run = Task.Run(() => pipeline.RunAsync(_stop.Token));
    }

    public string Name { get; }

    public InteractionPipeline Pipeline { get; }

    public IInteractionSource Source { get; }

    public Task<PipelineSummary> Run { get; }

    public PipelineStatistics Statistics => Pipeline.GetStatistics();

    public async Task<PipelineSummary> StopAsync()
    {
        await _stop.CancelAsync();
        return await Run.WaitAsync(TimeSpan.FromSeconds(120));
    }

    public async Task<PipelineSummary> CompleteAsync()
    {
        Pipeline.Complete();
        return await Run.WaitAsync(TimeSpan.FromSeconds(120));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Run.WaitAsync(TimeSpan.FromSeconds(120));
        }
#pragma warning disable CA1031 // reported by the test that awaited the run
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        await Pipeline.DisposeAsync();
        await Source.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>The figures of a scenario's end: rows vs topic vs stores.</summary>
internal sealed record Reconciliation(
    long Rows, long InTopic, long Consumed, long WarmUpEvents, long Replayed, long Evaluated, long AlertsEmitted, long AlertsNotReemitted, long Late,
    long InteractionsStored, long InteractionDuplicatesWritten, long AlertLines, long AlertIdsStored, long AlertDuplicatesSuppressed, long ReplayAlerts, string Committed)
{
    public override string ToString() =>
        $"rows {Rows}, in topic {InTopic}, consumed {Consumed} (warm-up {WarmUpEvents}, replayed {Replayed}), evaluated {Evaluated}, late {Late}; " +
        $"interactions stored {InteractionsStored} (duplicate writes {InteractionDuplicatesWritten}); alerts emitted {AlertsEmitted}, not re-emitted {AlertsNotReemitted}, " +
        $"lines in file {AlertLines}, distinct ids {AlertIdsStored}, duplicates suppressed {AlertDuplicatesSuppressed}, replay {ReplayAlerts}; committed {Committed}";
}
