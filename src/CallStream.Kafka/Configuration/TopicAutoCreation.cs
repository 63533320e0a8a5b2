using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// The fallback for a cluster that does not create topics on request (librdkafka's mock cluster has no controller to
/// ask): ask for the topic's metadata with automatic creation allowed, as a producer's first use would.
/// </summary>
internal static class TopicAutoCreation
{
    /// <summary>How long a CreateTopics request may take before the fallback is tried: a cluster without a controller makes it wait its whole timeout.</summary>
    public static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Whether a failed CreateTopics request may mean the cluster does not offer it (rather than refusing this client).</summary>
    /// <param name="code">The error.</param>
    /// <returns>Whether to try the fallback.</returns>
    public static bool MayNotBeOffered(ErrorCode code) =>
        code is ErrorCode.InvalidRequest or ErrorCode.UnsupportedVersion or ErrorCode.Local_UnsupportedFeature or ErrorCode.Local_TimedOut;

    /// <summary>Asks for a topic's metadata with automatic creation allowed.</summary>
    /// <param name="config">A producer configuration for the cluster (connection and security).</param>
    /// <param name="topic">The topic.</param>
    /// <param name="timeout">How long to wait for the metadata.</param>
    /// <param name="logger">Where librdkafka logs.</param>
    /// <returns>The topic's partition count once it exists, or 0 when the cluster did not create it.</returns>
    public static int Request(ProducerConfig config, string topic, TimeSpan timeout, ILogger logger)
    {
        config = new ProducerConfig(new Dictionary<string, string>(config));
        config.Set("allow.auto.create.topics", "true");
        using var producer = new ProducerBuilder<Null, Null>(config).SetLogHandler((_, m) => Log.Librdkafka(logger, m)).Build();
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        var found = admin.GetMetadata(topic, timeout).Topics.FirstOrDefault(t => t.Topic == topic);
        return found is not null && !found.Error.IsError ? found.Partitions.Count : 0;
    }
}
