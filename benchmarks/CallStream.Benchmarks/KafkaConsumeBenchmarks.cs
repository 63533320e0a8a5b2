using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using CallStream.Json;
using CallStream.Kafka;
using CallStream.Ndjson;
using CallStream.Rules;
using Confluent.Kafka;

namespace CallStream.Benchmarks;

/// <summary>
/// Consuming <see cref="MessageCount"/> interactions (JSON) from <see cref="Partitions"/> partitions of an in-process
/// cluster, group join included, each operation with a fresh consumer group: a bare Confluent consumer that decodes
/// nothing (issue 4's reference) and one that decodes each message with the serializer (BenchmarkDotNet's baseline),
/// <see cref="KafkaInteractionSource"/> alone, the source feeding the rule engine, and the whole pipeline (default
/// rules, alerts to an NDJSON file). One operation is one message; compare the ratios of one run, not absolute figures.
/// </summary>
/// <remarks>Two jobs: the default (workstation) GC, and the GC settings a consumer app should use and
/// samples/CallStream.Consumer uses (server GC with one heap, not affinitized; CallStream.Kafka's README). Compare the
/// cases within one job.</remarks>
[MemoryDiagnoser]
[Config(typeof(GcJobs))]
public class KafkaConsumeBenchmarks
{
    /// <summary>The two jobs: the default GC, and a consumer app's GC settings.</summary>
    private sealed class GcJobs : ManualConfig
    {
        public GcJobs()
        {
            var job = Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5);
            AddJob(job.WithId("workstation-gc"));
            AddJob(job.WithGcServer(true).WithHeapCount(1).WithNoAffinitize(true).WithId("consumer-gc"));
        }
    }

    /// <summary>The messages on the topic.</summary>
    public const int MessageCount = 200_000;

    /// <summary>The topic's partitions.</summary>
    public const int Partitions = 8;

    /// <summary>The interactions per write of the <c>producer</c> layout (as <c>callstream produce</c> writes).</summary>
    public const int ProducerWrite = 5_000;

    private const string Topic = "interactions";

    private InProcessKafkaCluster _cluster = null!;
    private string _directory = "";
    private int _group;

    /// <summary>
    /// Gets or sets how the topic is written: <c>producer</c> (the default) through <see cref="KafkaInteractionSink"/> in
    /// writes of 5,000 interactions, as <c>callstream produce</c> and the demo write it; <c>bulk</c> through a plain
    /// producer given every message at once, which fills record batches of up to 1 MB per partition (QUICK_LAYOUT=bulk
    /// in the quick mode; the figures recorded before the fifth session used it). Both give the same ratios within the
    /// noise, and the pipeline holds as many events for the watermark with either: that count comes from the brokers
    /// serving the partitions at uneven rates, not from the batch size.
    /// </summary>
    [Params("producer")]
    public string Layout { get; set; } = Environment.GetEnvironmentVariable("QUICK_LAYOUT") ?? "producer";

    [GlobalSetup]
    public void Setup()
    {
        _cluster = InProcessKafkaCluster.Start(3);
        _cluster.CreateTopic(Topic, Partitions, 3);
        _directory = Directory.CreateTempSubdirectory("callstream-bench-").FullName;
        var events = GeneratedInteractions.InOrder(MessageCount);
        if (Layout == "bulk")
        {
            var config = _cluster.CreateProducerConfig();
            config.LingerMs = 5;
            config.CompressionType = CompressionType.Lz4;
            using var producer = new ProducerBuilder<string, byte[]>(config).Build();
            foreach (var e in events)
            {
                var value = JsonSerializer.SerializeToUtf8Bytes(e, CallStreamJsonContext.Default.Interaction);
                producer.Produce(Topic, new Message<string, byte[]> { Key = e.CustomerId, Value = value, Timestamp = new Timestamp(e.StartTime) });
            }
            producer.Flush();
            return;
        }

        if (Layout != "producer")
            throw new InvalidOperationException($"Unknown layout '{Layout}': use producer or bulk.");
        using var sink = new KafkaInteractionSink(new KafkaSinkOptions { Topic = Topic, BootstrapServers = _cluster.BootstrapServers, MessageTimestamp = KafkaMessageTimestamp.EventTime, Compression = CompressionType.Lz4 });
        foreach (var chunk in events.Chunk(ProducerWrite))
            sink.WriteBatchAsync(chunk, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cluster.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// A bare consumer (the cluster's tuned configuration) that only counts the messages, decoding nothing: the
    /// ceiling of the client itself, for reference (no use of the data is possible at this speed).
    /// </summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long BareConsumer() => ConsumeAll(static value => value is { Length: > 0 });

    /// <summary>A bare consumer (the cluster's tuned configuration) decoding every message into an interaction.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MessageCount)]
    public long BareConsumerWithJson() =>
        ConsumeAll(static value => JsonSerializer.Deserialize(value, CallStreamJsonContext.Default.Interaction) is not null);

    /// <summary>The source alone: every record event read (and its offset stored at once).</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public async Task<long> Source()
    {
        await using var source = new KafkaInteractionSource(SourceOptions());
        using var stop = new CancellationTokenSource();
        long count = 0;
        await foreach (var e in source.ReadAsync(null, stop.Token).ConfigureAwait(false))
        {
            if (e.Kind == InteractionSourceEventKind.Record)
            {
                source.StoreOffset(e.Partition, e.Offset + 1);
                if (++count == MessageCount)
                    await stop.CancelAsync().ConfigureAwait(false);
            }
        }
        return count;
    }

    /// <summary>The source feeding a bare rule engine directly (no checkpoints, no sinks): the floor for the pipeline.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public async Task<long> SourceAndEngine()
    {
        await using var source = new KafkaInteractionSource(SourceOptions());
        using var stop = new CancellationTokenSource();
        long alerts = 0;
        using var engine = new RuleEngine(DefaultRules.RuleSet, _ => alerts++);
        long count = 0;
        await foreach (var e in source.ReadAsync(null, stop.Token).ConfigureAwait(false))
        {
            switch (e.Kind)
            {
                case InteractionSourceEventKind.PartitionAssigned:
                    engine.AddPartition(e.Partition);
                    break;
                case InteractionSourceEventKind.Record:
                    engine.Offer(new PartitionedInteraction(e.Interaction!, e.Partition, e.Offset));
                    source.StoreOffset(e.Partition, e.Offset + 1);
                    if (++count == MessageCount)
                        await stop.CancelAsync().ConfigureAwait(false);
                    break;
            }
        }
        engine.Complete();
        return alerts;
    }

    /// <summary>The whole pipeline: source, event-time ordering, the seven default rules, alerts to an NDJSON file.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public Task<long> Pipeline() => RunPipelineAsync(withInteractionSink: false);

    /// <summary>The same with an interaction sink that keeps every interaction id, as the demo's reconciliation does.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public Task<long> PipelineWithInteractionSink() => RunPipelineAsync(withInteractionSink: true);

    private async Task<long> RunPipelineAsync(bool withInteractionSink)
    {
        string path = Path.Combine(_directory, $"alerts-{_group}.ndjson");
        await using var source = new KafkaInteractionSource(SourceOptions());
        await using var sink = new NdjsonAlertSink(path);
        var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet);
        await using (pipeline.ConfigureAwait(false))
        {
            pipeline.AddAlertSink("ndjson", sink);
            if (withInteractionSink)
                pipeline.AddInteractionSink("ids", new IdSink());
            using var watch = new Timer(_ =>
            {
                var statistics = pipeline.GetStatistics();
                MaxHeld = Math.Max(MaxHeld, statistics.Held);
                if (statistics.Consumed >= MessageCount)
                    pipeline.Complete();
            }, null, 10, 10);
            var summary = await pipeline.RunAsync(CancellationToken.None).ConfigureAwait(false);
            if (summary.Evaluated != MessageCount)
                throw new InvalidOperationException($"Evaluated {summary.Evaluated} of {MessageCount}.");
            File.Delete(path);
            return summary.Alerts;
        }
    }

    /// <summary>An interaction sink that keeps the ids it was given.</summary>
    private sealed class IdSink : IBatchedSink<Interaction>
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

        public ValueTask WriteBatchAsync(IReadOnlyList<Interaction> batch, CancellationToken cancellationToken)
        {
            foreach (var interaction in batch)
                _ids.Add(interaction.InteractionId);
            return ValueTask.CompletedTask;
        }
    }

    private KafkaSourceOptions SourceOptions() => CreateSourceOptions(_cluster, Topic, NextGroup());

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> ProgressTopics = new();

    /// <summary>
    /// Source options for a topic of the in-process cluster: its tuned consumer settings, and those of QUICK_SET. The
    /// group's progress topic is created ahead, as it exists in a deployment after the first run: this cluster cannot
    /// create topics through the admin API, and the source's fallback waits seconds for it, mostly while stopping.
    /// </summary>
    internal static KafkaSourceOptions CreateSourceOptions(InProcessKafkaCluster cluster, string topic, string group)
    {
        if (ProgressTopics.TryAdd(cluster.BootstrapServers + "/" + group, true))
            cluster.CreateTopic(group + "-progress", 1, 3);
        var options = new KafkaSourceOptions { Topic = topic, GroupId = group, BootstrapServers = cluster.BootstrapServers };
        // Client settings to try (QUICK_SET="name=value;name=value" in the quick mode).
        foreach (string setting in (Environment.GetEnvironmentVariable("QUICK_SET") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            options.Settings[setting[..setting.IndexOf('=', StringComparison.Ordinal)]] = setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..];
        foreach (var (key, value) in cluster.CreateConsumerConfig("unused"))
        {
            if (key is not ("bootstrap.servers" or "group.id" or "auto.offset.reset"))
                options.Settings[key] = value;
        }
        return options;
    }

    /// <summary>Reads every message with a plain consumer of a fresh group, counting those that <paramref name="use"/> accepts.</summary>
    private long ConsumeAll(Func<byte[], bool> use)
    {
        var config = _cluster.CreateConsumerConfig(NextGroup());
        config.EnableAutoOffsetStore = false;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Subscribe(Topic);
        long count = 0;
        while (count < MessageCount)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"Nothing consumed after {count} messages.");
            if (use(result.Message.Value))
                count++;
        }
        consumer.Close();
        return count;
    }

    /// <summary>Gets or sets the most events the last pipelines held for the watermark at once (sampled every 10 ms).</summary>
    public static int MaxHeld { get; set; }

    private string NextGroup() => $"bench-{Interlocked.Increment(ref _group)}";
}
