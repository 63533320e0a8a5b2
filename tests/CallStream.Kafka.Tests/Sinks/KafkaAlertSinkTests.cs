using System.Text;
using System.Text.Json;
using CallStream.Json;
using CallStream.Kafka.Tests.Support;
using CallStream.Pipeline;

namespace CallStream.Kafka.Tests.Sinks;

/// <summary>The alert sink against the in-process cluster.</summary>
public sealed class KafkaAlertSinkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteThroughBatchingSink_EveryAlertArrivesOnce_KeyedByItsKey_OnTheAlertsTopic()
    {
        const int count = 500;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(KafkaSinkOptions.DefaultAlertsTopic, partitions: 3, replicationFactor: 3);
        var alerts = Enumerable.Range(0, count).Select(TestData.Alert).ToList();

        await using (var sink = new KafkaAlertSink(KafkaOptions.Sink(cluster)))
        {
            Assert.Equal("callstream-alerts", sink.Topic);
            await using var batching = new BatchingSink<Alert>(sink, "kafka:alerts", new BatchingOptions { BatchSize = 64 });
            foreach (var alert in alerts)
                await batching.EnqueueAsync(alert, cancellationToken: Ct);
            await batching.FlushAsync(Ct);
        }

        var consumed = RawClients.ReadAll(cluster, KafkaSinkOptions.DefaultAlertsTopic, count);
        Assert.Equal(count, consumed.Count);
        Assert.Equal(count, TopicCounts.Total(cluster, KafkaSinkOptions.DefaultAlertsTopic, 3));
        var byId = alerts.ToDictionary(a => a.AlertId);
        foreach (var record in consumed)
        {
            var read = JsonSerializer.Deserialize(record.Message.Value, CallStreamJsonContext.Default.Alert)!;
            Assert.Equal(byId[read.AlertId], read);
            Assert.Equal(read.Key, Encoding.UTF8.GetString(record.Message.Key!));
        }
    }

    [Fact]
    public async Task DeliveryFailure_NamesTheAlertIds()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic("alerts", partitions: 1);
        var options = KafkaOptions.Sink(cluster, "alerts");
        options.DeliveryTimeout = TimeSpan.FromMilliseconds(500);
        await using var sink = new KafkaAlertSink(options);
        await using (var warmUp = new BatchingSink<Alert>(sink, "kafka", new BatchingOptions { MaxAttempts = 60, FirstRetryDelay = TimeSpan.FromMilliseconds(50) }))
        {
            await warmUp.EnqueueAsync(TestData.Alert(0), cancellationToken: Ct); // sets the producer up, however slow the machine
            await warmUp.FlushAsync(Ct);
        }

        cluster.SetAllBrokersDown();

        var failing = new[] { TestData.Alert(1), TestData.Alert(2) };
        var ex = await Assert.ThrowsAsync<KafkaDeliveryException>(async () => await sink.WriteBatchAsync(failing, Ct));

        Assert.Equal(failing.Select(a => a.AlertId), ex.FailedIds);
        Assert.Equal("alerts", ex.Topic);
    }

    [Fact]
    public async Task WriteBatchAsync_BadArguments_Throw()
    {
        await using var sink = new KafkaAlertSink(new KafkaSinkOptions { BootstrapServers = "127.0.0.1:1" });
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await sink.WriteBatchAsync(null!, Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await sink.WriteBatchAsync([null!], Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KafkaAlertSink(new KafkaSinkOptions { Linger = TimeSpan.FromSeconds(-1) }));
    }
}
