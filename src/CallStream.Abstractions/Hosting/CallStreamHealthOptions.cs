namespace CallStream.Hosting;

/// <summary>Thresholds of the CallStream health checks, bound from <c>CallStream:Health</c>.</summary>
public sealed class CallStreamHealthOptions
{
    /// <summary>The tag of every CallStream health check (pipeline, Kafka, MongoDB), for filtering endpoints.</summary>
    public const string Tag = "callstream";

    /// <summary>Gets or sets the total consumer lag (records not yet read, over all partitions) above which the
    /// pipeline reports itself degraded.</summary>
    /// <value>The default value is 100,000 records.</value>
    public long MaxConsumerLag { get; set; } = 100_000;

    /// <summary>Gets or sets how long a reachability check (Kafka metadata, MongoDB ping) may take.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (MaxConsumerLag < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxConsumerLag), MaxConsumerLag, $"CallStream:Health:MaxConsumerLag must not be negative (was {MaxConsumerLag}).");
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, $"CallStream:Health:Timeout must be more than 0 and at most 10 minutes (was {Timeout}).");
    }
}
