using System.Text;
using System.Text.Json;
using CallStream.Json;
using CallStream.Kafka.Tests.Support;
using CallStream.Pipeline;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Sinks;

/// <summary>The interaction sink against the in-process cluster: round trips, delivery failures by id, retries.</summary>
public sealed class KafkaInteractionSinkTests
{
    private const string Topic = "consumerdata";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteThroughBatchingSink_EveryInteractionArrivesOnce_AsContractJsonKeyedByCustomer()
    {
        const int count = 5_000;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 6, replicationFactor: 3);
        var interactions = TestData.Interactions(count);

        await using (var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster)))
        {
            Assert.Equal(Topic, sink.Topic);
            await using var batching = new BatchingSink<Interaction>(sink, "kafka:interactions", new BatchingOptions { BatchSize = 700, FlushInterval = TimeSpan.FromMilliseconds(50) });
            foreach (var interaction in interactions)
                await batching.EnqueueAsync(interaction, cancellationToken: Ct);
            await batching.FlushAsync(Ct);
            Assert.Equal(count, batching.Written);
        }

        Assert.Equal(count, TopicCounts.Total(cluster, Topic, 6));
        var consumed = RawClients.ReadAll(cluster, Topic, count);
        Assert.Equal(count, consumed.Count);
        var byId = interactions.ToDictionary(i => i.InteractionId);
        foreach (var record in consumed)
        {
            var read = JsonSerializer.Deserialize(record.Message.Value, CallStreamJsonContext.Default.Interaction)!;
            var original = byId[read.InteractionId];
            Assert.Equal(original, read);
            Assert.Equal(original.CustomerId, Encoding.UTF8.GetString(record.Message.Key!));
            Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(original, CallStreamJsonContext.Default.Interaction), record.Message.Value);
        }

        Assert.Equal(count, consumed.Select(r => Encoding.UTF8.GetString(r.Message.Value!)).Distinct().Count());
        foreach (var customer in consumed.GroupBy(r => Encoding.UTF8.GetString(r.Message.Key!)))
        {
            var ids = customer.Select(r => JsonSerializer.Deserialize(r.Message.Value, CallStreamJsonContext.Default.Interaction)!.InteractionId).ToList();
            Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
            Assert.Single(customer.Select(r => r.Partition.Value).Distinct());
        }
    }

    [Fact]
    public async Task EventTimeTimestamps_MessageTimestampIsTheStartTime()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        var options = KafkaOptions.Sink(cluster);
        options.MessageTimestamp = KafkaMessageTimestamp.EventTime;
        var interactions = TestData.Interactions(10);
        await using (var sink = new KafkaInteractionSink(options))
            await sink.WriteBatchAsync(interactions, Ct);

        var consumed = RawClients.ReadAll(cluster, Topic, 10);
        Assert.Equal(interactions.Select(i => i.StartTime), consumed.Select(r => r.Message.Timestamp.UtcDateTime).Select(t => new DateTimeOffset(t)));
        Assert.All(consumed, r => Assert.Equal(TimestampType.CreateTime, r.Message.Timestamp.Type));
    }

    [Fact]
    public async Task AllBrokersDown_DeliveryTimesOut_ExceptionNamesEveryInteraction_AndTheSinkRecovers()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 3, replicationFactor: 3);
        var options = KafkaOptions.Sink(cluster);
        options.DeliveryTimeout = TimeSpan.FromSeconds(1);
        var log = new ListLoggerFactory();
        await using var sink = new KafkaInteractionSink(options, log);
        await WriteWithRetriesAsync(sink, TestData.Interactions(3)); // the first write also sets the producer up: allow for a slow machine

        cluster.SetAllBrokersDown();
        var failing = TestData.Interactions(5, first: 100);
        var ex = await Assert.ThrowsAsync<KafkaDeliveryException>(async () => await sink.WriteBatchAsync(failing, Ct));
        Assert.Equal(failing.Select(i => i.InteractionId), ex.FailedIds);
        Assert.All(ex.Failures, f => Assert.Equal(ErrorCode.Local_MsgTimedOut, f.Error));
        Assert.Equal(Topic, ex.Topic);
        Assert.Equal(5, ex.BatchSize);
        Assert.Contains("5 of 5 message(s) to topic 'consumerdata' were not acknowledged: i-000100", ex.Message, StringComparison.Ordinal);
        Assert.Contains(log.Entries, e => e.EventId == 4011);

        // Once the brokers are back the same sink writes again; the idempotent producer needs a moment (it re-learns the
        // brokers and bumps its epoch after the timeouts), which the batching sink's retries cover.
        cluster.SetAllBrokersUp();
        await WriteWithRetriesAsync(sink, TestData.Interactions(4, first: 200));

        var ids = RawClients.ReadAll(cluster, Topic, 7).Select(r => JsonSerializer.Deserialize(r.Message.Value, CallStreamJsonContext.Default.Interaction)!.InteractionId).ToHashSet();
        Assert.Equal(["i-000000", "i-000001", "i-000002", "i-000200", "i-000201", "i-000202", "i-000203"], ids.Order(StringComparer.Ordinal));
    }

    /// <summary>Writes through a batching sink that retries, as the pipeline does.</summary>
    private static async Task WriteWithRetriesAsync(KafkaInteractionSink sink, IEnumerable<Interaction> interactions)
    {
        await using var batching = new BatchingSink<Interaction>(sink, "kafka", new BatchingOptions { MaxAttempts = 60, FirstRetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(250) });
        foreach (var interaction in interactions)
            await batching.EnqueueAsync(interaction, cancellationToken: Ct);
        await batching.FlushAsync(Ct);
    }

    [Fact]
    public async Task BrokerRejectsABatch_TheRejectedInteractionsAreNamed_AndExactlyTheOthersAreStored()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 3, replicationFactor: 3);
        await using var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster));
        await sink.WriteBatchAsync(TestData.Interactions(3), Ct);

        cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.MsgSizeTooLarge);
        var batch = TestData.Interactions(30, first: 100);
        var ex = await Assert.ThrowsAsync<KafkaDeliveryException>(async () => await sink.WriteBatchAsync(batch, Ct));

        Assert.NotEmpty(ex.Failures);
        Assert.True(ex.Failures.Count < batch.Count, "only the request that got the error failed");
        Assert.All(ex.Failures, f => Assert.Equal(ErrorCode.MsgSizeTooLarge, f.Error));
        Assert.Equal(ex.FailedIds.Order(StringComparer.Ordinal), ex.FailedIds);

        var stored = RawClients.ReadAll(cluster, Topic, 3 + batch.Count - ex.Failures.Count)
            .Select(r => JsonSerializer.Deserialize(r.Message.Value, CallStreamJsonContext.Default.Interaction)!.InteractionId).ToHashSet();
        var expected = batch.Select(i => i.InteractionId).Except(ex.FailedIds).Concat(["i-000000", "i-000001", "i-000002"]).ToHashSet();
        Assert.Equal(expected, stored);
        Assert.Equal(expected.Count, TopicCounts.Total(cluster, Topic, 3));
    }

    [Fact]
    public async Task MessageLargerThanTheProducerAllows_IsNamed_AndTheRestOfTheBatchIsDelivered()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(Topic, partitions: 1);
        var options = KafkaOptions.Sink(cluster);
        options.Settings["message.max.bytes"] = "4000";
        await using var sink = new KafkaInteractionSink(options);
        var big = new Interaction("i-big", "c-1", "agent-1", Channel.Email, TestData.Start, 1, Outcome.Resolved, attributes: [new("body", new string('x', 10_000))]);
        List<Interaction> batch = [TestData.Interaction(1), big, TestData.Interaction(2)];

        var ex = await Assert.ThrowsAsync<KafkaDeliveryException>(async () => await sink.WriteBatchAsync(batch, Ct));

        var failure = Assert.Single(ex.Failures);
        Assert.Equal("i-big", failure.Id);
        Assert.Equal(ErrorCode.MsgSizeTooLarge, failure.Error);
        Assert.Equal(2, TopicCounts.Total(cluster, Topic, 1));
    }

    [Fact]
    public async Task TransientProduceErrors_AreRetried_AndEachInteractionIsStoredExactlyOnce()
    {
        const int count = 3_000;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 4, replicationFactor: 3);
        await using var sink = new KafkaInteractionSink(KafkaOptions.Sink(cluster));
        await sink.WriteBatchAsync([TestData.Interaction(0)], Ct);

        cluster.StartRequestTracking();
        // Errors the broker answers without writing. (A dropped connection, Local_Transport, makes librdkafka bump the
        // idempotent producer's epoch, and the mock cluster then occasionally duplicates or drops a batch under load.)
        ErrorCode[] errors = [ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas, ErrorCode.LeaderNotAvailable];
        cluster.PushRequestErrors(KafkaApiKey.Produce, errors);
        await using (var batching = new BatchingSink<Interaction>(sink, "kafka", new BatchingOptions { BatchSize = 500 }))
        {
            foreach (var interaction in TestData.Interactions(count - 1, first: 1))
                await batching.EnqueueAsync(interaction, cancellationToken: Ct);
            await batching.FlushAsync(Ct);
        }

        Assert.True(cluster.GetTrackedRequests().Count(r => r.ApiKey == KafkaApiKey.Produce) > errors.Length, "the pushed errors were hit and retried");
        Assert.Equal(count, TopicCounts.Total(cluster, Topic, 4));
        var consumed = RawClients.ReadAll(cluster, Topic, count);
        Assert.Equal(count, consumed.Select(r => Encoding.UTF8.GetString(r.Message.Value!)).Distinct().Count());
    }

    [Fact]
    public async Task TopicRefusedUntilMetadataRefresh_ProducingWaitsForFreshMetadata_AndStoresEachInteractionOnce()
    {
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, partitions: 3, replicationFactor: 3);
        cluster.SetTopicError(Topic, ErrorCode.TopicAuthorizationFailed);
        var log = new ListLoggerFactory
        {
            // The ACL is fixed as soon as the sink has been refused once.
            OnEntry = e =>
            {
                if (e.EventId == 4010)
                    cluster.SetTopicError(Topic, ErrorCode.NoError);
            },
        };
        var options = KafkaOptions.Sink(cluster);
        options.DeliveryTimeout = TimeSpan.FromSeconds(20);
        await using var sink = new KafkaInteractionSink(options, log);

        await sink.WriteBatchAsync(TestData.Interactions(50), Ct);

        Assert.Contains(log.Entries, e => e.EventId == 4010 && e.Message.Contains("TopicAuthorizationFailed", StringComparison.Ordinal));
        Assert.Equal(50, TopicCounts.Total(cluster, Topic, 3));
    }

    [Fact]
    public async Task WriteBatchAsync_BadArguments_Throw()
    {
        await using var sink = new KafkaInteractionSink(new KafkaSinkOptions { BootstrapServers = "127.0.0.1:1" });
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await sink.WriteBatchAsync(null!, Ct));
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await sink.WriteBatchAsync([TestData.Interaction(1), null!], Ct));
        Assert.Contains("index 1", ex.Message, StringComparison.Ordinal);
        await sink.WriteBatchAsync([], Ct); // nothing to do, no connection needed
        sink.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await sink.WriteBatchAsync([TestData.Interaction(1)], Ct));
    }

    [Fact]
    public async Task UnknownLibrdkafkaSetting_FailsTheFirstWrite_NamingIt()
    {
        var options = new KafkaSinkOptions { BootstrapServers = "127.0.0.1:1" };
        options.Settings["no.such.setting"] = "1";
        await using var sink = new KafkaInteractionSink(options);
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () => await sink.WriteBatchAsync([TestData.Interaction(1)], Ct));
        Assert.Contains("no.such.setting", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentException>(() => new KafkaInteractionSink(new KafkaSinkOptions { Topic = "bad topic" }));
        Assert.Contains("KafkaSinkOptions.Topic", ex.Message, StringComparison.Ordinal);
        var options = new KafkaSinkOptions();
        options.Settings["enable.idempotence"] = "false";
        ex = Assert.Throws<ArgumentException>(() => new KafkaInteractionSink(options));
        Assert.Contains("enable.idempotence", ex.Message, StringComparison.Ordinal);
    }
}
