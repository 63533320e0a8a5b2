using System.Diagnostics;
using System.Net;
using CallStream.Kafka.Native;

namespace CallStream.Kafka.Tests.Native;

/// <summary>Waking the mock cluster's thread when librdkafka misses the wake-up of a command.</summary>
public sealed class MockThreadWakerTests
{
    [Fact]
    public void ParseEndpoints_ReadsTheMockBootstrapList_AndSkipsWhatIsNotAnIpAndPort()
    {
        var endpoints = MockThreadWaker.ParseEndpoints("127.0.0.1:9092, 127.0.0.1:40001,localhost:1,127.0.0.1:x,127.0.0.1:70000,:5");

        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 9092), new IPEndPoint(IPAddress.Loopback, 40001)], endpoints);
    }

    [Fact]
    public void Cluster_WakerKnowsEveryBroker()
    {
        using var cluster = InProcessKafkaCluster.Start(4);
        Assert.Equal(4, MockThreadWaker.ParseEndpoints(cluster.BootstrapServers).Length);
    }

    [Fact]
    public async Task ConcurrentFaultInjections_AreServedWithoutOneSecondStalls()
    {
        // Without the waker, librdkafka 2.16.0 serves nearly every concurrent command only when its poll times out
        // (1 s): 4 threads x 25 commands took about 25 s. With it they take well under a second.
        var ct = TestContext.Current.CancellationToken;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic("t", partitions: 3, replicationFactor: 3);
        var clock = Stopwatch.StartNew();

        var workers = Enumerable.Range(0, 4).Select(n => Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < 25; i++)
                {
                    cluster.SetBrokerRoundTripTime(1 + ((n + i) % 3), TimeSpan.FromMilliseconds(i % 3));
                    cluster.SetPartitionLeader("t", i % 3, 1 + (n % 3));
                }
            },
            ct,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60), ct);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"200 commands took {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
