using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using CallStream.Json;
using CallStream.Kafka;
using CallStream.Rules;
using Confluent.Kafka;

namespace CallStream.Benchmarks;

/// <summary>
/// The repartition hop (docs/architecture.md, "Several consumers"): <see cref="MessageCount"/> interactions through the
/// default rules, produced to <see cref="Partitions"/> partitions of an in-process cluster while the consumers run, timed
/// from the first write until every pipeline has read every message (their JSON made beforehand and given to one producer
/// at once, so that writing outpaces reading). Each operation uses a fresh topic and consumer group whose members have
/// joined and settled before the first write (untimed, <see cref="IterationSetupAttribute"/>: a rebalance on this cluster
/// takes about 2 s, more than reading the messages); completing the pipelines afterwards (the events still held for the
/// watermark evaluated, every message checked evaluated once) is untimed too. <see cref="AllRulesOnOnePipeline"/> (the baseline) runs
/// every rule in one pipeline on the source topic: what a single consumer could do if it knew it would stay alone, and
/// what the hop is measured against. <see cref="OneMember"/> runs what <c>callstream consume</c> runs: the rules grouped
/// by customer on the source records, a forwarder to the repartition topics and a pipeline per repartitioned part.
/// <see cref="TwoMembers"/> runs two members of the group in this process, as <c>demo --consumers 2</c> does. One
/// operation is one message.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Jobs))]
public class RepartitionBenchmarks
{
    private sealed class Jobs : ManualConfig
    {
        public Jobs() => AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
            .WithGcServer(true).WithHeapCount(1).WithNoAffinitize(true).WithId("consumer-gc"));
    }

    /// <summary>The messages produced per operation.</summary>
    public const int MessageCount = 100_000;

    /// <summary>The source topic's partitions.</summary>
    public const int Partitions = 8;

    private static readonly RuleSet Rules = DefaultRules.RuleSet;
    private static readonly RulePlacement Plan = RulePlacement.Plan(Rules, Field.CustomerId);

    private InProcessKafkaCluster _cluster = null!;
    private (string Key, byte[] Value, DateTimeOffset Time)[] _messages = [];
    private int _run;
    private Topology? _topology;

    /// <summary>Gets the group of the last topology run with a hop: read by <see cref="MeasureHop"/>.</summary>
    private string? _lastGroup;

    [GlobalSetup]
    public void Setup()
    {
        _cluster = InProcessKafkaCluster.Start(3);
        _messages = [.. GeneratedInteractions.InOrder(MessageCount).Select(e => (e.CustomerId, JsonSerializer.SerializeToUtf8Bytes(e, CallStreamJsonContext.Default.Interaction), e.StartTime))];
    }

    [GlobalCleanup]
    public void Cleanup() => _cluster.Dispose();

    [IterationSetup(Target = nameof(AllRulesOnOnePipeline))]
    public void StartPipeline() => _topology = Topology.StartAsync(this, 0).GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(OneMember))]
    public void StartOneMember() => _topology = Topology.StartAsync(this, 1).GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(TwoMembers))]
    public void StartTwoMembers() => _topology = Topology.StartAsync(this, 2).GetAwaiter().GetResult();

    [IterationCleanup]
    public void Stop()
    {
        if (_topology is null)
            return;
        try
        {
            _topology.CompleteAsync().GetAwaiter().GetResult();
        }
        finally
        {
            _topology.DisposeAsync().AsTask().GetAwaiter().GetResult();
            _topology = null;
        }
    }

    /// <summary>Every rule in one pipeline on the source topic: no hop. Returns the records the pipelines read.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = MessageCount)]
    public long AllRulesOnOnePipeline() => _topology!.RunAsync().GetAwaiter().GetResult();

    /// <summary>One member of the group running the whole topology.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long OneMember() => _topology!.RunAsync().GetAwaiter().GetResult();

    /// <summary>Two members of the group in this process, sharing the partitions of every topic.</summary>
    [Benchmark(OperationsPerInvoke = MessageCount)]
    public long TwoMembers() => _topology!.RunAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Reads the repartition topics the last topology with a hop wrote with a plain consumer and adds up what the hop
    /// wrote per source message: copies, and bytes of key, value and headers (uncompressed; the forwarder's batches are LZ4).
    /// </summary>
    /// <returns>A line describing the hop's cost.</returns>
    public string MeasureHop()
    {
        if (_lastGroup is null)
            return "hop: no topology with a hop ran";
        long records = 0, markers = 0, keyBytes = 0, valueBytes = 0, headerBytes = 0, markerBytes = 0;
        foreach (var part in Plan.Repartitioned)
        {
            string topic = RepartitionTopics.Name(_lastGroup, part.Name);
            var config = _cluster.CreateConsumerConfig($"hop-{topic}");
            using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
            int count = part.By is null ? 1 : Partitions;
            long total = Enumerable.Range(0, count).Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
            consumer.Assign(Enumerable.Range(0, count).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            for (long read = 0; read < total; read++)
            {
                var result = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException($"{topic}: {read} of {total} records read.");
                long headers = result.Message.Headers?.Sum(h => h.Key.Length + (h.GetValueBytes()?.Length ?? 0)) ?? 0;
                if (result.Message.Headers?.Any(h => h.Key == "callstream-progress") != true)
                {
                    records++;
                    keyBytes += result.Message.Key?.Length ?? 0;
                    valueBytes += result.Message.Value.Length;
                    headerBytes += headers;
                }
                else
                {
                    markers++;
                    markerBytes += (result.Message.Key?.Length ?? 0) + (result.Message.Value?.Length ?? 0) + headers;
                }
            }
        }
        return $"hop: {Plan.Repartitioned.Count} parts, {(double)records / MessageCount:F2} copies per message; per copy {(double)keyBytes / records:F1} B key + "
            + $"{(double)valueBytes / records:F1} B value + {(double)headerBytes / records:F1} B headers; "
            + $"{(double)markers / MessageCount:F3} markers per message ({(double)markerBytes / Math.Max(markers, 1):F1} B each); "
            + $"{(double)(keyBytes + valueBytes + headerBytes + markerBytes) / MessageCount:F0} B written per message before compression";
    }

    /// <summary>
    /// The consumers of one operation: with no member, one pipeline of every rule on the source topic; otherwise that many
    /// members of the topology. Started and settled before <see cref="RunAsync"/> writes the messages.
    /// </summary>
    private sealed class Topology : IAsyncDisposable
    {
        private readonly RepartitionBenchmarks _bench;
        private readonly string _topic;
        private readonly string _group;
        private readonly int _members;
        private readonly AlertCounter _alerts = new();
        private readonly List<(string? Part, IInteractionSource Source, InteractionPipeline Pipeline, Task<PipelineSummary> Run)> _stages = [];
        private readonly List<(KafkaRepartitionForwarder Forwarder, Task Run)> _forwarders = [];
        private readonly CancellationTokenSource _stop = new();

        private Topology(RepartitionBenchmarks bench, int members)
        {
            _bench = bench;
            _members = members;
            int run = Interlocked.Increment(ref bench._run);
            _topic = $"interactions-{run}";
            _group = $"hop-bench-{run}";
        }

        public static async Task<Topology> StartAsync(RepartitionBenchmarks bench, int members)
        {
            var topology = new Topology(bench, members);
            await topology.StartCoreAsync().ConfigureAwait(false);
            return topology;
        }

        private async Task StartCoreAsync()
        {
            var cluster = _bench._cluster;
            cluster.CreateTopic(_topic, Partitions, 3);
            if (_members == 0)
            {
                Start(null, new KafkaInteractionSource(SourceOptions(_topic, _group)), Rules);
                await WhenAsync(() => Owned(_stages.Select(s => s.Pipeline.GetStatistics().Partitions.Select(p => p.Partition)), Partitions), "the pipeline's assignment").ConfigureAwait(false);
                return;
            }

            // The repartition topics are created ahead, as the tests do: the in-process cluster has no CreateTopics.
            _bench._lastGroup = _group;
            foreach (var part in Plan.Repartitioned)
                cluster.CreateTopic(RepartitionTopics.Name(_group, part.Name), part.By is null ? 1 : Partitions, 3);
            var names = Plan.Repartitioned.Select(p => p.Name).ToList();
            for (int m = 0; m < _members; m++)
            {
                Start(null, new KafkaInteractionSource(SourceOptions(_topic, _group)), Plan.Local);
                var forwarder = new KafkaRepartitionForwarder(SourceOptions(_topic, _group), names);
                _forwarders.Add((forwarder, forwarder.RunAsync(_stop.Token)));
            }
            foreach (var (forwarder, _) in _forwarders)
                await forwarder.TopicsReady.ConfigureAwait(false);
            for (int m = 0; m < _members; m++)
            {
                foreach (var part in Plan.Repartitioned)
                {
                    var options = SourceOptions(RepartitionTopics.Name(_group, part.Name), RepartitionTopics.GroupId(_group, part.Name));
                    Start(part.Name, new KafkaRepartitionSource(options, Partitions), part.Rules);
                }
            }
            await WhenAsync(
                () => Owned(_stages.Where(s => s.Part is null).Select(s => s.Pipeline.GetStatistics().Partitions.Select(p => p.Partition)), Partitions)
                    && Owned(_forwarders.Select(f => f.Forwarder.AssignedPartitions), Partitions)
                    && Plan.Repartitioned.All(part => Owned(
                        _stages.Where(s => s.Part == part.Name).Select(s => ((KafkaRepartitionSource)s.Source).AssignedPartitions),
                        part.By is null ? 1 : Partitions)),
                "every group settling").ConfigureAwait(false);
        }

        private void Start(string? part, IInteractionSource source, RuleSet rules)
        {
            var pipeline = new InteractionPipeline(source, rules);
            pipeline.AddAlertSink("count", _alerts);
            _stages.Add((part, source, pipeline, pipeline.RunAsync(CancellationToken.None)));
        }

        /// <summary>
        /// Writes the messages (the JSON made beforehand, given to one producer at once) and waits until every pipeline
        /// has read them: each part's pipelines every copy the forwarders made. Returns the records read.
        /// </summary>
        public async Task<long> RunAsync()
        {
            var config = _bench._cluster.CreateProducerConfig();
            config.LingerMs = 5;
            config.CompressionType = CompressionType.Lz4;
            using (var producer = new ProducerBuilder<string, byte[]>(config).Build())
            {
                foreach (var (key, value, time) in _bench._messages)
                    producer.Produce(_topic, new Message<string, byte[]> { Key = key, Value = value, Timestamp = new Timestamp(time) });
                producer.Flush();
            }
            var parts = _members == 0 ? [null] : Plan.Repartitioned.Select(p => p.Name).Prepend(null).ToList();
            await WhenAsync(() => parts.All(part => _stages.Where(s => s.Part == part).Sum(s => s.Pipeline.GetStatistics().Consumed) >= MessageCount), "every pipeline reading every message").ConfigureAwait(false);
            return _stages.Sum(s => s.Pipeline.GetStatistics().Consumed);
        }

        /// <summary>Completes the pipelines (they evaluate the events still held for the watermark) and checks that every message was evaluated once.</summary>
        public async Task CompleteAsync()
        {
            foreach (var stage in _stages)
                stage.Pipeline.Complete();
            var summaries = await Task.WhenAll(_stages.Select(s => s.Run)).ConfigureAwait(false);
            long evaluated = summaries.Where((_, i) => _stages[i].Part is null).Sum(s => s.Evaluated);
            if (evaluated != MessageCount)
                throw new InvalidOperationException($"The pipelines on the source topic evaluated {evaluated} of {MessageCount} messages ({_alerts.Count} alerts).");
        }

        /// <summary>Waits until <paramref name="condition"/> holds, failing if a pipeline or forwarder ends first, or after two minutes.</summary>
        private async Task WhenAsync(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!condition())
            {
                if (_stages.Select(s => (Task)s.Run).Concat(_forwarders.Select(f => f.Run)).FirstOrDefault(t => t.IsCompleted) is { } ended)
                {
                    await ended.ConfigureAwait(false);
                    throw new InvalidOperationException($"A pipeline or forwarder ended before {what}.");
                }
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"No {what} within two minutes.");
                await Task.Delay(5).ConfigureAwait(false);
            }
        }

        private static bool Owned(IEnumerable<IEnumerable<int>> members, int partitions)
        {
            var owned = members.Select(m => m.ToList()).ToList();
            return owned.SelectMany(m => m).Distinct().Count() == partitions && (owned.Count > partitions || owned.All(m => m.Count > 0));
        }

        private KafkaSourceOptions SourceOptions(string topic, string group) => KafkaConsumeBenchmarks.CreateSourceOptions(_bench._cluster, topic, group);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            foreach (var (forwarder, run) in _forwarders)
            {
                await forwarder.DisposeAsync().ConfigureAwait(false);
                await run.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
            foreach (var stage in _stages)
            {
                await stage.Pipeline.DisposeAsync().ConfigureAwait(false);
                await ((IAsyncDisposable)stage.Source).DisposeAsync().ConfigureAwait(false);
            }
            _stop.Dispose();
        }
    }

    /// <summary>Counts the alerts written, from every pipeline at once.</summary>
    private sealed class AlertCounter : IBatchedSink<Alert>
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public ValueTask WriteBatchAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _count, batch.Count);
            return ValueTask.CompletedTask;
        }
    }
}
