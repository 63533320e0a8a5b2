using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Hands the offsets the pipeline declared durable (<see cref="OffsetStore"/>) to the consumer, which commits them in the
/// background: at most every few milliseconds, only for owned partitions, and never past a poison record that is not
/// settled. Commits synchronously when partitions are revoked.
/// </summary>
/// <remarks>Called on the consume thread.</remarks>
internal sealed class OffsetCommitter(string topic, ILogger logger, OffsetStore offsets, PartitionProgress progress, IPoisonRecordHandler poison)
{
    private static readonly long StoreIntervalTicks = Stopwatch.Frequency / 200; // 5 ms

    private long _lastStoreTicks;

    /// <summary>Starts a newly assigned partition from its committed offset.</summary>
    public void Assigned(int partition, long committedOffset) => offsets.Assigned(partition, committedOffset);

    /// <summary>Forgets partitions that are no longer owned.</summary>
    public void Forget(IEnumerable<int> partitions) => offsets.Forget(partitions);

    /// <summary>Stores the offsets that are due: always when <paramref name="force"/> or poison records were settled,
    /// otherwise when offsets were requested and the last store is a few milliseconds old.</summary>
    public void Apply(IConsumer<Ignore, Interaction> consumer, bool force)
    {
        bool settled = poison.TakeSettled();
        if (!force && !offsets.Dirty && !settled)
            return;
        long now = Stopwatch.GetTimestamp();
        if (!force && !settled && now - _lastStoreTicks < StoreIntervalTicks)
            return;
        _lastStoreTicks = now;

        var skipped = new List<(int Partition, long Offset)>();
        foreach (var (partition, offset) in offsets.TakeStores(progress.IsOwned, poison.FirstUnsettled, skipped))
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(topic, partition, offset));
                offsets.Stored(partition, offset);
            }
            catch (KafkaException ex)
            {
                Log.StoreSkipped(logger, offset, topic, partition, ex.Error.Reason);
            }
        }

        foreach (var (partition, offset) in skipped)
            Log.StoreSkipped(logger, offset, topic, partition, "the partition is not assigned to this source");
    }

    /// <summary>Stores what is due and commits the stored offsets of partitions about to be revoked.</summary>
    /// <returns>What was committed, for the log.</returns>
    public List<TopicPartitionOffset> CommitRevoked(IConsumer<Ignore, Interaction> consumer, IReadOnlyCollection<int> partitions)
    {
        Apply(consumer, force: true);
        var commits = new List<TopicPartitionOffset>();
        foreach (int partition in partitions)
        {
            if (offsets.TryGetStored(partition, out long offset))
                commits.Add(new TopicPartitionOffset(topic, partition, offset));
        }

        if (commits.Count > 0)
        {
            try
            {
                consumer.Commit(commits);
            }
            catch (KafkaException ex)
            {
                Log.CommitFailed(logger, topic, ex.Error.Code, ex.Error.Reason);
            }
        }

        return commits;
    }
}
