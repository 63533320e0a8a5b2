namespace CallStream.Kafka;

/// <summary>Host settings of the Kafka adapter that are not client settings, bound from <c>CallStream:Kafka</c>.</summary>
public sealed class KafkaHostingOptions
{
    /// <summary>Gets or sets a value indicating whether to run on an in-process cluster started with the host (no Kafka
    /// server; for demos and tests): the source and sinks connect to it and their topics are created. Needs the
    /// CallStream.Kafka.Testing package and its <c>cs.AddInProcessKafka()</c>; without them the host refuses to
    /// start and says so.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool InProcess { get; set; }

    /// <summary>Gets or sets the partition count of the topics created on the in-process cluster.</summary>
    /// <value>The default value is 3.</value>
    public int InProcessPartitions { get; set; } = 3;

    internal bool IsValid => InProcessPartitions is >= 1 and <= 1000;

    internal void Validate()
    {
        if (!IsValid)
            throw new ArgumentOutOfRangeException(nameof(InProcessPartitions), InProcessPartitions, $"InProcessPartitions must be from 1 to 1000 (was {InProcessPartitions}).");
    }
}
