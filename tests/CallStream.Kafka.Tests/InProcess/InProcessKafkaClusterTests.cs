using CallStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.InProcess;

/// <summary>The cluster's own API: starting, arguments, topics, configurations, tracking and disposal.</summary>
public sealed class InProcessKafkaClusterTests
{
    [Fact]
    public void Start_Default_HasThreeLoopbackBrokers()
    {
        using var cluster = InProcessKafkaCluster.Start();

        Assert.Equal(3, cluster.BrokerCount);
        var servers = cluster.BootstrapServers.Split(',');
        Assert.Equal(3, servers.Length);
        Assert.All(servers, s => Assert.StartsWith("127.0.0.1:", s, StringComparison.Ordinal));
        Assert.Equal(3, servers.Distinct().Count());
    }

    [Fact]
    public void Start_BrokerCount_EveryBrokerIsInMetadata()
    {
        using var cluster = InProcessKafkaCluster.Start(5);
        cluster.CreateTopic("calls", partitions: 10, replicationFactor: 5);
        using var admin = NewAdmin(cluster);

        var metadata = admin.GetMetadata(Eventually.Generous);

        Assert.Equal([1, 2, 3, 4, 5], metadata.Brokers.Select(b => b.BrokerId).Order());
        var topic = Assert.Single(metadata.Topics, t => t.Topic == "calls");
        Assert.Equal(10, topic.Partitions.Count);
        Assert.All(topic.Partitions, p => Assert.Equal(5, p.Replicas.Length));
    }

    [Fact]
    public void Start_TwoClusters_AreIndependent()
    {
        using var first = InProcessKafkaCluster.Start(1);
        using var second = InProcessKafkaCluster.Start(1);
        first.CreateTopic("only-in-first");

        Assert.NotEqual(first.BootstrapServers, second.BootstrapServers);
        using var admin = NewAdmin(second);
        Assert.DoesNotContain(admin.GetMetadata(Eventually.Generous).Topics, t => t.Topic == "only-in-first");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(InProcessKafkaClusterOptions.MaxBrokerCount + 1)]
    public void Start_BrokerCountOutOfRange_Throws(int brokerCount)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => InProcessKafkaCluster.Start(brokerCount));
        Assert.Equal("brokerCount", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => InProcessKafkaCluster.Start(new InProcessKafkaClusterOptions { BrokerCount = brokerCount }));
    }

    [Fact]
    public void Start_InvalidOptions_ThrowsNamingTheOption()
    {
        Assert.Throws<ArgumentNullException>(() => InProcessKafkaCluster.Start(null!));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            InProcessKafkaCluster.Start(new InProcessKafkaClusterOptions { GroupInitialRebalanceDelay = TimeSpan.FromMilliseconds(-1) }));
        Assert.Equal(nameof(InProcessKafkaClusterOptions.GroupInitialRebalanceDelay), ex.ParamName);
    }

    [Fact]
    public void Options_Defaults_AreThreeBrokersAndNoInitialRebalanceDelay()
    {
        var options = new InProcessKafkaClusterOptions();
        Assert.Equal(3, options.BrokerCount);
        Assert.Equal(TimeSpan.Zero, options.GroupInitialRebalanceDelay);
    }

    [Fact]
    public void CreateTopic_Twice_ThrowsTopicAlreadyExists()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic("calls", partitions: 2);

        var ex = Assert.Throws<KafkaException>(() => cluster.CreateTopic("calls", partitions: 2));
        Assert.Equal(ErrorCode.TopicAlreadyExists, ex.Error.Code);
        Assert.Contains("calls", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("slash/ed")]
    [InlineData("ünicode")]
    public void CreateTopic_InvalidName_ThrowsArgumentException(string name)
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        var ex = Assert.Throws<ArgumentException>(() => cluster.CreateTopic(name));
        Assert.Equal("name", ex.ParamName);
    }

    [Fact]
    public void CreateTopic_InvalidArguments_Throw()
    {
        using var cluster = InProcessKafkaCluster.Start(2);
        Assert.Throws<ArgumentNullException>(() => cluster.CreateTopic(null!));
        Assert.Throws<ArgumentException>(() => cluster.CreateTopic(new string('a', 250)));
        cluster.CreateTopic(new string('a', 249));
        Assert.Equal("partitions", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.CreateTopic("t", 0)).ParamName);
        Assert.Equal("replicationFactor", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.CreateTopic("t", 1, 0)).ParamName);
        Assert.Equal("replicationFactor", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.CreateTopic("t", 1, 3)).ParamName);
    }

    [Fact]
    public void BrokerMethods_UnknownBrokerId_Throw()
    {
        using var cluster = InProcessKafkaCluster.Start(2);
        cluster.CreateTopic("t");
        foreach (var id in new[] { 0, 3, -1 })
        {
            Assert.Equal("brokerId", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerDown(id)).ParamName);
            Assert.Equal("brokerId", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerUp(id)).ParamName);
            Assert.Equal("brokerId", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerRoundTripTime(id, TimeSpan.Zero)).ParamName);
            Assert.Equal("brokerId", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetPartitionLeader("t", 0, id)).ParamName);
            Assert.Equal("brokerId", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetGroupCoordinator("g", id)).ParamName);
            Assert.Equal("brokerId", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetTransactionCoordinator("tx", id)).ParamName);
        }
    }

    [Fact]
    public void FaultMethods_InvalidArguments_Throw()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        Assert.Equal("roundTripTime", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerRoundTripTime(1, TimeSpan.FromMilliseconds(-1))).ParamName);
        Assert.Equal("roundTripTime", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetAllBrokersRoundTripTime(TimeSpan.FromDays(30))).ParamName);
        Assert.Equal("delay", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal("errors", Assert.Throws<ArgumentException>(() => cluster.PushRequestErrors(KafkaApiKey.Produce)).ParamName);
        Assert.Equal("topic", Assert.Throws<ArgumentException>(() => cluster.SetPartitionLeader("", 0, 1)).ParamName);
        Assert.Equal("partition", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetPartitionLeader("t", -1, 1)).ParamName);
        Assert.Equal("topic", Assert.Throws<ArgumentException>(() => cluster.SetTopicError("a b", ErrorCode.NoError)).ParamName);
        Assert.Throws<ArgumentNullException>(() => cluster.SetTopicError(null!, ErrorCode.NoError));
        Assert.Equal("groupId", Assert.Throws<ArgumentException>(() => cluster.SetGroupCoordinator("", 1)).ParamName);
        Assert.Equal("transactionalId", Assert.Throws<ArgumentNullException>(() => cluster.SetTransactionCoordinator(null!, 1)).ParamName);
        Assert.Equal("groupId", Assert.Throws<ArgumentException>(() => cluster.CreateConsumerConfig("")).ParamName);
    }

    [Fact]
    public void SetPartitionLeader_PartitionBeyondTopic_ThrowsKafkaException()
    {
        using var cluster = InProcessKafkaCluster.Start(2);
        cluster.CreateTopic("t", partitions: 2);

        var ex = Assert.Throws<KafkaException>(() => cluster.SetPartitionLeader("t", 2, 1));
        Assert.NotEqual(ErrorCode.NoError, ex.Error.Code);
        Assert.Contains("t [2]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetPartitionLeader_ReportedInMetadata()
    {
        using var cluster = InProcessKafkaCluster.Start(3);
        cluster.CreateTopic("t", partitions: 2, replicationFactor: 3);
        cluster.SetPartitionLeader("t", 0, 3);
        cluster.SetPartitionLeader("t", 1, 2);
        using var admin = NewAdmin(cluster);

        var partitions = admin.GetMetadata("t", Eventually.Generous).Topics.Single().Partitions.OrderBy(p => p.PartitionId).ToList();

        Assert.Equal([3, 2], partitions.Select(p => p.Leader));
    }

    [Fact]
    public void CreateProducerConfig_PointsAtClusterWithFastBackoffs()
    {
        using var cluster = InProcessKafkaCluster.Start(1);

        var config = cluster.CreateProducerConfig();

        Assert.Equal(cluster.BootstrapServers, config.BootstrapServers);
        Assert.Equal(10, config.ReconnectBackoffMs);
        Assert.Equal(250, config.ReconnectBackoffMaxMs);
        Assert.Equal(10, config.RetryBackoffMs);
        Assert.Equal(250, config.RetryBackoffMaxMs);
        Assert.Null(config.EnableIdempotence);
        Assert.NotSame(config, cluster.CreateProducerConfig());
    }

    [Fact]
    public void CreateConsumerConfig_PointsAtClusterWithMockTunedSettings()
    {
        using var cluster = InProcessKafkaCluster.Start(1);

        var config = cluster.CreateConsumerConfig("readers");

        Assert.Equal(cluster.BootstrapServers, config.BootstrapServers);
        Assert.Equal("readers", config.GroupId);
        Assert.Equal(AutoOffsetReset.Earliest, config.AutoOffsetReset);
        Assert.Equal(10, config.FetchQueueBackoffMs);
        Assert.Equal(500, config.HeartbeatIntervalMs);
        Assert.Equal(3000, config.SessionTimeoutMs);
    }

    [Fact]
    public void RequestTracking_RecordsRequestsUntilClearedAndOnlyWhileOn()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic("t");
        using var admin = NewAdmin(cluster);

        Assert.Empty(cluster.GetTrackedRequests());
        cluster.StartRequestTracking();
        admin.GetMetadata("t", Eventually.Generous);
        var tracked = cluster.GetTrackedRequests();
        Assert.Contains(tracked, r => r.ApiKey == KafkaApiKey.Metadata && r.BrokerId == 1);
        Assert.True(tracked.Zip(tracked.Skip(1)).All(pair => pair.First.Timestamp <= pair.Second.Timestamp), "in arrival order");

        cluster.ClearTrackedRequests();
        Assert.Empty(cluster.GetTrackedRequests());

        cluster.StopRequestTracking();
        admin.GetMetadata("t", Eventually.Generous);
        Assert.Empty(cluster.GetTrackedRequests());
    }

    [Fact]
    public void Dispose_Twice_IsHarmless_AndLaterCallsThrowObjectDisposed()
    {
        var cluster = InProcessKafkaCluster.Start(1);
        cluster.Dispose();
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("t"));
        Assert.Throws<ObjectDisposedException>(() => cluster.SetBrokerDown(1));
        Assert.Throws<ObjectDisposedException>(() => cluster.SetAllBrokersUp());
        Assert.Throws<ObjectDisposedException>(() => cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.RequestTimedOut));
        Assert.Throws<ObjectDisposedException>(() => cluster.GetTrackedRequests());
        Assert.Throws<ObjectDisposedException>(() => cluster.CreateProducerConfig());
        Assert.Equal(1, cluster.BrokerCount);
    }

    [Fact]
    public async Task DisposeAsync_StopsTheBrokers()
    {
        var cluster = InProcessKafkaCluster.Start(1);
        var servers = cluster.BootstrapServers;
        var marker = "disposed-" + Guid.NewGuid().ToString("N");
        cluster.CreateTopic(marker);
        await cluster.DisposeAsync();

        Assert.Throws<ObjectDisposedException>(() => cluster.CreateTopic("t"));
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers, SocketTimeoutMs = 1000 })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        // Tests run in parallel and each cluster listens on an ephemeral port, so the freed port can be taken at
        // once by another test's cluster, which then answers. What must not answer is this cluster: no metadata
        // may come back that knows its topic.
        try
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(1));
            Assert.DoesNotContain(metadata.Topics, t => t.Topic == marker);
        }
        catch (KafkaException)
        {
            // Nothing listens on the port any more: the usual outcome.
        }
    }

    [Fact]
    public async Task Dispose_WhileClientsAreConnectedAndBusy_ReturnsPromptly_AndClientsStillDisposeCleanly()
    {
        var ct = TestContext.Current.CancellationToken;
        var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic("t", partitions: 3, replicationFactor: 3);
        var log = new ClientLog();
        var producer = KafkaClients.Producer(cluster.CreateProducerConfig(), log);
        var consumer = new ConsumerLoop(KafkaClients.Consumer(cluster.CreateConsumerConfig("g"), log), "t");
        KafkaClients.ProduceNumbered(producer, "t", 1_000);
        Assert.Equal(0, producer.Flush(Eventually.Generous));
        Eventually.Holds(() => consumer.Received.Count == 1_000, Eventually.Generous, "the consumer reading");
        KafkaClients.ProduceNumbered(producer, "t", 1_000, first: 1_000);

        // WaitAsync throws TimeoutException if any of them hangs.
        await Task.Run(cluster.Dispose, ct).WaitAsync(Eventually.Generous, ct);
        await Task.Run(consumer.Dispose, ct).WaitAsync(Eventually.Generous, ct);
        await Task.Run(producer.Dispose, ct).WaitAsync(Eventually.Generous, ct);
    }

    [Fact]
    public async Task FaultInjection_FromManyThreadsWhileDisposing_NeverCrashes()
    {
        var ct = TestContext.Current.CancellationToken;
        var totalCalls = 0;
        var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic("t", partitions: 3, replicationFactor: 3);
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(
            () =>
        {
            var calls = 0;
            try
            {
                while (true)
                {
                    var broker = 1 + (calls % 3);
                    cluster.SetBrokerRoundTripTime(broker, TimeSpan.FromMilliseconds(calls % 5));
                    cluster.PushRequestErrors(KafkaApiKey.Fetch, ErrorCode.NoError);
                    cluster.SetPartitionLeader("t", calls % 3, broker);
                    cluster.ClearRequestErrors(KafkaApiKey.Fetch);
                    calls++;
                    Interlocked.Increment(ref totalCalls);
                }
            }
            catch (ObjectDisposedException)
            {
                return calls;
            }
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        Eventually.Holds(() => Volatile.Read(ref totalCalls) >= 100, Eventually.Generous, "100 concurrent fault injections");
        cluster.Dispose();

        var calls = await Task.WhenAll(workers).WaitAsync(Eventually.Generous, ct);
        Assert.All(calls, c => Assert.True(c > 0));
    }

    private static IAdminClient NewAdmin(InProcessKafkaCluster cluster) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers })
            .SetLogHandler((_, _) => { })
            .Build();
}
