using CallStream.Kafka;
using Confluent.Kafka;

namespace CallStream.Cli.Demo;

/// <summary>
/// The faults of <c>demo --chaos</c>: on a fixed, seeded schedule it takes brokers down and brings them back, moves
/// partition leaders and the group coordinator, and makes Produce, Fetch and OffsetCommit requests fail with retriable
/// errors, until stopped; then it heals the cluster. Counts what it did, for the summary.
/// </summary>
/// <remarks>
/// Only errors the clients retry exactly once are pushed (see src/CallStream.Kafka/README.md: <c>Local_Transport</c>
/// on Produce can duplicate messages on the mock, so it is not used). A broker stays down at most
/// <see cref="MaxOutage"/>, shorter than the demo consumer's session timeout.
/// </remarks>
internal sealed class ChaosSchedule
{
    /// <summary>The longest a broker stays down.</summary>
    public static readonly TimeSpan MaxOutage = TimeSpan.FromMilliseconds(1500);

    private static readonly ErrorCode[] ProduceErrors = [ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas, ErrorCode.LeaderNotAvailable];
    private static readonly ErrorCode[] FetchErrors = [ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut];
    private static readonly ErrorCode[] CommitErrors = [ErrorCode.RequestTimedOut, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup];

    private readonly InProcessKafkaCluster _cluster;
    private readonly string _topic;
    private readonly int _partitions;
    private readonly string _groupId;
    private readonly TimeProvider _time;
    private readonly Random _random;

    /// <summary>Creates the schedule (nothing happens until <see cref="RunAsync"/>).</summary>
    /// <param name="cluster">The cluster to break.</param>
    /// <param name="topic">The topic whose leaders move.</param>
    /// <param name="partitions">Its partition count.</param>
    /// <param name="groupId">The consumer group whose coordinator moves.</param>
    /// <param name="seed">The seed of the schedule.</param>
    /// <param name="time">The clock of the pauses between faults.</param>
    public ChaosSchedule(InProcessKafkaCluster cluster, string topic, int partitions, string groupId, int seed, TimeProvider time)
    {
        _cluster = cluster;
        _topic = topic;
        _partitions = partitions;
        _groupId = groupId;
        _time = time;
#pragma warning disable CA5394 // not security: a reproducible schedule of faults
        _random = new Random(seed);
#pragma warning restore CA5394
    }

    /// <summary>Gets how many broker outages happened.</summary>
    public int BrokerOutages { get; private set; }

    /// <summary>Gets how many partition leaders moved.</summary>
    public int LeaderMoves { get; private set; }

    /// <summary>Gets how many times the group coordinator moved.</summary>
    public int CoordinatorMoves { get; private set; }

    /// <summary>Gets how many Produce request errors were pushed.</summary>
    public int ProduceErrorsInjected { get; private set; }

    /// <summary>Gets how many Fetch request errors were pushed.</summary>
    public int FetchErrorsInjected { get; private set; }

    /// <summary>Gets how many OffsetCommit request errors were pushed.</summary>
    public int CommitErrorsInjected { get; private set; }

    /// <summary>Runs faults until <paramref name="stoppingToken"/> is cancelled, then brings every broker up and clears pending errors.</summary>
    /// <param name="stoppingToken">Ends the chaos.</param>
    /// <returns>A task that completes when the cluster is healed.</returns>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
#pragma warning disable CA5394
                int step = _random.Next(6);
                switch (step)
                {
                    case 0:
                        int broker = _random.Next(1, _cluster.BrokerCount + 1);
                        _cluster.SetBrokerDown(broker);
                        BrokerOutages++;
                        await PauseAsync(TimeSpan.FromMilliseconds(_random.Next(300, (int)MaxOutage.TotalMilliseconds)), stoppingToken).ConfigureAwait(false);
                        _cluster.SetBrokerUp(broker);
                        break;
                    case 1:
                        _cluster.SetPartitionLeader(_topic, _random.Next(_partitions), _random.Next(1, _cluster.BrokerCount + 1));
                        LeaderMoves++;
                        break;
                    case 2:
                        _cluster.PushRequestErrors(KafkaApiKey.Produce, Pick(ProduceErrors), Pick(ProduceErrors));
                        ProduceErrorsInjected += 2;
                        break;
                    case 3:
                        _cluster.PushRequestErrors(KafkaApiKey.Fetch, Pick(FetchErrors), Pick(FetchErrors));
                        FetchErrorsInjected += 2;
                        break;
                    case 4:
                        _cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, Pick(CommitErrors));
                        CommitErrorsInjected++;
                        break;
                    default:
                        _cluster.SetGroupCoordinator(_groupId, _random.Next(1, _cluster.BrokerCount + 1));
                        CoordinatorMoves++;
                        break;
                }
                await PauseAsync(TimeSpan.FromMilliseconds(_random.Next(100, 400)), stoppingToken).ConfigureAwait(false);
#pragma warning restore CA5394
            }
        }
        finally
        {
            _cluster.SetAllBrokersUp();
            _cluster.ClearRequestErrors(KafkaApiKey.Produce);
            _cluster.ClearRequestErrors(KafkaApiKey.Fetch);
            _cluster.ClearRequestErrors(KafkaApiKey.OffsetCommit);
        }
    }

    /// <summary>Describes what happened, for the summary line.</summary>
    /// <returns>The counts as text.</returns>
    public string Describe() =>
        $"{BrokerOutages} broker outages, {LeaderMoves} leader moves, {CoordinatorMoves} coordinator moves, "
        + $"{ProduceErrorsInjected} produce / {FetchErrorsInjected} fetch / {CommitErrorsInjected} commit request errors";

#pragma warning disable CA5394
    private ErrorCode Pick(ErrorCode[] errors) => errors[_random.Next(errors.Length)];
#pragma warning restore CA5394

    private async Task PauseAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The chaos is over; the finally block heals the cluster.
        }
    }
}
