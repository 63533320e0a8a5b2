using System.Runtime.InteropServices;

namespace CallStream.Kafka.Native;

/// <summary>
/// Owns a librdkafka mock cluster and the plain producer handle (<c>rd_kafka_t</c>) it was created on, and frees
/// them in the right order: the cluster first, then its owner.
/// </summary>
/// <remarks>
/// Passing the handle to a P/Invoke keeps it alive for the call (SafeHandle reference counting), so a concurrent
/// <see cref="SafeHandle.Dispose()"/> waits for calls in flight instead of freeing the cluster under them.
/// </remarks>
internal sealed class MockClusterHandle : SafeHandle
{
    private static readonly (string Name, string Value)[] OwnerSettings =
    [
        ("client.id", "callstream-inprocess-kafka"),
        ("log_level", "4"),
    ];

    private nint _owner;

    private MockClusterHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Creates an owner handle and a mock cluster of <paramref name="brokerCount"/> brokers on it.</summary>
    /// <param name="brokerCount">The number of brokers, 1 or more; they get ids 1 to <paramref name="brokerCount"/>.</param>
    /// <returns>The owning handle.</returns>
    /// <exception cref="InvalidOperationException">librdkafka could not create the owner or the cluster.</exception>
    internal static unsafe MockClusterHandle Create(int brokerCount)
    {
        MockNative.EnsureMockApi();

        var result = new MockClusterHandle();
        var error = stackalloc byte[Librdkafka.ErrorBufferSize];
        var conf = Librdkafka.rd_kafka_conf_new();
        if (conf == 0)
            throw new InvalidOperationException("librdkafka could not allocate a configuration for the in-process cluster's owner handle.");

        // The owner never connects anywhere; log_level 4 keeps its "no bootstrap.servers" notice off stderr while
        // the mock cluster's warnings and errors (logged through the owner) still show.
        foreach (var (name, value) in OwnerSettings)
        {
            if (Librdkafka.rd_kafka_conf_set(conf, name, value, error, Librdkafka.ErrorBufferSize) != Librdkafka.ConfOk)
            {
                var message = Librdkafka.ReadError(error, Librdkafka.ErrorBufferSize);
                Librdkafka.rd_kafka_conf_destroy(conf);
                throw new InvalidOperationException($"librdkafka refused the owner handle's setting {name}={value}: {message}");
            }
        }

        // rd_kafka_new takes ownership of conf only when it succeeds.
        var owner = Librdkafka.rd_kafka_new(Librdkafka.ProducerType, conf, error, Librdkafka.ErrorBufferSize);
        if (owner == 0)
        {
            var message = Librdkafka.ReadError(error, Librdkafka.ErrorBufferSize);
            Librdkafka.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("librdkafka could not create the in-process cluster's owner handle: " + message);
        }

        var cluster = LibrdkafkaMock.rd_kafka_mock_cluster_new(owner, brokerCount);
        if (cluster == 0)
        {
            Librdkafka.rd_kafka_destroy(owner);
            throw new InvalidOperationException(
                $"librdkafka could not create a mock cluster of {brokerCount} broker(s); it needs to open a listening TCP socket on 127.0.0.1 per broker.");
        }

        result._owner = owner;
        result.SetHandle(cluster);
        return result;
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        LibrdkafkaMock.rd_kafka_mock_cluster_destroy(handle);
        if (_owner != 0)
        {
            Librdkafka.rd_kafka_destroy(_owner);
            _owner = 0;
        }

        return true;
    }
}
