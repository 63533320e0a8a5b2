using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>Where the forwarder writes one part's records: the repartition topic, its partition count, and the key, or
/// <see langword="null"/> for the part without a key (every record to partition 0).</summary>
internal sealed record RepartitionTarget(string Topic, int Partitions, Func<Interaction, string>? Key);

/// <summary>
/// Prepares the forwarder's topics before it forwards anything: waits for a broker, takes the source topic's partition
/// count, and creates the missing repartition topics (through the admin API, or on first use on a cluster that does
/// not offer it, such as librdkafka's mock).
/// </summary>
internal static class RepartitionTopicSetup
{
    /// <summary>Waits for a broker, reads the source topic's partition count and makes sure every part's topic exists.</summary>
    /// <returns>The source topic's partition count and where each part's records go.</returns>
    /// <exception cref="KafkaException">No broker answered, or a topic could not be created.</exception>
    /// <exception cref="InvalidOperationException">The source topic does not exist, or the cluster refused to create a topic.</exception>
    public static (int SourcePartitions, RepartitionTarget[] Targets) Prepare(
        IProducer<byte[]?, byte[]> producer, KafkaSourceOptions source, IReadOnlyList<string> parts, Func<Error?> lastConnectionError, ILogger logger, CancellationToken stopping)
    {
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        var timeout = source.ConnectTimeout;
        // The same wait and message as the source's when no broker answers: a missing server is a fast, clear failure.
        var metadata = BrokerReachability.WaitForBroker(producer, source.Topic, timeout, stopping)
            ?? throw BrokerReachability.Unreachable(source.BootstrapServers ?? string.Empty, timeout, lastConnectionError());
        var topic = metadata.Topics.FirstOrDefault(t => t.Topic == source.Topic);
        if (topic is null || topic.Error.IsError || topic.Partitions.Count == 0)
            throw new InvalidOperationException($"The source topic '{source.Topic}' does not exist: the repartition topics take their partition count from it.");
        int sourcePartitions = topic.Partitions.Count;

        var targets = new List<RepartitionTarget>();
        var missing = new List<TopicSpecification>();
        // All topics, not each by name: asking for one by name lets a broker with auto-creation create it with its default partition count.
        var known = admin.GetMetadata(timeout).Topics;
        foreach (string part in parts)
        {
            string name = RepartitionTopics.Name(source.GroupId, part);
            int partitions = part == RepartitionTopics.All ? 1 : sourcePartitions;
            var existing = known.FirstOrDefault(t => t.Topic == name);
            if (existing is { Error.IsError: false } && existing.Partitions.Count > 0)
                partitions = existing.Partitions.Count;
            else
                missing.Add(new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = -1 });
            targets.Add(new RepartitionTarget(name, partitions, part == RepartitionTopics.All ? null : RepartitionKey.For(part)));
        }
        if (missing.Count > 0)
            CreateTopics(admin, source, missing, targets, timeout, logger);
        return (sourcePartitions, [.. targets]);
    }

    private static void CreateTopics(IAdminClient admin, KafkaSourceOptions source, List<TopicSpecification> missing, List<RepartitionTarget> targets, TimeSpan timeout, ILogger logger)
    {
        string reason;
        try
        {
            var createTimeout = timeout < TopicAutoCreation.CreateTimeout ? timeout : TopicAutoCreation.CreateTimeout;
            admin.CreateTopicsAsync(missing, new CreateTopicsOptions { RequestTimeout = createTimeout, OperationTimeout = createTimeout }).GetAwaiter().GetResult();
            return;
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            return; // another member created them first
        }
        catch (CreateTopicsException ex)
        {
            var error = ex.Results.First(r => r.Error.IsError && r.Error.Code != ErrorCode.TopicAlreadyExists).Error;
            reason = $"{error.Code}: {error.Reason}";
            if (!TopicAutoCreation.MayNotBeOffered(error.Code))
                throw CannotCreate(missing, reason, ex);
        }
        catch (KafkaException ex)
        {
            reason = $"{ex.Error.Code}: {ex.Error.Reason}";
            if (!TopicAutoCreation.MayNotBeOffered(ex.Error.Code))
                throw CannotCreate(missing, reason, ex);
        }

        // A cluster that does not offer CreateTopics (librdkafka's mock cluster): have it create them on first use. Their
        // partition count is then the broker's default, which the placement tolerates: keys hash over any count, the
        // part without a key writes to partition 0 only, and markers go to every partition.
        var known = admin.GetMetadata(timeout).Topics;
        foreach (var wanted in missing)
        {
            var existing = known.FirstOrDefault(t => t.Topic == wanted.Name);
            int partitions = existing is { Error.IsError: false } ? existing.Partitions.Count : 0;
            if (partitions == 0)
            {
                partitions = TopicAutoCreation.Request(source.BuildDeadLetterConfig(), wanted.Name, timeout, logger);
                if (partitions == 0)
                    throw CannotCreate(missing, reason, null);
                Log.RepartitionTopicAutoCreated(logger, wanted.Name, reason, partitions, wanted.NumPartitions);
            }
            int index = targets.FindIndex(t => t.Topic == wanted.Name);
            targets[index] = targets[index] with { Partitions = partitions };
        }
    }

    private static InvalidOperationException CannotCreate(List<TopicSpecification> missing, string reason, Exception? inner)
    {
        string wanted = string.Join(", ", missing.Select(t => $"{t.Name} ({t.NumPartitions} partitions)"));
        return new InvalidOperationException($"The repartition topics {wanted} do not exist and could not be created ({reason}): create them, or allow this client to.", inner);
    }
}
