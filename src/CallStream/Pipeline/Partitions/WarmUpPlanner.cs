using System.Collections.Concurrent;
using CallStream.Rules;
using Microsoft.Extensions.Logging;

namespace CallStream.Pipeline;

/// <summary>
/// Plans the warm-up of newly assigned partitions: where to start re-reading so that the events before the committed
/// position that can still fall inside a window or suppression period (the horizon, in event time) rebuild rule state.
/// </summary>
/// <remarks>Plans on the source's thread (<see cref="InteractionSourceHandlers.OnAssigned"/>); the loop takes a plan when the
/// assignment arrives in the stream.</remarks>
internal sealed class WarmUpPlanner(IInteractionSource source, PartitionLedger ledger, TimeSpan horizon, bool enabled, ILogger logger)
{
    private readonly ConcurrentDictionary<int, long> _plans = new();

    /// <summary>Gets how far before a committed position a warm-up re-reads (in event time).</summary>
    public TimeSpan Horizon => horizon;

    /// <summary>The largest window plus suppression period of any one rule, plus the allowed lateness.</summary>
    public static TimeSpan GetHorizon(RuleSet rules, TimeSpan allowedLateness)
    {
        var largest = TimeSpan.Zero;
        foreach (var rule in rules)
        {
            var need = (rule.Window?.Length ?? TimeSpan.Zero) + (rule.Suppress ?? TimeSpan.Zero);
            if (need > largest)
                largest = need;
        }
        return largest + allowedLateness;
    }

    /// <summary>Takes the plan of a partition being assigned: where its warm-up starts, or -1 when the source did not follow one.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="reportedStart">Where the source says it started reading before the committed offset.</param>
    public long TakePlan(int partition, long reportedStart) =>
        _plans.TryRemove(partition, out long planned) && reportedStart == planned ? planned : -1;

    /// <summary>Chooses, for partitions being assigned, the offsets to start reading at; <see langword="null"/> when none needs a warm-up.</summary>
    public async ValueTask<IReadOnlyDictionary<int, long>?> PlanAsync(IReadOnlyList<AssignedPartition> assigned, CancellationToken cancellationToken)
    {
        if (!enabled || horizon <= TimeSpan.Zero)
            return null;
        var wanted = new Dictionary<int, long>();
        var known = new Dictionary<int, long>();
        foreach (var partition in assigned)
        {
            if (partition.CommittedOffset <= 0)
                continue;
            long offered = ledger.GetOfferedUpTo(partition.Partition);
            if (offered >= partition.CommittedOffset - 1)
                continue; // this pipeline's state already holds every event before the committed position
            wanted[partition.Partition] = partition.CommittedOffset - 1;
            known[partition.Partition] = offered;
        }
        if (wanted.Count == 0)
            return null;

        IReadOnlyDictionary<int, DateTimeOffset> times;
        try
        {
            times = await source.GetTimestampsAsync(wanted, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.WarmUpUnavailable(logger, ex, string.Join(",", wanted.Keys), ex.Message);
            return null;
        }

        // Record timestamps are start times. Under EventTimeMode.End the horizon is wanted before the committed
        // record's end time, and its start time is at or before that end (end = start + duration), so seeking by start
        // time re-reads at least every record that started within the horizon: more than an end-time seek would
        // need, never less for those. A record that started before the seek time yet ended within the horizon (a
        // contact longer than the committed one) is re-read when it sits after the seek position, as it does in a log
        // written in end order unless no contact both started and ended in between.
        var starts = new Dictionary<int, long>();
        foreach (var group in times.GroupBy(t => t.Value - horizon))
        {
            var partitions = group.Select(g => g.Key).ToList();
            IReadOnlyDictionary<int, long> offsets;
            try
            {
                offsets = await source.GetOffsetsForTimeAsync(partitions, group.Key, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.WarmUpUnavailable(logger, ex, string.Join(",", partitions), ex.Message);
                continue;
            }
            foreach (int partition in partitions)
            {
                if (!offsets.TryGetValue(partition, out long start))
                    continue;
                long committed = wanted[partition] + 1;
                start = Math.Max(Math.Min(start, committed), known[partition] + 1);
                if (start >= committed)
                    continue;
                starts[partition] = start;
                _plans[partition] = start;
                Log.WarmUpPlanned(logger, partition, start, committed, group.Key, times[partition]);
            }
        }
        return starts.Count == 0 ? null : starts;
    }
}
