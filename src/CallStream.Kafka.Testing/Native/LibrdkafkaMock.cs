using System.Runtime.InteropServices;

namespace CallStream.Kafka.Native;

/// <summary>
/// librdkafka's mock-cluster API (<c>src/rdkafka_mock.h</c> of librdkafka 2.16.0), bound by source-generated P/Invoke.
/// </summary>
/// <remarks>
/// The API is experimental and not ABI-stable, so the signatures here are those of the pinned version
/// (<see cref="MockNative.PinnedVersionText"/>); <see cref="MockNative.EnsureMockApi"/> checks the loaded library
/// before the first call. <c>rd_kafka_resp_err_t</c> is a C enum (an <see cref="int"/>), <c>size_t</c> is
/// <see cref="nuint"/>, strings are UTF-8. Variadic functions (<c>rd_kafka_mock_push_request_errors</c>,
/// <c>rd_kafka_mock_broker_push_request_error_rtts</c>) cannot be called portably and are not bound; the
/// <c>_array</c> variant is. Every function taking the cluster is thread-safe in librdkafka (it either takes the
/// cluster's lock or hands the command to the cluster's thread and waits).
/// </remarks>
internal static unsafe partial class LibrdkafkaMock
{
    /// <summary>The broker id that addresses every broker in the broker functions.</summary>
    internal const int AllBrokers = -1;

    /// <summary><c>rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int broker_cnt)</c>: brokers get ids 1..broker_cnt.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial nint rd_kafka_mock_cluster_new(nint rk, int brokerCount);

    /// <summary><c>void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mcluster)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_mock_cluster_destroy(nint mcluster);

    /// <summary><c>const char *rd_kafka_mock_cluster_bootstraps(const rd_kafka_mock_cluster_t *mcluster)</c>; owned by the cluster.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial nint rd_kafka_mock_cluster_bootstraps(MockClusterHandle mcluster);

    /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_topic_create(mcluster, const char *topic, int partition_cnt, int replication_factor)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_topic_create(MockClusterHandle mcluster, string topic, int partitionCount, int replicationFactor);

    /// <summary><c>void rd_kafka_mock_topic_set_error(mcluster, const char *topic, rd_kafka_resp_err_t err)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void rd_kafka_mock_topic_set_error(MockClusterHandle mcluster, string topic, int error);

    /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_partition_set_leader(mcluster, const char *topic, int32_t partition, int32_t broker_id)</c>; -1 makes it leaderless.</summary>
    [LibraryImport(KafkaNative.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_partition_set_leader(MockClusterHandle mcluster, string topic, int partition, int brokerId);

    /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_coordinator_set(mcluster, const char *key_type, const char *key, int32_t broker_id)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rd_kafka_mock_coordinator_set(MockClusterHandle mcluster, string keyType, string key, int brokerId);

    /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_broker_set_down(mcluster, int32_t broker_id)</c>; -1 = all.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_down(MockClusterHandle mcluster, int brokerId);

    /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_broker_set_up(mcluster, int32_t broker_id)</c>; -1 = all.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_up(MockClusterHandle mcluster, int brokerId);

    /// <summary><c>rd_kafka_resp_err_t rd_kafka_mock_broker_set_rtt(mcluster, int32_t broker_id, int rtt_ms)</c>; -1 = all.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial int rd_kafka_mock_broker_set_rtt(MockClusterHandle mcluster, int brokerId, int rttMs);

    /// <summary><c>void rd_kafka_mock_push_request_errors_array(mcluster, int16_t ApiKey, size_t cnt, const rd_kafka_resp_err_t *errors)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_mock_push_request_errors_array(MockClusterHandle mcluster, short apiKey, nuint count, int* errors);

    /// <summary><c>void rd_kafka_mock_clear_request_errors(mcluster, int16_t ApiKey)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_mock_clear_request_errors(MockClusterHandle mcluster, short apiKey);

    /// <summary><c>void rd_kafka_mock_group_initial_rebalance_delay_ms(mcluster, int32_t delay_ms)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(MockClusterHandle mcluster, int delayMs);

    /// <summary><c>void rd_kafka_mock_start_request_tracking(mcluster)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_mock_start_request_tracking(MockClusterHandle mcluster);

    /// <summary><c>void rd_kafka_mock_stop_request_tracking(mcluster)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_mock_stop_request_tracking(MockClusterHandle mcluster);

    /// <summary><c>rd_kafka_mock_request_t **rd_kafka_mock_get_requests(mcluster, size_t *cntp)</c>; free with <see cref="rd_kafka_mock_request_destroy_array"/>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial nint* rd_kafka_mock_get_requests(MockClusterHandle mcluster, nuint* count);

    /// <summary><c>void rd_kafka_mock_clear_requests(mcluster)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_mock_clear_requests(MockClusterHandle mcluster);

    /// <summary><c>void rd_kafka_mock_request_destroy_array(rd_kafka_mock_request_t **mreqs, size_t mreq_cnt)</c>: frees the elements and the array.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial void rd_kafka_mock_request_destroy_array(nint* requests, nuint count);

    /// <summary><c>int32_t rd_kafka_mock_request_id(rd_kafka_mock_request_t *mreq)</c>: the broker the request was sent to.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial int rd_kafka_mock_request_id(nint request);

    /// <summary><c>int16_t rd_kafka_mock_request_api_key(rd_kafka_mock_request_t *mreq)</c>.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial short rd_kafka_mock_request_api_key(nint request);

    /// <summary><c>int64_t rd_kafka_mock_request_timestamp(rd_kafka_mock_request_t *mreq)</c>: microseconds on librdkafka's monotonic clock.</summary>
    [LibraryImport(KafkaNative.LibraryName)]
    internal static partial long rd_kafka_mock_request_timestamp(nint request);
}
