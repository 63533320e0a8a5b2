using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Takes partitions over from the consumer group and hands them back. On assignment it reads the committed offsets and
/// lets <see cref="InteractionSourceHandlers.OnAssigned"/> choose where reading starts (a warm-up seeks back); on
/// revocation it runs <see cref="InteractionSourceHandlers.OnRevoking"/>, settles the poison records and commits the
/// offsets stored; on loss it only lets go. Each hand-over is reported to the reader in order with the records.
/// </summary>
/// <remarks>Called on the consume thread, from within the consumer's poll.</remarks>
internal sealed class PartitionHandover(
    KafkaSourceOptions options,
    ILogger logger,
    InteractionSourceHandlers handlers,
    SourceEventQueue queue,
    PartitionProgress progress,
    OffsetCommitter committer,
    IPoisonRecordHandler poison)
{
    private readonly string _topic = options.Topic;

    /// <summary>
    /// Gets or sets whether the consumer is closing: the revocation that <c>Close</c> runs then stores the offsets but does
    /// not commit them itself. librdkafka commits the stored offsets of the partitions it unassigns (auto-commit is on),
    /// and a synchronous commit from the rebalance callback of a closing consumer can wait forever for an answer that
    /// never comes (seen under the demo's broker faults; librdkafka issues 4041 and 4884 describe the same family).
    /// </summary>
    public bool Closing { get; set; }

    public IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<Ignore, Interaction> consumer, List<TopicPartition> assigned)
    {
        queue.Flush();
        var partitions = assigned.Select(tp => tp.Partition.Value).ToList();
        var committed = ReadCommitted(consumer, assigned);
        poison.Assigned(committed);
        IReadOnlyDictionary<int, long>? starts = null;
        var positions = new Dictionary<int, EventTimePosition>();
        if (handlers.OnAssigned is { } onAssigned)
        {
            positions = MatchPositions(committed);
            var list = partitions.Select(p => new AssignedPartition(p, committed[p]) { Position = positions.TryGetValue(p, out var position) ? position : null }).ToList();
            starts = RunHandler(nameof(InteractionSourceHandlers.OnAssigned), token => onAssigned(list, token), default(IReadOnlyDictionary<int, long>));
        }

        var result = new List<TopicPartitionOffset>(assigned.Count);
        foreach (var tp in assigned)
        {
            int partition = tp.Partition.Value;
            long committedOffset = committed[partition];
            long start = starts is not null && starts.TryGetValue(partition, out long chosen) && chosen >= 0 ? chosen : committedOffset;
            result.Add(new TopicPartitionOffset(tp, starts is not null && starts.ContainsKey(partition) && start >= 0 ? new Offset(start) : Offset.Unset));
            progress.Assigned(partition, start, committedOffset);
            committer.Assigned(partition, committedOffset, positions.TryGetValue(partition, out var position) ? position : null);
            queue.Emit(InteractionSourceEvent.PartitionAssigned(partition, start, committedOffset), closing: true);
        }

        Log.PartitionsAssigned(logger, _topic, string.Join(",", result.Select(r => $"{r.Partition.Value}@{r.Offset}")));
        progress.AssignedNone = progress.NoneOwned;
        return result;
    }

    public void OnRevoked(IConsumer<Ignore, Interaction> consumer, List<TopicPartitionOffset> revoked)
    {
        progress.AssignedNone = false;
        var partitions = revoked.Select(tpo => tpo.Partition.Value).ToList();
        queue.Revoke(partitions); // queued records of these partitions are dropped from now on

        var clock = Stopwatch.StartNew();
        if (handlers.OnRevoking is { } onRevoking)
            RunHandler(nameof(InteractionSourceHandlers.OnRevoking), async token => { await onRevoking(partitions, token).ConfigureAwait(false); return true; }, false);

        // Poison records of these partitions must be settled (dead letters durable) before offsets move past them.
        poison.Settle(partitions, options.HandlerTimeout - clock.Elapsed);
        var commits = committer.CommitRevoked(consumer, partitions, commitHere: !Closing);

        Release(partitions);
        Log.PartitionsRevoked(logger, _topic, string.Join(",", partitions), commits.Count == 0 ? "nothing" : string.Join(",", commits.Select(c => $"{c.Partition.Value}@{c.Offset.Value}")));
        foreach (int partition in partitions)
            queue.Emit(InteractionSourceEvent.PartitionRevoked(partition), closing: true);
    }

    public void OnLost(IConsumer<Ignore, Interaction> consumer, List<TopicPartitionOffset> lost)
    {
        progress.AssignedNone = false;
        var partitions = lost.Select(tpo => tpo.Partition.Value).ToList();
        queue.Revoke(partitions);
        Release(partitions);
        Log.PartitionsLost(logger, _topic, string.Join(",", partitions));
        foreach (int partition in partitions)
            queue.Emit(InteractionSourceEvent.PartitionLost(partition), closing: true);
    }

    /// <summary>Reads the positions stored beside the committed offsets and keeps, per partition, the one stored with exactly
    /// the committed offset: a position stored with another offset (a commit that failed, or one made without positions)
    /// does not describe where reading resumes.</summary>
    private Dictionary<int, EventTimePosition> MatchPositions(Dictionary<int, long> committed)
    {
        var matched = new Dictionary<int, EventTimePosition>();
        var withCommit = committed.Where(c => c.Value > 0).Select(c => c.Key).ToList();
        if (withCommit.Count == 0)
            return matched;
        var stored = committer.ReadPositions(withCommit);
        foreach (int partition in withCommit)
        {
            if (!stored.TryGetValue(partition, out var list))
                continue;
            long offset = committed[partition];
            if (list.FirstOrDefault(s => s.Offset == offset) is { Offset: >= 0 } match && match.Offset == offset)
                matched[partition] = match.Position;
            else
                Log.PositionMismatch(logger, _topic, partition, string.Join(", ", list.Select(s => s.Offset)), offset);
        }
        if (matched.Count > 0)
            Log.PositionsRead(logger, _topic, committer.ProgressTopic, string.Join(", ", matched.Select(m => $"{m.Key}@{committed[m.Key]}: watermark {Iso8601.Format(m.Value.Watermark)}, warm-up from {m.Value.WarmUpFrom}")));
        return matched;
    }

    private Dictionary<int, long> ReadCommitted(IConsumer<Ignore, Interaction> consumer, List<TopicPartition> assigned)
    {
        var committed = assigned.ToDictionary(tp => tp.Partition.Value, _ => -1L);
        try
        {
            foreach (var tpo in consumer.Committed(assigned, options.RequestTimeout))
            {
                if (tpo.Offset.Value >= 0)
                    committed[tpo.Partition.Value] = tpo.Offset.Value;
            }
        }
        catch (KafkaException ex)
        {
            Log.CommittedUnknown(logger, _topic, ex.Error.Reason);
        }

        return committed;
    }

    private void Release(List<int> partitions)
    {
        progress.Release(partitions);
        committer.Forget(partitions);
        poison.Forget(partitions);
    }

    private T RunHandler<T>(string name, Func<CancellationToken, ValueTask<T>> handler, T fallback)
    {
        using var timeout = new CancellationTokenSource(options.HandlerTimeout);
        try
        {
            var task = handler(timeout.Token).AsTask();
            if (task.Wait(options.HandlerTimeout))
                return task.Result;
            Log.HandlerTimedOut(logger, name, options.HandlerTimeout);
        }
        catch (AggregateException ex)
        {
            Log.HandlerFailed(logger, ex.InnerException ?? ex, name);
        }
#pragma warning disable CA1031 // a handler may throw anything synchronously; the hand-over goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(logger, ex, name);
        }

        return fallback;
    }
}
