using System.Runtime.InteropServices;

namespace CallStream.Kafka.Native;

/// <summary>
/// The in-process cluster's side of native loading: librdkafka is loaded by CallStream.Kafka
/// (<see cref="KafkaNative"/>); this checks that it is the exact build the mock bindings are made for.
/// </summary>
internal static class MockNative
{
    /// <summary>The librdkafka version the mock cluster bindings are built against, as <c>rd_kafka_version()</c> reports it.</summary>
    internal const int PinnedVersion = 0x021000ff;

    /// <summary>The pinned version as text.</summary>
    internal const string PinnedVersionText = "2.16.0";

    /// <summary>The librdkafka exports the in-process cluster calls; checked before the first call.</summary>
    internal static readonly IReadOnlyList<string> MockSymbols =
    [
        "rd_kafka_version", "rd_kafka_conf_new", "rd_kafka_conf_destroy", "rd_kafka_conf_set",
        "rd_kafka_new", "rd_kafka_destroy",
        "rd_kafka_mock_cluster_new", "rd_kafka_mock_cluster_destroy", "rd_kafka_mock_cluster_bootstraps",
        "rd_kafka_mock_topic_create", "rd_kafka_mock_topic_set_error",
        "rd_kafka_mock_partition_set_leader", "rd_kafka_mock_coordinator_set",
        "rd_kafka_mock_broker_set_down", "rd_kafka_mock_broker_set_up", "rd_kafka_mock_broker_set_rtt",
        "rd_kafka_mock_push_request_errors_array", "rd_kafka_mock_clear_request_errors",
        "rd_kafka_mock_group_initial_rebalance_delay_ms",
        "rd_kafka_mock_start_request_tracking", "rd_kafka_mock_stop_request_tracking",
        "rd_kafka_mock_get_requests", "rd_kafka_mock_clear_requests", "rd_kafka_mock_request_destroy_array",
        "rd_kafka_mock_request_id", "rd_kafka_mock_request_api_key", "rd_kafka_mock_request_timestamp",
    ];

    private static readonly Lock Gate = new();
    private static bool _mockApiVerified;

    /// <summary>
    /// Loads librdkafka (<see cref="KafkaNative.EnsureLoaded"/>), checks that it is the pinned version and exports
    /// every mock-cluster function the in-process cluster calls, and binds this assembly's imports to it.
    /// </summary>
    /// <returns>What was loaded.</returns>
    /// <exception cref="DllNotFoundException">No librdkafka build could be loaded.</exception>
    /// <exception cref="PlatformNotSupportedException">The loaded librdkafka is another version or lacks the mock API.</exception>
    internal static KafkaNative.LoadedLibrary EnsureMockApi()
    {
        var loaded = KafkaNative.EnsureLoaded();
        if (Volatile.Read(ref _mockApiVerified))
            return loaded;

        lock (Gate)
        {
            if (!_mockApiVerified)
            {
                VerifyMockApi(loaded.Handle, loaded.Path);
                // The mock functions are imported by this assembly: bind them to the handle CallStream.Kafka and
                // Confluent.Kafka use, so the process maps one copy of librdkafka.
                nint handle = loaded.Handle;
                NativeLibrary.SetDllImportResolver(typeof(MockNative).Assembly,
                    (name, _, _) => name == KafkaNative.LibraryName ? handle : 0);
                Volatile.Write(ref _mockApiVerified, true);
            }
        }
        return loaded;
    }

    /// <summary>Checks that a loaded library exports every mock-cluster function and is the pinned librdkafka version.</summary>
    /// <param name="handle">The native library handle.</param>
    /// <param name="path">Where it was loaded from, for the message.</param>
    /// <exception cref="PlatformNotSupportedException">It lacks a function or is another version; the message says which and what to do.</exception>
    internal static unsafe void VerifyMockApi(nint handle, string path)
    {
        var missing = MockSymbols.Where(name => !NativeLibrary.TryGetExport(handle, name, out _)).ToList();
        if (missing.Count > 0)
        {
            throw new PlatformNotSupportedException(
                $"The librdkafka loaded from '{path}' does not export the mock-cluster API the in-process Kafka " +
                $"cluster needs (missing: {string.Join(", ", missing)}). CallStream.Kafka.Testing is built against librdkafka " +
                $"{PinnedVersionText} (package librdkafka.redist {PinnedVersionText}); the mock API is not ABI-stable " +
                "across versions, so reference exactly that version.");
        }

        var version = ((delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "rd_kafka_version"))();
        CheckVersion(version, path);
    }

    /// <summary>Checks a <c>rd_kafka_version()</c> value against the pinned version (major, minor and revision; the
    /// pre-release byte is ignored).</summary>
    /// <param name="version">The version as 0xMMmmrrxx.</param>
    /// <param name="path">Where the library was loaded from, for the message.</param>
    /// <exception cref="PlatformNotSupportedException">It is another version.</exception>
    internal static void CheckVersion(int version, string path)
    {
        if ((version & ~0xff) == (PinnedVersion & ~0xff))
            return;
        throw new PlatformNotSupportedException(
            $"The librdkafka loaded from '{path}' is version {(version >> 24) & 0xff}.{(version >> 16) & 0xff}." +
            $"{(version >> 8) & 0xff}, but the in-process Kafka cluster is built against {PinnedVersionText}: " +
            $"librdkafka's mock API is not ABI-stable, so reference librdkafka.redist {PinnedVersionText} exactly.");
    }
}
