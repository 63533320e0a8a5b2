using CallStream.Kafka.Tests.Support;
using CallStream.Testing.Network;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Configuration;

/// <summary><see cref="KafkaClientOptions.ConnectTimeout"/>: a client that reaches no broker at start fails, naming the servers.</summary>
public sealed class ConnectTimeoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Source_WithNoBrokerListening_FailsAfterTheConnectTimeout_NamingTheServersAndTheLastError()
    {
        string servers = "127.0.0.1:" + LoopbackPorts.Closed();
        await using var source = new KafkaInteractionSource(new KafkaSourceOptions { BootstrapServers = servers, ConnectTimeout = TimeSpan.FromSeconds(1) });

        var ex = await Assert.ThrowsAsync<KafkaException>(async () =>
        {
            await foreach (var _ in source.ReadAsync(cancellationToken: Ct).WithCancellation(Ct))
            {
            }
        }).WaitAsync(Eventually.Generous, Ct);

        Assert.Equal(ErrorCode.Local_AllBrokersDown, ex.Error.Code);
        Assert.StartsWith($"no Kafka broker answered at {servers} within 1 s (last error: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("after 0ms", ex.Message, StringComparison.Ordinal);
        Assert.False(source.AssignedNone);
    }

    [Fact]
    public async Task Sink_WithNoBrokerListening_FailsTheFirstWriteAfterTheConnectTimeout_NotTheDeliveryTimeout()
    {
        string servers = "127.0.0.1:" + LoopbackPorts.Closed();
        var log = new ListLoggerFactory();
        await using var sink = new KafkaInteractionSink(new KafkaSinkOptions { BootstrapServers = servers, ConnectTimeout = TimeSpan.FromSeconds(1), DeliveryTimeout = TimeSpan.FromMinutes(10) }, log);

        var ex = await Assert.ThrowsAsync<KafkaException>(async () => await sink.WriteBatchAsync(TestData.Interactions(3), Ct)).WaitAsync(Eventually.Generous, Ct);

        Assert.Equal(ErrorCode.Local_AllBrokersDown, ex.Error.Code);
        Assert.StartsWith($"no Kafka broker answered at {servers} within 1 s", ex.Message, StringComparison.Ordinal);
        // librdkafka reports a refused connection as a log line and as an error: it is logged once, as a warning.
        var warnings = log.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("Connection refused", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(warnings);
        Assert.All(warnings, w => Assert.Equal(4003, w.EventId));
    }

    [Fact]
    public async Task Sink_ReachingABroker_WritesAsBefore()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic("consumerdata", 1);
        var options = KafkaOptions.Sink(cluster);
        options.ConnectTimeout = TimeSpan.FromSeconds(30);
        await using var sink = new KafkaInteractionSink(options);

        await sink.WriteBatchAsync(TestData.Interactions(3), Ct);

        Assert.Equal(3, TopicCounts.Total(cluster, "consumerdata", 1));
    }

    [Theory]
    [InlineData("broker:9092", "broker:9092")]
    [InlineData("SASL_SSL://bob:hunter2@broker-1:9093,broker-2:9093", "SASL_SSL://bob:***@broker-1:9093,broker-2:9093")]
    [InlineData("alice:s3cr3t@10.0.0.1:9092", "alice:***@10.0.0.1:9092")]
    public void Unreachable_MasksPasswordsInTheServers(string servers, string shown)
    {
        var ex = BrokerReachability.Unreachable(servers, TimeSpan.FromSeconds(15), new Error(ErrorCode.Local_Transport, $"{servers}/bootstrap: Connect failed: Connection refused (after 3ms in state CONNECT, 2 identical error(s) suppressed)"));

        Assert.Equal($"no Kafka broker answered at {shown} within 15 s (last error: {shown}/bootstrap: Connect failed: Connection refused).", ex.Message);
    }

    [Fact]
    public void ConnectTimeout_OutOfRange_IsRefusedNamingTheOption()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), new KafkaSinkOptions().ConnectTimeout);
        new KafkaSourceOptions { ConnectTimeout = Timeout.InfiniteTimeSpan }.Validate();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new KafkaSourceOptions { ConnectTimeout = TimeSpan.Zero }.Validate());
        Assert.Contains("KafkaSourceOptions.ConnectTimeout", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => new KafkaSinkOptions { ConnectTimeout = TimeSpan.FromSeconds(-2) }.Validate());
        Assert.Contains("KafkaSinkOptions.ConnectTimeout", ex.Message, StringComparison.Ordinal);
    }
}
