using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CallStream.Json;
using CallStream.Kafka;
using CallStream.Ndjson;
using CallStream.Pipeline;
using CallStream.Rules;
using Confluent.Kafka;

namespace CallStream.Benchmarks;

/// <summary>
/// The Kafka side of the original system's naive design (one round trip per message) against CallStream's batched
/// paths, on an in-process cluster (3 brokers, 8 partitions, replication 3). One operation is one message of
/// <see cref="Messages"/> generated interactions (ns/message).
/// </summary>
/// <remarks>
/// <para><b>Produce.</b> <see cref="NaiveProduce"/>: serialize each interaction and <c>await ProduceAsync</c> it before
/// the next (idempotent, <c>acks=all</c>, LZ4 like CallStream's sink, but <c>linger.ms=0</c>: with the sink's 5 ms each
/// message would wait the linger). <see cref="CallStreamProduce"/>: <c>callstream produce</c>'s path, a
/// <see cref="KafkaInteractionSink"/> behind a <see cref="BatchingSink{T}"/> of 5,000, every message acknowledged.</para>
/// <para><b>Consume.</b> Each iteration first produces the interactions to a fresh topic (not timed), then reads them
/// with a fresh consumer group, group join and the last commit included. <see cref="NaiveConsume"/>: consume →
/// deserialize → a threshold evaluated inline (failed call) → synchronous <c>Commit</c> per message.
/// <see cref="CallStreamConsume"/>: <see cref="InteractionPipeline"/> over a <see cref="KafkaInteractionSource"/> with
/// the seven default rules, alerts to an NDJSON file (fsync per batch), offsets stored once durable and committed in the
/// background; it ends through <see cref="InteractionPipeline.Complete"/> once every message was consumed (polled every
/// 10 ms), so its figure includes evaluating the held events and the final flush and commit.</para>
/// <para>The in-process cluster keeps about 5 MB per partition: the produce benchmarks write to one topic again and
/// again (older batches are dropped, which a producer does not see); each consume iteration has its own topic.</para>
/// </remarks>
[MemoryDiagnoser]
[ShortRunJob]
public class NaiveDesignBenchmarks
{
    /// <summary>Messages per operation set.</summary>
    public const int Messages = 20_000;

    private const int Partitions = 8;
    private const int Replication = 3;
    private const string ProduceTopic = "produce-bench";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    private InProcessKafkaCluster _cluster = null!;
    private Interaction[] _interactions = [];
    private Message<string, byte[]>[] _messages = [];
    private IProducer<string, byte[]> _naiveProducer = null!;
    private KafkaInteractionSink _sink = null!;
    private string _directory = "";
    private int _iteration;
    private string _consumeTopic = "";
    private string _consumeGroup = "";

    [GlobalSetup]
    public void Setup()
    {
        _cluster = InProcessKafkaCluster.Start(Replication);
        _cluster.CreateTopic(ProduceTopic, Partitions, Replication);
        _interactions = GeneratedInteractions.InOrder(Messages);
        _messages = _interactions.Select(i => new Message<string, byte[]>
        {
            Key = i.CustomerId,
            Value = JsonSerializer.SerializeToUtf8Bytes(i, CallStreamJsonContext.Default.Interaction),
            Timestamp = new Timestamp(i.StartTime),
        }).ToArray();

        var naive = _cluster.CreateProducerConfig();
        naive.EnableIdempotence = true;
        naive.Acks = Acks.All;
        naive.CompressionType = CompressionType.Lz4;
        naive.LingerMs = 0;
        _naiveProducer = new ProducerBuilder<string, byte[]>(naive).Build();

        var options = new KafkaSinkOptions { BootstrapServers = _cluster.BootstrapServers, Topic = ProduceTopic, MessageTimestamp = KafkaMessageTimestamp.EventTime, Compression = CompressionType.Lz4 };
        options.Settings["reconnect.backoff.ms"] = "10";
        options.Settings["retry.backoff.ms"] = "10";
        _sink = new KafkaInteractionSink(options);

        _directory = Directory.CreateTempSubdirectory("callstream-naive-bench-").FullName;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _naiveProducer.Dispose();
        _sink.Dispose();
        _cluster.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The original producer: one message, one acknowledged round trip, then the next.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<long> NaiveProduce()
    {
        long offsets = 0;
        foreach (var interaction in _interactions)
        {
            var message = new Message<string, byte[]>
            {
                Key = interaction.CustomerId,
                Value = JsonSerializer.SerializeToUtf8Bytes(interaction, CallStreamJsonContext.Default.Interaction),
                Timestamp = new Timestamp(interaction.StartTime),
            };
            var result = await _naiveProducer.ProduceAsync(ProduceTopic, message).ConfigureAwait(false);
            offsets += result.Offset.Value;
        }
        return offsets;
    }

    /// <summary><c>callstream produce</c>'s path: batches of 5,000 through the Kafka sink, each acknowledged before the next.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<long> CallStreamProduce()
    {
        var batching = new BatchingOptions { BatchSize = 5000, QueueCapacity = 4 * 5000, MaxAttempts = 1 };
        var sink = new BatchingSink<Interaction>(_sink, "kafka:" + ProduceTopic, batching);
        await using (sink.ConfigureAwait(false))
        {
            foreach (var interaction in _interactions)
                await sink.EnqueueAsync(interaction).ConfigureAwait(false);
            await sink.FlushAsync().ConfigureAwait(false);
            return sink.Written == Messages ? sink.Written : throw new InvalidOperationException($"Wrote {sink.Written} of {Messages}.");
        }
    }

    /// <summary>Produces the interactions to a fresh topic for the next consume iteration (not timed).</summary>
    [IterationSetup(Targets = [nameof(NaiveConsume), nameof(CallStreamConsume)])]
    public void ProduceForConsume()
    {
        _iteration++;
        _consumeTopic = $"consume-bench-{_iteration}";
        _consumeGroup = $"group-{_iteration}";
        _cluster.CreateTopic(_consumeTopic, Partitions, Replication);
        _cluster.CreateTopic(_consumeTopic + KafkaSourceOptions.DeadLetterSuffix, 1, Replication);
        var config = _cluster.CreateProducerConfig();
        config.CompressionType = CompressionType.Lz4;
        using var producer = new ProducerBuilder<string, byte[]>(config).Build();
        foreach (var message in _messages)
            producer.Produce(_consumeTopic, message);
        if (producer.Flush(Timeout) != 0)
            throw new InvalidOperationException($"Could not produce the {Messages} messages to {_consumeTopic} within {Timeout}.");
    }

    /// <summary>The original consumer: consume, deserialize, check a threshold, commit synchronously — per message.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public long NaiveConsume()
    {
        var config = _cluster.CreateConsumerConfig(_consumeGroup);
        config.EnableAutoCommit = false;
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(config).Build();
        consumer.Subscribe(_consumeTopic);
        long read = 0, failed = 0;
        long deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (read < Messages)
        {
            if (Environment.TickCount64 > deadline)
                throw new InvalidOperationException($"Read {read} of {Messages} messages from {_consumeTopic} within {Timeout}.");
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { } result)
                continue;
            var interaction = JsonSerializer.Deserialize(result.Message.Value, CallStreamJsonContext.Default.Interaction)
                ?? throw new InvalidOperationException($"Message {result.TopicPartitionOffset} is null.");
            if (interaction.Outcome == Outcome.Failed)
                failed++;
            consumer.Commit(result);
            read++;
        }
        consumer.Close();
        return failed;
    }

    /// <summary>CallStream: source → event-time ordering → the 7 default rules → NDJSON alerts, offsets stored when durable.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public async Task<long> CallStreamConsume()
    {
        var options = new KafkaSourceOptions { BootstrapServers = _cluster.BootstrapServers, Topic = _consumeTopic, GroupId = _consumeGroup };
        options.Settings["reconnect.backoff.ms"] = "10";
        options.Settings["retry.backoff.ms"] = "10";
        options.Settings["heartbeat.interval.ms"] = "500";
        options.Settings["session.timeout.ms"] = "3000";
        var source = new KafkaInteractionSource(options);
        await using (source.ConfigureAwait(false))
        {
            var alerts = new NdjsonAlertSink(Path.Combine(_directory, _consumeTopic + ".ndjson"));
            await using (alerts.ConfigureAwait(false))
            {
                var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet);
                await using (pipeline.ConfigureAwait(false))
                {
                    pipeline.AddAlertSink("ndjson", alerts);
                    using var stop = new CancellationTokenSource(Timeout);
                    var running = pipeline.RunAsync(stop.Token);
                    while (!running.IsCompleted && pipeline.GetStatistics().Consumed < Messages)
                        await Task.WhenAny(running, Task.Delay(10, CancellationToken.None)).ConfigureAwait(false);
                    pipeline.Complete();
                    var summary = await running.ConfigureAwait(false);
                    return summary.Evaluated == Messages && !stop.IsCancellationRequested
                        ? summary.Alerts
                        : throw new InvalidOperationException($"Evaluated {summary.Evaluated} of {Messages} messages from {_consumeTopic}.");
                }
            }
        }
    }
}
