namespace CallStream.Kafka.Tests.Support;

/// <summary>Sink and source options pointed at an in-process cluster, with the same loopback timings as its client configurations.</summary>
internal static class KafkaOptions
{
    public static KafkaSinkOptions Sink(InProcessKafkaCluster cluster, string? topic = null)
    {
        var options = new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers, Topic = topic, Linger = TimeSpan.FromMilliseconds(5) };
        AddFastBackoffs(options.Settings);
        return options;
    }

    public static KafkaSourceOptions Source(InProcessKafkaCluster cluster, string topic, string groupId)
    {
        var options = new KafkaSourceOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            Topic = topic,
            GroupId = groupId,
            StatisticsInterval = TimeSpan.FromMilliseconds(200),
            HandlerTimeout = TimeSpan.FromSeconds(10),
        };
        options.Settings["heartbeat.interval.ms"] = "500";
        options.Settings["session.timeout.ms"] = "3000";
        AddFastBackoffs(options.Settings);
        AddFastBackoffs(options.DeadLetterSettings);
        return options;
    }

    private static void AddFastBackoffs(Dictionary<string, string> settings)
    {
        settings["reconnect.backoff.ms"] = "10";
        settings["reconnect.backoff.max.ms"] = "250";
        settings["retry.backoff.ms"] = "10";
        settings["retry.backoff.max.ms"] = "250";
    }
}
