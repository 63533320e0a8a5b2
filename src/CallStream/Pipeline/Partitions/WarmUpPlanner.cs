using System.Collections.Concurrent;
using CallStream.Rules;
using CallStream.Rules.Engine;
using Microsoft.Extensions.Logging;

namespace CallStream.Pipeline;

/// <summary>
/// Plans the warm-up of newly assigned partitions: where to start re-reading so that the events before the committed
/// position that can still fall inside a window or suppression period (the horizon, in event time) rebuild rule state.
/// </summary>
/// <remarks>
/// <para>The event-time position stored with the committed offset (<see cref="AssignedPartition.Position"/>) says where
/// to start. Without one (a group that ran before positions were stored, or a source that cannot keep them), the
/// position is estimated from events, never from one record's timestamp: the newest event time among the valid
/// interactions of the <see cref="FallbackRecords"/> records before the committed offset, minus the horizon, looked up
/// by record timestamp. Only a source that cannot read records is asked for the timestamp of the record before the
/// committed offset.</para>
/// <para>Plans on the source's thread (<see cref="InteractionSourceHandlers.OnAssigned"/>); the loop takes a plan when the
/// assignment arrives in the stream.</para>
/// </remarks>
internal sealed class WarmUpPlanner(IInteractionSource source, PartitionLedger ledger, TimeSpan horizon, bool enabled, bool endTime, ILogger logger)
{
    /// <summary>How many records before a committed offset the fallback reads to estimate its event time.</summary>
    internal const int FallbackRecords = 64;

    private readonly ConcurrentDictionary<int, WarmUpPlan> _plans = new();

    /// <summary>Gets how far before a committed position a warm-up re-reads (in event time).</summary>
    public TimeSpan Horizon => horizon;

    /// <summary>Gets whether the pipeline stores an event-time position with its offsets: only when it warms up.</summary>
    public bool TracksPositions => enabled && horizon > TimeSpan.Zero;

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

    /// <summary>Takes the plan of a partition being assigned, when the source followed it (started where it said).</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="reportedStart">Where the source says it started reading.</param>
    public WarmUpPlan? TakePlan(int partition, long reportedStart) =>
        _plans.TryRemove(partition, out var plan) && reportedStart == plan.Start ? plan : null;

    /// <summary>Chooses, for partitions being assigned, the offsets to start reading at; <see langword="null"/> when none needs a warm-up.</summary>
    public async ValueTask<IReadOnlyDictionary<int, long>?> PlanAsync(IReadOnlyList<AssignedPartition> assigned, CancellationToken cancellationToken)
    {
        if (!TracksPositions)
            return null;
        var known = new Dictionary<int, long>();
        var seeks = new Dictionary<int, (DateTimeOffset Time, long AtMost, long BoundTicks, string How)>();
        var estimate = new Dictionary<int, long>();
        foreach (var partition in assigned)
        {
            int p = partition.Partition;
            long committed = partition.CommittedOffset;
            if (committed <= 0)
                continue;
            long offered = ledger.GetOfferedUpTo(p);
            if (offered >= committed - 1)
                continue; // this pipeline's state already holds every event before the committed position
            known[p] = offered;
            if (partition.Position is { } position)
            {
                long boundTicks = Minus(position.Watermark, position.Horizon).UtcTicks;
                if (position.Horizon >= horizon)
                {
                    Decide(p, position.WarmUpFrom, committed, offered, boundTicks, position.Watermark, "the position stored with the committed offset");
                    continue;
                }
                // The rules look further back than when the position was stored: seek from its watermark, by record time.
                var from = Minus(position.Watermark, horizon);
                seeks[p] = (from, position.WarmUpFrom, from.UtcTicks, "the position stored with the committed offset, and a longer horizon");
                continue;
            }
            estimate[p] = committed;
        }

        if (estimate.Count > 0)
            await EstimateAsync(estimate, seeks, cancellationToken).ConfigureAwait(false);

        foreach (var group in seeks.GroupBy(s => s.Value.Time))
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
            foreach (int p in partitions)
            {
                if (!offsets.TryGetValue(p, out long start))
                    continue;
                var seek = seeks[p];
                long committed = assigned.First(a => a.Partition == p).CommittedOffset;
                Decide(p, Math.Min(start, seek.AtMost), committed, known[p], seek.BoundTicks, seek.Time + horizon, seek.How);
            }
        }

        var starts = new Dictionary<int, long>();
        foreach (var partition in assigned)
        {
            if (_plans.TryGetValue(partition.Partition, out var plan) && plan.Start < partition.CommittedOffset)
                starts[partition.Partition] = plan.Start;
        }
        return starts.Count == 0 ? null : starts;
    }

    /// <summary>Estimates the event time of committed positions without a stored position: the newest event time among the
    /// valid interactions just before each (a poison record, or one stamped with the wall clock, cannot move it).</summary>
    private async Task EstimateAsync(Dictionary<int, long> committed, Dictionary<int, (DateTimeOffset, long, long, string)> seeks, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<int, IReadOnlyList<Interaction>> found;
        try
        {
            found = await source.ReadInteractionsBeforeAsync(committed, FallbackRecords, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException)
        {
            await EstimateFromTimestampsAsync(committed, seeks, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.WarmUpUnavailable(logger, ex, string.Join(",", committed.Keys), ex.Message);
            return;
        }
        foreach (var (p, offset) in committed)
        {
            if (!found.TryGetValue(p, out var interactions) || interactions.Count == 0)
            {
                Log.WarmUpUnestimated(logger, p, offset, FallbackRecords);
                continue;
            }
            long newest = interactions.Max(i => EventTimes.Of(i, endTime));
            var position = new DateTimeOffset(newest, TimeSpan.Zero);
            Log.WarmUpEstimated(logger, p, offset, position, interactions.Count, FallbackRecords);
            var from = Minus(position, horizon);
            seeks[p] = (from, offset, from.UtcTicks, $"the newest event time of {interactions.Count} interaction(s) before the committed offset");
        }
    }

    /// <summary>The last resort for a source that cannot read records at an offset (one whose records are all valid
    /// interactions stamped with their event time, as a repartition topic's): the timestamp of the record before the
    /// committed offset.</summary>
    private async Task EstimateFromTimestampsAsync(Dictionary<int, long> committed, Dictionary<int, (DateTimeOffset, long, long, string)> seeks, CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<int, DateTimeOffset> times;
        try
        {
            times = await source.GetTimestampsAsync(committed.ToDictionary(c => c.Key, c => c.Value - 1), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.WarmUpUnavailable(logger, ex, string.Join(",", committed.Keys), ex.Message);
            return;
        }
        foreach (var (p, offset) in committed)
        {
            if (!times.TryGetValue(p, out var time))
                continue;
            var from = Minus(time, horizon);
            seeks[p] = (from, offset, from.UtcTicks, "the timestamp of the record before the committed offset (the source cannot read records)");
        }
    }

    private void Decide(int partition, long start, long committed, long offered, long boundTicks, DateTimeOffset position, string how)
    {
        start = Math.Max(Math.Min(start, committed), offered + 1);
        _plans[partition] = new WarmUpPlan(start, boundTicks);
        if (start < committed)
            Log.WarmUpPlanned(logger, partition, start, committed, new DateTimeOffset(boundTicks, TimeSpan.Zero), position, how);
    }

    private static DateTimeOffset Minus(DateTimeOffset instant, TimeSpan span) =>
        instant.UtcTicks - DateTimeOffset.MinValue.UtcTicks <= span.Ticks ? DateTimeOffset.MinValue : instant - span;
}

/// <summary>Where a partition's reading starts after an assignment, and what is known of the records before it.</summary>
/// <param name="Start">The offset reading starts at (the committed offset when no warm-up is needed).</param>
/// <param name="BoundTicks">Every record before <paramref name="Start"/> has an event time before this (UTC ticks).</param>
internal readonly record struct WarmUpPlan(long Start, long BoundTicks);
