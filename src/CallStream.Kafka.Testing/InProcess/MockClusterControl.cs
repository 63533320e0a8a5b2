using System.Runtime.InteropServices;
using CallStream.Kafka.Native;
using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>
/// Sends <see cref="InProcessKafkaCluster"/>'s commands to librdkafka's mock cluster: the native calls, the wake-up
/// watch around the commands its thread serves (see <see cref="MockThreadWaker"/>), the marshalling of errors and
/// tracked requests, and the mapping of its error codes to exceptions. The public class checks the arguments and
/// documents the behaviour; this one assumes checked arguments and a cluster not yet disposed.
/// </summary>
internal sealed class MockClusterControl : IDisposable
{
    private readonly MockClusterHandle _handle;
    private readonly MockThreadWaker _waker;

    public MockClusterControl(MockClusterHandle handle, string bootstrapServers)
    {
        _handle = handle;
        _waker = new MockThreadWaker(bootstrapServers);
    }

    /// <summary>Gets whether the cluster has been stopped.</summary>
    public bool IsClosed => _handle.IsClosed;

    public void CreateTopic(string name, int partitions, int replicationFactor)
    {
        using var watch = _waker.Start();
        MockArguments.Check(LibrdkafkaMock.rd_kafka_mock_topic_create(_handle, name, partitions, replicationFactor), $"create topic '{name}'");
    }

    /// <summary>Takes a broker, or every broker (<see cref="LibrdkafkaMock.AllBrokers"/>), down.</summary>
    public void SetBrokerDown(int brokerId)
    {
        string action = brokerId == LibrdkafkaMock.AllBrokers ? "take all brokers down" : $"take broker {brokerId} down";
        using var watch = _waker.Start();
        MockArguments.Check(LibrdkafkaMock.rd_kafka_mock_broker_set_down(_handle, brokerId), action);
    }

    /// <summary>Brings a broker, or every broker (<see cref="LibrdkafkaMock.AllBrokers"/>), up.</summary>
    public void SetBrokerUp(int brokerId)
    {
        string action = brokerId == LibrdkafkaMock.AllBrokers ? "bring all brokers up" : $"bring broker {brokerId} up";
        using var watch = _waker.Start();
        MockArguments.Check(LibrdkafkaMock.rd_kafka_mock_broker_set_up(_handle, brokerId), action);
    }

    /// <summary>Sets the round-trip time of a broker, or of every broker (<see cref="LibrdkafkaMock.AllBrokers"/>).</summary>
    public void SetBrokerRoundTripTime(int brokerId, int milliseconds)
    {
        string action = brokerId == LibrdkafkaMock.AllBrokers ? "set the round-trip time of all brokers" : $"set the round-trip time of broker {brokerId}";
        using var watch = _waker.Start();
        MockArguments.Check(LibrdkafkaMock.rd_kafka_mock_broker_set_rtt(_handle, brokerId, milliseconds), action);
    }

    public unsafe void PushRequestErrors(KafkaApiKey apiKey, ReadOnlySpan<ErrorCode> errors)
    {
        // ErrorCode is an int enum and rd_kafka_resp_err_t a C enum: the same four bytes.
        var codes = MemoryMarshal.Cast<ErrorCode, int>(errors);
        fixed (int* first = codes)
            LibrdkafkaMock.rd_kafka_mock_push_request_errors_array(_handle, (short)apiKey, (nuint)codes.Length, first);
    }

    public void ClearRequestErrors(KafkaApiKey apiKey) => LibrdkafkaMock.rd_kafka_mock_clear_request_errors(_handle, (short)apiKey);

    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        using var watch = _waker.Start();
        MockArguments.Check(
            LibrdkafkaMock.rd_kafka_mock_partition_set_leader(_handle, topic, partition, brokerId),
            $"move the leader of {topic} [{partition}] to broker {brokerId}");
    }

    /// <summary>Moves the coordinator of a <c>group</c> or <c>transaction</c> key to a broker.</summary>
    public void SetCoordinator(string keyType, string key, int brokerId, string action)
    {
        using var watch = _waker.Start();
        MockArguments.Check(LibrdkafkaMock.rd_kafka_mock_coordinator_set(_handle, keyType, key, brokerId), action);
    }

    public void SetTopicError(string topic, ErrorCode error)
    {
        using var watch = _waker.Start();
        LibrdkafkaMock.rd_kafka_mock_topic_set_error(_handle, topic, (int)error);
    }

    public void SetGroupInitialRebalanceDelay(int milliseconds) =>
        LibrdkafkaMock.rd_kafka_mock_group_initial_rebalance_delay_ms(_handle, milliseconds);

    public void StartRequestTracking() => LibrdkafkaMock.rd_kafka_mock_start_request_tracking(_handle);

    public void StopRequestTracking() => LibrdkafkaMock.rd_kafka_mock_stop_request_tracking(_handle);

    /// <summary>Gets the recorded requests, in arrival order.</summary>
    public unsafe IReadOnlyList<KafkaMockRequest> GetTrackedRequests()
    {
        nuint count = 0;
        var requests = LibrdkafkaMock.rd_kafka_mock_get_requests(_handle, &count);
        if (requests is null)
            return [];

        try
        {
            var result = new KafkaMockRequest[checked((int)count)];
            for (var i = 0; i < result.Length; i++)
            {
                var request = requests[i];
                result[i] = new KafkaMockRequest(
                    LibrdkafkaMock.rd_kafka_mock_request_id(request),
                    (KafkaApiKey)LibrdkafkaMock.rd_kafka_mock_request_api_key(request),
                    TimeSpan.FromMicroseconds(LibrdkafkaMock.rd_kafka_mock_request_timestamp(request)));
            }

            return result;
        }
        finally
        {
            LibrdkafkaMock.rd_kafka_mock_request_destroy_array(requests, count);
        }
    }

    public void ClearTrackedRequests() => LibrdkafkaMock.rd_kafka_mock_clear_requests(_handle);

    /// <summary>Stops the cluster; waits for commands in flight on other threads.</summary>
    public void Dispose()
    {
        using var watch = _waker.Start();
        _handle.Dispose();
    }
}
