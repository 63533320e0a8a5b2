using System.Diagnostics.Metrics;
using CallStream.Rules;
using CallStream.Rules.Engine;
using Microsoft.Extensions.Logging;

namespace CallStream.Pipeline;

/// <summary>
/// The ordering and rules stage: offers each record read to the rule engine with a checkpoint slot (or only to warm up
/// state, or not at all when this pipeline evaluated it before a hand-over), and turns each event the engine releases,
/// with its alerts, into outputs for the <see cref="OutputDispatcher"/>. Runs on the pipeline's loop.
/// </summary>
internal sealed class RuleStage : IEvaluatedEventHandler, IDisposable
{
    private readonly PartitionLedger _ledger;
    private readonly WarmUpPlanner _planner;
    private readonly CheckpointTracker _tracker;
    private readonly OutputDispatcher _outputs;
    private readonly PipelineFigures _figures;
    private readonly ILogger _logger;
    private readonly RuleEngine _engine;
    private readonly bool _checkpointed;
    private readonly bool _positions;
    private readonly bool _endTime;

    // Partitions revoked whose engine partition still holds the watermark until the rebalance has played out (data flows
    // again): an eager rebalance revokes every partition and assigns most of them back, and forgetting them one by one
    // lets the watermark climb to the newest partition left, evaluating held events of partitions that come back before
    // their unread older events, which would then be late.
    private readonly HashSet<int> _revokedHolding = [];

    /// <summary>The records of a file's batch offered in one call, when the rules run on several threads; otherwise null.</summary>
    private readonly PartitionedInteraction[]? _batch;

    public RuleStage(RuleSet rules, InteractionPipelineOptions options, IMeterFactory? meterFactory, PartitionLedger ledger, WarmUpPlanner planner,
        CheckpointTracker tracker, OutputDispatcher outputs, PipelineFigures figures, ILogger logger, bool checkpointed)
    {
        _checkpointed = checkpointed;
        _positions = checkpointed && planner.TracksPositions;
        _endTime = options.EventTime == EventTimeMode.End;
        _ledger = ledger;
        _planner = planner;
        _tracker = tracker;
        _outputs = outputs;
        _figures = figures;
        _logger = logger;
        var engineOptions = new RuleEngineOptions { MeterFactory = meterFactory, EvaluationThreads = options.EvaluationThreads };
        options.CopyOrderingTo(engineOptions);
        _engine = new RuleEngine(rules, this, engineOptions);
        if (_engine.EvaluationThreads > 1 && !checkpointed)
            _batch = new PartitionedInteraction[ShardedEvaluator.BatchCapacity];
    }

    public RuleEngine Engine => _engine;

    /// <summary>Gets whether the input was completed: the engine takes no more events.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Takes a partition on (its warm-up as planned, if the source followed the plan) and lets it hold the watermark.</summary>
    public OwnedPartition Assign(int partition, long committed, long reportedStart)
    {
        var plan = _planner.TakePlan(partition, reportedStart);
        long warmUpFrom = plan is { } p && p.Start < committed ? p.Start : -1;
        var owned = _ledger.Assign(partition, committed, warmUpFrom);
        _revokedHolding.Remove(partition); // assigned back: its engine partition goes on where it was
        if (_positions)
            StartIndex(owned.Log.Index, plan, committed);
        if (!IsCompleted)
            _engine.AddPartition(partition);
        Log.PartitionAssigned(_logger, partition, committed, warmUpFrom);
        return owned;
    }

    /// <summary>Says what is known of the records before where reading starts, unless the index already covers them.</summary>
    private static void StartIndex(WarmUpIndex index, WarmUpPlan? plan, long committed)
    {
        long start = plan?.Start ?? committed;
        if (index.Started && start >= 0 && index.Next >= start)
            return; // read here before, without a gap: the samples still hold
        if (plan is { } p)
            index.Start(p.Start, p.BoundTicks);
        else if (committed <= 0)
            index.Expect(long.MinValue); // from the partition's first record, or where the reset policy starts
        else
            index.Start(committed, long.MinValue); // no warm-up ran: a later one need not reach further back than this run's state did
    }

    /// <summary>
    /// Gets the event-time position to store with a partition's commit point: the engine's watermark, lowered to the
    /// earliest event time among the records read at or after the commit point (they are read again after a restart), and
    /// the offset before which every record is older than that watermark minus the horizon.
    /// </summary>
    /// <returns>The position, or <see langword="null"/> when the pipeline does not track positions or knows none yet.</returns>
    public EventTimePosition? PositionAt(int partition, long nextOffset)
    {
        if (!_positions || !_ledger.TryGetLog(partition, out var log) || !log.Index.Started)
            return null;
        long ticks = _engine.Watermark is { } watermark ? watermark.UtcTicks : long.MaxValue;
        if (_ledger.TryGetOwned(partition, out var owned) && owned.InFlight.EarliestFrom(nextOffset) is long earliest && earliest < ticks)
            ticks = earliest;
        if (ticks == long.MaxValue)
        {
            if (log.LastPositionTicks is not long last)
                return null;
            ticks = last;
        }
        log.LastPositionTicks = ticks;
        long horizon = _planner.Horizon.Ticks;
        long threshold = ticks - DateTimeOffset.MinValue.UtcTicks > horizon ? ticks - horizon : DateTimeOffset.MinValue.UtcTicks;
        long from = Math.Min(log.Index.WarmUpFrom(threshold), nextOffset);
        // Keep one more horizon of samples: a watermark can step back a little when a partition joins.
        log.Index.Prune(threshold - DateTimeOffset.MinValue.UtcTicks > horizon ? threshold - horizon : DateTimeOffset.MinValue.UtcTicks);
        return new EventTimePosition(new DateTimeOffset(ticks, TimeSpan.Zero), _planner.Horizon, from);
    }

    /// <summary>
    /// Gives a partition up: its records in flight are no longer this pipeline's to commit. It stops holding the engine's
    /// watermark once data flows again after the rebalance, unless it was assigned back by then.
    /// </summary>
    public void Release(int partition)
    {
        _ledger.Release(partition);
        _tracker.Remove(partition);
        if (!IsCompleted)
            _revokedHolding.Add(partition);
    }

    /// <summary>Forgets the partitions revoked and not assigned back: the rebalance is over once data flows again.</summary>
    private void ForgetRevoked()
    {
        if (IsCompleted)
        {
            _revokedHolding.Clear();
            return;
        }
        foreach (int partition in _revokedHolding)
            _engine.RemovePartition(partition);
        _revokedHolding.Clear();
    }

    public void OnRecord(in InteractionSourceEvent e)
    {
        if (_revokedHolding.Count > 0)
            ForgetRevoked();
        if (!_checkpointed)
        {
            OfferUncheckpointed(e);
            return;
        }
        int partition = e.Partition;
        long offset = e.Offset;
        var owned = GetOwned(partition);
        var log = owned.Log;
        owned.View.LastRead = offset;
        if (offset < owned.WarmUpUntil)
        {
            if (offset <= log.OfferedUpTo)
                return; // already in the engine's state
            _figures.WarmUpRead();
            log.OfferedUpTo = offset;
            if (_positions)
                log.Index.Observe(offset, EventTimes.Of(e.Interaction!, _endTime));
            _engine.Offer(new PartitionedInteraction(e.Interaction!, partition, offset, WarmUp: true));
            return;
        }

        _figures.RecordRead();
        if (offset <= owned.LastBegun)
        {
            _figures.Replayed();
            return; // read twice within one assignment: its ticket is already tracked
        }
        owned.LastBegun = offset;
        if (_positions)
        {
            long ticks = EventTimes.Of(e.Interaction!, _endTime);
            owned.InFlight.Add(offset, ticks);
            log.Index.Observe(offset, ticks);
        }
        if (offset <= log.OfferedUpTo)
        {
            // Evaluated (or held) by this pipeline before the partition was handed over and back.
            _figures.Replayed();
            if (log.Pending.ContainsKey(offset))
                log.Pending[offset] = _tracker.BeginSlot(partition, offset); // still held: completes when evaluated
            else if (log.Orphans.Remove(offset, out var orphan))
                _outputs.Add(new ReleasedOutputs(orphan.Interaction, _tracker.Begin(partition, offset), default, orphan.Alerts));
            else
                _tracker.Begin(partition, offset).Complete(); // evaluated and durable before the hand-over
            return;
        }

        // Tracked without a ticket object: most events have nothing to write, and those held for the watermark are many.
        log.Pending[offset] = _tracker.BeginSlot(partition, offset);
        log.OfferedUpTo = offset;
        _engine.Offer(new PartitionedInteraction(e.Interaction!, partition, offset));
    }

    /// <summary>A record of a source with no position to store (a file): read once, nothing to warm up, hand over or commit.</summary>
    private void OfferUncheckpointed(in InteractionSourceEvent e)
    {
        var owned = GetOwned(e.Partition);
        owned.View.LastRead = e.Offset;
        _figures.RecordRead();
        _engine.Offer(new PartitionedInteraction(e.Interaction!, e.Partition, e.Offset));
    }

    /// <summary>Offers records of one partition at consecutive offsets (the rest of a file's batch), as one <see cref="OnRecord"/> each.</summary>
    public void OnRecords(ReadOnlySpan<Interaction> records, int partition, long firstOffset)
    {
        if (records.IsEmpty || IsCompleted)
            return;
        if (_revokedHolding.Count > 0)
            ForgetRevoked();
        if (_checkpointed)
        {
            for (int i = 0; i < records.Length; i++)
                OnRecord(InteractionSourceEvent.Record(partition, firstOffset + i, records[i].StartTime, records[i]));
            return;
        }
        var owned = GetOwned(partition);
        _figures.RecordsRead(records.Length);
        var engine = _engine;
        if (_batch is { } batch)
        {
            // One call per chunk: the events it releases are evaluated together, on the rules' threads.
            for (int start = 0; start < records.Length; start += batch.Length)
            {
                int count = Math.Min(batch.Length, records.Length - start);
                for (int i = 0; i < count; i++)
                    batch[i] = new PartitionedInteraction(records[start + i], partition, firstOffset + start + i);
                engine.Offer(batch.AsSpan(0, count));
            }
            Array.Clear(batch);
        }
        else
        {
            for (int i = 0; i < records.Length; i++)
                engine.Offer(new PartitionedInteraction(records[i], partition, firstOffset + i));
        }
        owned.View.LastRead = firstOffset + records.Length - 1;
    }

    public void OnDeadLettered(in InteractionSourceEvent e)
    {
        if (_revokedHolding.Count > 0)
            ForgetRevoked();
        var owned = GetOwned(e.Partition);
        owned.View.LastRead = e.Offset;
        if (e.Offset < owned.WarmUpUntil || e.Offset <= owned.LastBegun)
            return;
        _figures.DeadLettered();
        owned.LastBegun = e.Offset;
        _tracker.Begin(e.Partition, e.Offset).Complete();
    }

    public void OnCaughtUp(int partition)
    {
        _ledger.SetCaughtUp(partition, true);
        if (!IsCompleted)
            _engine.MarkCaughtUp(partition);
    }

    /// <summary>A progress marker: the partition has delivered every event up to <paramref name="eventTime"/>; the engine's watermark may move on.</summary>
    public void OnProgress(int partition, DateTimeOffset eventTime)
    {
        if (_revokedHolding.Count > 0)
            ForgetRevoked();
        GetOwned(partition);
        if (!IsCompleted)
            _engine.Advance(partition, eventTime);
    }

    public void OnActive(int partition)
    {
        _ledger.SetCaughtUp(partition, false);
        if (!IsCompleted)
            _engine.MarkHasData(partition);
    }

    /// <summary>Gets how long until a caught-up partition goes idle, or <see langword="null"/> when none waits to (or the input is complete).</summary>
    public TimeSpan? GetTimeUntilIdle() => IsCompleted ? null : _engine.GetTimeUntilIdle();

    /// <summary>Releases what the watermark passes now that a partition went idle.</summary>
    public void Poll()
    {
        if (!IsCompleted)
            _engine.Poll();
    }

    /// <summary>Ends the input: every held event is evaluated. Returns whether this call completed it.</summary>
    public bool Complete()
    {
        if (IsCompleted)
            return false;
        IsCompleted = true;
        _engine.Complete();
        return true;
    }

    void IEvaluatedEventHandler.OnEvaluated(in PartitionedInteraction item, ReadOnlySpan<Alert> alerts, bool duplicate)
    {
        if (item.WarmUp)
        {
            _figures.WarmUpEvaluated();
            return;
        }

        // A duplicate is done as soon as it is dispatched: nothing of it is written, so the first copy stays what is stored.
        if (duplicate)
            _figures.DuplicateDropped();
        else
            _figures.EventEvaluated();
        var interaction = duplicate ? null : item.Interaction;
        Alert[]? raised = alerts.IsEmpty ? null : alerts.ToArray();
        if (!_checkpointed)
        {
            // Nothing to commit: only outputs to hand over, and most events have none.
            if (raised is not null || (interaction is not null && _outputs.TakesInteractions))
                _outputs.Add(new ReleasedOutputs(interaction, null, default, raised));
            return;
        }
        if (!_ledger.TryGetLog(item.Partition, out var log) || !log.Pending.Remove(item.Offset, out var slot))
            return;
        if (slot.IsTracked)
        {
            // A ticket only for a record with outputs to write to a sink; the others just complete their slot when dispatched.
            var ticket = _outputs.WritesAnything(interaction is not null, raised is not null) ? _tracker.AttachTicket(slot) : null;
            _outputs.Add(new ReleasedOutputs(interaction, ticket, slot, raised));
        }
        else if (!_ledger.TryGetOwned(item.Partition, out var owned) || item.Offset >= owned.WarmUpUntil)
        {
            log.Orphans[item.Offset] = new Orphan(interaction, raised); // kept for a re-read after the partition comes back
        }
    }

    public void Dispose() => _engine.Dispose();

    private OwnedPartition GetOwned(int partition) =>
        _ledger.TryGetOwned(partition, out var owned)
            ? owned
            : Assign(partition, -1, -1); // a source that reports records without assigning their partition first: track it from here
}
