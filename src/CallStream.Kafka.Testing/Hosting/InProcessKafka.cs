namespace CallStream.Kafka;

/// <summary>
/// The in-process cluster of a host with <c>CallStream:Kafka:InProcess=true</c>: started on first use, topics created
/// on demand, stopped with the container.
/// </summary>
internal sealed class InProcessKafka : IInProcessKafka, IDisposable
{
    private readonly Lazy<InProcessKafkaCluster> _cluster = new(() => InProcessKafkaCluster.Start(1));
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);

    public string BootstrapServers => _cluster.Value.BootstrapServers;

    public InProcessKafkaCluster Cluster => _cluster.Value;

    public void EnsureTopic(string topic, int partitions)
    {
        lock (_topics)
        {
            if (_topics.Add(topic))
                _cluster.Value.CreateTopic(topic, partitions);
        }
    }

    public void Dispose()
    {
        if (_cluster.IsValueCreated)
            _cluster.Value.Dispose();
    }
}
