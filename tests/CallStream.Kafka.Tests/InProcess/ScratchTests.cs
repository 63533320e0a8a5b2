using System.Diagnostics;
using CallStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.InProcess;

public sealed class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        var sw = Stopwatch.StartNew();
        using var cluster = InProcessKafkaCluster.Start();
        output.WriteLine($"start {sw.ElapsedMilliseconds} ms {cluster.BootstrapServers}");
        cluster.CreateTopic("t", 6, 3);
        var plog = new ClientLog();
        using (var producer = KafkaClients.Producer(cluster.CreateProducerConfig(), plog))
        {
            var r = KafkaClients.ProduceNumbered(producer, "t", 20000);
            producer.Flush(TimeSpan.FromSeconds(30));
            output.WriteLine($"produced {r.Count} {sw.ElapsedMilliseconds} ms errors {r.All.Count(x => x.Error.IsError)}");
        }
        var clog = new ClientLog();
        using (var consumer = KafkaClients.Consumer(cluster.CreateConsumerConfig("g"), clog))
        {
            consumer.Subscribe("t");
            var got = KafkaClients.ConsumeAtLeast(consumer, 20000, TimeSpan.FromSeconds(30));
            output.WriteLine($"consumed {got.Count} {sw.ElapsedMilliseconds} ms");
            consumer.Close();
            output.WriteLine($"closed {sw.ElapsedMilliseconds} ms");
        }
        output.WriteLine(plog.ToString());
        output.WriteLine(clog.ToString());
        cluster.Dispose();
        output.WriteLine($"disposed {sw.ElapsedMilliseconds} ms");
        output.WriteLine(File.ReadAllLines("/proc/self/maps").Where(l => l.Contains("rdkafka")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last()).Distinct().Aggregate("", (a, b) => a + b + "\n"));
    }
}
