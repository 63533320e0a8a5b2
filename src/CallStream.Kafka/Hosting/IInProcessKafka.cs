namespace CallStream.Kafka;

/// <summary>
/// The in-process cluster a host runs on with <c>CallStream:Kafka:InProcess=true</c>. CallStream.Kafka.Testing
/// registers it (<c>cs.AddInProcessKafka()</c>), so the production package carries no mock cluster.
/// </summary>
internal interface IInProcessKafka
{
    /// <summary>Gets the cluster's <c>bootstrap.servers</c> list, starting the cluster on first use.</summary>
    string BootstrapServers { get; }

    /// <summary>Creates a topic unless this host created it already.</summary>
    /// <param name="topic">The topic name.</param>
    /// <param name="partitions">Its partition count.</param>
    void EnsureTopic(string topic, int partitions);
}
