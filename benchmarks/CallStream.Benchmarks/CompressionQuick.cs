using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CallStream.Kafka;
using Confluent.Kafka;

namespace CallStream.Benchmarks;

/// <summary>
/// The cost of each producer compression (<c>quick compression</c>): 200,000 generated interactions produced to a
/// fresh 16-partition topic of an in-process cluster through <see cref="KafkaInteractionSink"/> in writes of 5,000 (as
/// <c>callstream produce</c> writes), timed; then the bytes the brokers sent a consumer reading the whole topic
/// (librdkafka's <c>rxbytes</c>: the record batches as stored, plus a little protocol), and the time that read took.
/// 16 partitions keep each partition below the in-process cluster's 5 MB, so nothing is dropped.
/// </summary>
internal static class CompressionQuick
{
    private const int Count = 200_000;
    private const int Write = 5_000;
    private const int Partitions = 16;
    private const string Topic = "interactions";

    public static void Run(int rounds)
    {
        var interactions = GeneratedInteractions.InOrder(Count);
        CompressionType[] kinds = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
        var results = new List<string>();
        foreach (var kind in kinds)
        {
            double bestProduce = double.MaxValue, bestRead = double.MaxValue;
            long bytes = 0;
            for (int round = 0; round <= rounds; round++)
            {
                using var cluster = InProcessKafkaCluster.Start();
                cluster.CreateTopic(Topic, Partitions, replicationFactor: 3);
                var options = new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers, Topic = Topic, Compression = kind, MessageTimestamp = KafkaMessageTimestamp.EventTime };
                long start = Stopwatch.GetTimestamp();
                using (var sink = new KafkaInteractionSink(options))
                {
                    for (int i = 0; i < Count; i += Write)
                        sink.WriteBatchAsync(new ArraySegment<Interaction>(interactions, i, Math.Min(Write, Count - i)), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
                double produce = Stopwatch.GetElapsedTime(start).TotalSeconds;
                start = Stopwatch.GetTimestamp();
                bytes = ReadAll(cluster);
                double read = Stopwatch.GetElapsedTime(start).TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compression round {round}{(round == 0 ? " (warm-up)" : "")}: {kind,-6} produce {produce:F2} s ({Count / produce:N0}/s), read {read:F2} s, {bytes:N0} bytes"));
                if (round > 0)
                {
                    bestProduce = Math.Min(bestProduce, produce);
                    bestRead = Math.Min(bestRead, read);
                }
            }
            results.Add(string.Create(CultureInfo.InvariantCulture, $"| {kind} | {bestProduce:F2} s ({Count / bestProduce:N0}/s) | {bestRead:F2} s | {bytes / 1e6:F1} MB ({(double)bytes / Count:F0} B each) |"));
        }
        Console.WriteLine("| compression | produce (best) | read back (best) | bytes fetched |");
        Console.WriteLine("|---|---|---|---|");
        foreach (string line in results)
            Console.WriteLine(line);
    }

    /// <summary>Reads the topic to its end; returns the bytes received from the brokers, from the client's statistics.</summary>
    private static long ReadAll(InProcessKafkaCluster cluster)
    {
        var config = cluster.CreateConsumerConfig("compression-" + Guid.NewGuid().ToString("N"));
        config.StatisticsIntervalMs = 100;
        config.EnablePartitionEof = true;
        string? statistics = null;
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(config).SetStatisticsHandler((_, json) => Volatile.Write(ref statistics, json)).SetLogHandler((_, _) => { }).Build();
        consumer.Subscribe(Topic);
        long read = 0;
        int ends = 0;
        var clock = Stopwatch.StartNew();
        while ((read < Count || ends < Partitions) && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
                continue;
            if (result.IsPartitionEOF)
                ends++;
            else
                read++;
        }
        if (read != Count)
            throw new InvalidOperationException($"read {read} of {Count} messages");
        // The statistics lag by up to one interval: take one emitted after the read ended.
        Volatile.Write(ref statistics, null);
        while (Volatile.Read(ref statistics) is null)
            consumer.Consume(TimeSpan.FromMilliseconds(50));
        consumer.Close();
        using var document = JsonDocument.Parse(statistics!);
        long bytes = 0;
        foreach (var broker in document.RootElement.GetProperty("brokers").EnumerateObject())
            bytes += broker.Value.GetProperty("rxbytes").GetInt64();
        return bytes;
    }
}
