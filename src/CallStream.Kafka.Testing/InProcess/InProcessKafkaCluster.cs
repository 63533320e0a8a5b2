using System.Runtime.InteropServices;
using CallStream.Kafka.Native;
using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>
/// A Kafka cluster that runs inside the process — librdkafka's mock cluster — for tests and demos without Docker:
/// real Confluent.Kafka producers and consumers (consumer groups, commits, idempotence, transactions) talk to it over
/// loopback TCP, and the test can inject faults.
/// </summary>
/// <remarks>
/// <para>
/// Start one with <see cref="Start()"/>, create topics with <see cref="CreateTopic"/>, and point clients at
/// <see cref="BootstrapServers"/> (or use <see cref="CreateProducerConfig"/> and <see cref="CreateConsumerConfig"/>).
/// Brokers have ids 1 to <see cref="BrokerCount"/>.
/// </para>
/// <para>
/// The cluster keeps everything in memory and only about 5 MB of record batches per partition (a limit built into
/// librdkafka): older batches are dropped as new ones arrive, so a consumer that falls further behind than that loses
/// them. Spread large volumes over more partitions and consume alongside producing.
/// </para>
/// <para>
/// Thread safety: every member may be called from any thread, concurrently. Each call is a synchronous command to the
/// cluster (librdkafka hands it to the cluster's thread or takes the cluster's lock), and <see cref="Dispose"/> waits
/// for calls in flight. Dispose clients before the cluster; a client still connected sees its brokers disappear.
/// librdkafka's cluster thread sometimes misses the wake-up for a command and would serve it only when its one-second
/// poll times out; the cluster then pokes a broker listener (a loopback connect, no Kafka request) after 15 ms, so
/// commands return promptly, except while every broker is down (up to a second).
/// </para>
/// <para>
/// The mock API is experimental and not ABI-stable, so this class is built against librdkafka 2.16.0 exactly
/// (the librdkafka.redist version this package pins) and refuses to start on another version.
/// </para>
/// </remarks>
public sealed class InProcessKafkaCluster : IDisposable, IAsyncDisposable
{
    private readonly MockClusterControl _control;

    private InProcessKafkaCluster(MockClusterHandle handle, int brokerCount, string bootstrapServers)
    {
        _control = new MockClusterControl(handle, bootstrapServers);
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>Gets the cluster's <c>bootstrap.servers</c> list (<c>127.0.0.1:port</c> of every broker, comma-separated).</summary>
    public string BootstrapServers { get; }

    /// <summary>Gets the number of brokers; their ids are 1 to this number.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a cluster of 3 brokers.</summary>
    /// <returns>The running cluster; dispose it to stop it.</returns>
    /// <exception cref="DllNotFoundException">librdkafka could not be loaded.</exception>
    /// <exception cref="PlatformNotSupportedException">The loaded librdkafka is not version 2.16.0 or lacks the mock API.</exception>
    /// <exception cref="InvalidOperationException">librdkafka could not create the cluster.</exception>
    public static InProcessKafkaCluster Start() => Start(new InProcessKafkaClusterOptions());

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers.</summary>
    /// <param name="brokerCount">The number of brokers, from 1 to <see cref="InProcessKafkaClusterOptions.MaxBrokerCount"/>.</param>
    /// <returns>The running cluster; dispose it to stop it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerCount"/> is out of range.</exception>
    /// <exception cref="DllNotFoundException">librdkafka could not be loaded.</exception>
    /// <exception cref="PlatformNotSupportedException">The loaded librdkafka is not version 2.16.0 or lacks the mock API.</exception>
    /// <exception cref="InvalidOperationException">librdkafka could not create the cluster.</exception>
    public static InProcessKafkaCluster Start(int brokerCount)
    {
        if (brokerCount is < 1 or > InProcessKafkaClusterOptions.MaxBrokerCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(brokerCount), brokerCount, $"brokerCount must be from 1 to {InProcessKafkaClusterOptions.MaxBrokerCount}.");
        }

        return Start(new InProcessKafkaClusterOptions { BrokerCount = brokerCount });
    }

    /// <summary>Starts a cluster as <paramref name="options"/> describe.</summary>
    /// <param name="options">The broker count and broker settings.</param>
    /// <returns>The running cluster; dispose it to stop it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    /// <exception cref="DllNotFoundException">librdkafka could not be loaded.</exception>
    /// <exception cref="PlatformNotSupportedException">The loaded librdkafka is not version 2.16.0 or lacks the mock API.</exception>
    /// <exception cref="InvalidOperationException">librdkafka could not create the cluster.</exception>
    public static InProcessKafkaCluster Start(InProcessKafkaClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var handle = MockClusterHandle.Create(options.BrokerCount);
        try
        {
            var bootstrap = Marshal.PtrToStringUTF8(LibrdkafkaMock.rd_kafka_mock_cluster_bootstraps(handle));
            if (string.IsNullOrEmpty(bootstrap))
                throw new InvalidOperationException("librdkafka's mock cluster reported no bootstrap servers.");
            LibrdkafkaMock.rd_kafka_mock_group_initial_rebalance_delay_ms(handle, MockArguments.ToMilliseconds(options.GroupInitialRebalanceDelay));
            return new InProcessKafkaCluster(handle, options.BrokerCount, bootstrap);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Creates a topic.</summary>
    /// <param name="name">The topic name: 1 to 249 characters from <c>a-z A-Z 0-9 . _ -</c>, not <c>.</c> or <c>..</c>.</param>
    /// <param name="partitions">The number of partitions, 1 or more.</param>
    /// <param name="replicationFactor">The number of replicas, from 1 to <see cref="BrokerCount"/>.</param>
    /// <remarks>Producers may also create topics implicitly (the mock auto-creates them with 4 partitions);
    /// create them explicitly so a test knows the partition count.</remarks>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid topic name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range.</exception>
    /// <exception cref="KafkaException">The cluster refused, for example <see cref="ErrorCode.TopicAlreadyExists"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void CreateTopic(string name, int partitions = 1, int replicationFactor = 1)
    {
        MockArguments.ValidateTopicName(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        if (replicationFactor < 1 || replicationFactor > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(replicationFactor), replicationFactor, $"replicationFactor must be from 1 to the broker count ({BrokerCount}).");
        }

        ThrowIfDisposed();
        _control.CreateTopic(name, partitions, replicationFactor);
    }

    /// <summary>Takes a broker down: it drops its connections and refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    /// <param name="brokerId">The broker id, from 1 to <see cref="BrokerCount"/>.</param>
    /// <remarks>Partition leadership does not move: clients wait (and retry) for the partitions this broker leads,
    /// unless the test moves them with <see cref="SetPartitionLeader"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerId"/> is not a broker of this cluster.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetBrokerDown(int brokerId)
    {
        ValidateBrokerId(brokerId);
        ThrowIfDisposed();
        _control.SetBrokerDown(brokerId);
    }

    /// <summary>Brings a broker back up: it accepts connections again.</summary>
    /// <param name="brokerId">The broker id, from 1 to <see cref="BrokerCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerId"/> is not a broker of this cluster.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetBrokerUp(int brokerId)
    {
        ValidateBrokerId(brokerId);
        ThrowIfDisposed();
        _control.SetBrokerUp(brokerId);
    }

    /// <summary>Takes every broker down (see <see cref="SetBrokerDown"/>): the whole cluster is unreachable.</summary>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetAllBrokersDown()
    {
        ThrowIfDisposed();
        _control.SetBrokerDown(LibrdkafkaMock.AllBrokers);
    }

    /// <summary>Brings every broker back up.</summary>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetAllBrokersUp()
    {
        ThrowIfDisposed();
        _control.SetBrokerUp(LibrdkafkaMock.AllBrokers);
    }

    /// <summary>Delays every response of a broker by <paramref name="roundTripTime"/>, as a slow network or broker would.</summary>
    /// <param name="brokerId">The broker id, from 1 to <see cref="BrokerCount"/>.</param>
    /// <param name="roundTripTime">The delay, rounded down to whole milliseconds; <see cref="TimeSpan.Zero"/> removes it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The broker id or the delay is out of range.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan roundTripTime)
    {
        ValidateBrokerId(brokerId);
        var ms = MockArguments.ToMilliseconds(roundTripTime);
        ThrowIfDisposed();
        _control.SetBrokerRoundTripTime(brokerId, ms);
    }

    /// <summary>Delays every response of every broker by <paramref name="roundTripTime"/>.</summary>
    /// <param name="roundTripTime">The delay, rounded down to whole milliseconds; <see cref="TimeSpan.Zero"/> removes it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The delay is negative or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetAllBrokersRoundTripTime(TimeSpan roundTripTime)
    {
        var ms = MockArguments.ToMilliseconds(roundTripTime);
        ThrowIfDisposed();
        _control.SetBrokerRoundTripTime(LibrdkafkaMock.AllBrokers, ms);
    }

    /// <summary>
    /// Makes the next requests of type <paramref name="apiKey"/> (to any broker) fail with <paramref name="errors"/>, one
    /// error per request, in order; requests after that succeed again.
    /// </summary>
    /// <param name="apiKey">The request type, for example <see cref="KafkaApiKey.Produce"/>.</param>
    /// <param name="errors">The errors, first used first. <see cref="ErrorCode.NoError"/> lets that request through;
    /// <see cref="ErrorCode.Local_Transport"/> makes the broker drop the client's connection instead of answering.</param>
    /// <remarks>Errors are added to those already pushed for the type; <see cref="ClearRequestErrors"/> drops them.
    /// Clients retry retriable errors (for example <see cref="ErrorCode.NotLeaderForPartition"/>,
    /// <see cref="ErrorCode.RequestTimedOut"/>) transparently; non-retriable ones reach the application.</remarks>
    /// <exception cref="ArgumentException"><paramref name="errors"/> is empty.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void PushRequestErrors(KafkaApiKey apiKey, params ReadOnlySpan<ErrorCode> errors)
    {
        if (errors.IsEmpty)
            throw new ArgumentException("Give at least one error to push.", nameof(errors));
        ThrowIfDisposed();
        _control.PushRequestErrors(apiKey, errors);
    }

    /// <summary>Drops the errors pushed with <see cref="PushRequestErrors"/> for <paramref name="apiKey"/> that were not used yet.</summary>
    /// <param name="apiKey">The request type.</param>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void ClearRequestErrors(KafkaApiKey apiKey)
    {
        ThrowIfDisposed();
        _control.ClearRequestErrors(apiKey);
    }

    /// <summary>Moves the leadership of a partition to another broker, as a real cluster does on failover.</summary>
    /// <param name="topic">The topic (created with the mock's defaults if it does not exist).</param>
    /// <param name="partition">The partition number, 0 or more.</param>
    /// <param name="brokerId">The new leader, from 1 to <see cref="BrokerCount"/>.</param>
    /// <remarks>Clients find out through their next request to the old leader (which answers
    /// <see cref="ErrorCode.NotLeaderForPartition"/>) or their next metadata refresh, and follow. There is deliberately
    /// no way to make a partition leaderless: librdkafka 2.16.0's mock crashes the process when a client then sends a
    /// Produce request for that partition to its former leader.</remarks>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is not a valid topic name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The partition or broker id is out of range.</exception>
    /// <exception cref="KafkaException">The cluster refused, for example <see cref="ErrorCode.Local_UnknownPartition"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        MockArguments.ValidateTopicName(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ValidateBrokerId(brokerId);
        ThrowIfDisposed();
        _control.SetPartitionLeader(topic, partition, brokerId);
    }

    /// <summary>Moves the group coordinator of a consumer group to another broker.</summary>
    /// <param name="groupId">The consumer group id.</param>
    /// <param name="brokerId">The new coordinator, from 1 to <see cref="BrokerCount"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="groupId"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerId"/> is not a broker of this cluster.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetGroupCoordinator(string groupId, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ValidateBrokerId(brokerId);
        ThrowIfDisposed();
        _control.SetCoordinator("group", groupId, brokerId, $"move the coordinator of group '{groupId}'");
    }

    /// <summary>Moves the transaction coordinator of a transactional id to another broker.</summary>
    /// <param name="transactionalId">The producer's <c>transactional.id</c>.</param>
    /// <param name="brokerId">The new coordinator, from 1 to <see cref="BrokerCount"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="transactionalId"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokerId"/> is not a broker of this cluster.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetTransactionCoordinator(string transactionalId, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(transactionalId);
        ValidateBrokerId(brokerId);
        ThrowIfDisposed();
        _control.SetCoordinator("transaction", transactionalId, brokerId, $"move the coordinator of transactional id '{transactionalId}'");
    }

    /// <summary>Makes the cluster report <paramref name="error"/> for a topic in metadata responses (and when a transaction
    /// adds its partitions), for example <see cref="ErrorCode.TopicAuthorizationFailed"/> or
    /// <see cref="ErrorCode.LeaderNotAvailable"/>; <see cref="ErrorCode.NoError"/> clears it.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="error">The error to report.</param>
    /// <exception cref="ArgumentException"><paramref name="topic"/> is not a valid topic name.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetTopicError(string topic, ErrorCode error)
    {
        MockArguments.ValidateTopicName(topic);
        ThrowIfDisposed();
        _control.SetTopicError(topic, error);
    }

    /// <summary>Sets the broker setting <c>group.initial.rebalance.delay.ms</c> for groups formed from now on (see
    /// <see cref="InProcessKafkaClusterOptions.GroupInitialRebalanceDelay"/>).</summary>
    /// <param name="delay">The delay, rounded down to whole milliseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException">The delay is negative or longer than <see cref="int.MaxValue"/> milliseconds.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay)
    {
        var ms = MockArguments.ToMilliseconds(delay);
        ThrowIfDisposed();
        _control.SetGroupInitialRebalanceDelay(ms);
    }

    /// <summary>Starts recording every request the brokers receive (see <see cref="GetTrackedRequests"/>), for example to
    /// check that a pushed error was really hit.</summary>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void StartRequestTracking()
    {
        ThrowIfDisposed();
        _control.StartRequestTracking();
    }

    /// <summary>Stops recording requests; those recorded so far are kept.</summary>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void StopRequestTracking()
    {
        ThrowIfDisposed();
        _control.StopRequestTracking();
    }

    /// <summary>Gets the requests recorded since <see cref="StartRequestTracking"/> (or the last
    /// <see cref="ClearTrackedRequests"/>), in arrival order.</summary>
    /// <returns>A snapshot of the recorded requests.</returns>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public IReadOnlyList<KafkaMockRequest> GetTrackedRequests()
    {
        ThrowIfDisposed();
        return _control.GetTrackedRequests();
    }

    /// <summary>Forgets the requests recorded so far.</summary>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public void ClearTrackedRequests()
    {
        ThrowIfDisposed();
        _control.ClearTrackedRequests();
    }

    /// <summary>Creates a producer configuration pointed at this cluster, with timings suited to a loopback cluster.</summary>
    /// <returns>A new configuration the caller may change further: <c>bootstrap.servers</c>, and reconnect and retry
    /// backoffs of 10 ms growing to at most 250 ms (instead of 100 ms to 10 s and 100 ms to 1 s), so a producer resumes
    /// within a fraction of a second after a broker comes back or an injected error. Everything else keeps
    /// librdkafka's defaults (<c>acks=all</c>, <c>linger.ms=5</c>, <c>message.timeout.ms=300000</c>); idempotence is
    /// off unless the caller sets <see cref="ProducerConfig.EnableIdempotence"/>.</returns>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public ProducerConfig CreateProducerConfig()
    {
        ThrowIfDisposed();
        return LoopbackClientConfig.Producer(BootstrapServers);
    }

    /// <summary>Creates a consumer configuration for group <paramref name="groupId"/> pointed at this cluster, with
    /// settings suited to a loopback cluster.</summary>
    /// <param name="groupId">The consumer group id.</param>
    /// <returns>A new configuration the caller may change further: <c>bootstrap.servers</c>, <c>group.id</c>,
    /// <c>auto.offset.reset=earliest</c> (a test reads what it produced before subscribing),
    /// <c>fetch.queue.backoff.ms=10</c> (the default of 1000 leaves a consumer on this cluster idle about half the
    /// time once its local queue fills; 10 ms measured about 3.5 times the throughput), <c>heartbeat.interval.ms=500</c>
    /// and <c>session.timeout.ms=3000</c> (when members join or leave, this cluster waits the session timeout less one
    /// second for the others to rejoin, so a rebalance takes about 2 s instead of 44 s with the default of 45 s; a real
    /// broker would refuse a session timeout under 6 s), and the same 10 to
    /// 250 ms reconnect and retry backoffs as <see cref="CreateProducerConfig"/>. Auto-commit stays on (every 5 s); for
    /// at-least-once processing store offsets after processing and let the client commit them in the background
    /// rather than committing synchronously per message.</returns>
    /// <exception cref="ArgumentException"><paramref name="groupId"/> is null or empty.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public ConsumerConfig CreateConsumerConfig(string groupId)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ThrowIfDisposed();
        return LoopbackClientConfig.Consumer(BootstrapServers, groupId);
    }

    /// <summary>Stops the cluster: closes its brokers' sockets, stops its threads and frees its memory.</summary>
    /// <remarks>Idempotent. Waits for fault-injection calls in flight on other threads.</remarks>
    public void Dispose() => _control.Dispose();

    /// <summary>Stops the cluster (see <see cref="Dispose"/>); librdkafka's teardown is synchronous and quick.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void ValidateBrokerId(int brokerId, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(brokerId))] string? name = null)
    {
        if (brokerId < 1 || brokerId > BrokerCount)
            throw new ArgumentOutOfRangeException(name, brokerId, $"The cluster's broker ids are 1 to {BrokerCount}.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_control.IsClosed, this);
}
