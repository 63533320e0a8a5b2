namespace CallStream.Kafka;

/// <summary>How to start an <see cref="InProcessKafkaCluster"/>.</summary>
public sealed class InProcessKafkaClusterOptions
{
    /// <summary>The largest broker count accepted (each broker is a thread and a listening socket).</summary>
    public const int MaxBrokerCount = 64;

    /// <summary>Gets or sets the number of brokers; they get ids 1 to <see cref="BrokerCount"/>.</summary>
    /// <value>The default value is 3. It must be from 1 to <see cref="MaxBrokerCount"/>.</value>
    public int BrokerCount { get; set; } = 3;

    /// <summary>
    /// Gets or sets how long a group coordinator waits for more members before the first rebalance of a new group
    /// (the broker setting <c>group.initial.rebalance.delay.ms</c>).
    /// </summary>
    /// <value>The default value is zero, so a test's consumer gets its assignment at once; Kafka brokers default to
    /// 3 seconds. It must be from zero to one hour, in whole milliseconds.</value>
    public TimeSpan GroupInitialRebalanceDelay { get; set; } = TimeSpan.Zero;

    internal void Validate()
    {
        if (BrokerCount is < 1 or > MaxBrokerCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(BrokerCount), BrokerCount, $"{nameof(BrokerCount)} must be from 1 to {MaxBrokerCount}.");
        }

        if (GroupInitialRebalanceDelay < TimeSpan.Zero || GroupInitialRebalanceDelay > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(GroupInitialRebalanceDelay), GroupInitialRebalanceDelay,
                $"{nameof(GroupInitialRebalanceDelay)} must be from zero to one hour.");
        }
    }
}
