using CallStream.Rules.Engine;

namespace CallStream.Rules;

/// <summary>
/// Puts events from one or more source partitions into event-time order (by event time, ties by interaction id
/// ordinal; the event time is the start or the end time, <see cref="EventOrderingOptions.EventTime"/>) for the rules: it holds arriving events and releases them once the watermark has passed them.
/// </summary>
/// <remarks>
/// <para>
/// The watermark is the newest event time seen, taken as the minimum over the partitions that are not idle,
/// minus <see cref="EventOrderingOptions.AllowedLateness"/>; events at or before it are released, in order. A
/// partition the source reports caught up (<see cref="MarkCaughtUp"/>) for
/// <see cref="EventOrderingOptions.IdleTimeout"/> of wall time is idle and does not hold the watermark back; a
/// partition that is merely slow, or has not delivered anything yet, still does. When every partition is idle the
/// newest event time over all of them counts. An event that sorts before the last event released is late: it is
/// counted, reported to <see cref="EventOrderingOptions.OnLateEvent"/> and released at once.
/// <see cref="Complete"/> releases everything held.
/// </para>
/// <para>
/// The partitions and their watermark are a <see cref="PartitionWatermark"/>; the held events, one FIFO run per
/// partition merged with a heap of out-of-order ones, are <see cref="HeldEvents"/>; this type decides what is late and
/// releases. Partitions are registered on first use, or ahead with <see cref="AddPartition"/> (so that an assigned
/// partition that has not delivered yet holds the watermark); <see cref="RemovePartition"/> forgets one after a
/// rebalance. Not thread-safe, and not re-entrant: the release callback must not call back into the orderer.
/// </para>
/// </remarks>
public sealed class EventTimeOrderer
{
    private readonly Action<PartitionedInteraction> _release;
    private readonly Action<LateEvent>? _onLate;
    private readonly PartitionWatermark _partitions;
    private readonly HeldEvents _held = new();
    private readonly bool _endTime;
    private readonly Action<long>? _onRewind;

    // In-order releases form segments that each go forward in event time; a new one starts when a partition that joined
    // behind the events already released catches up (its first release sorts before the last one). Closed segments keep
    // their newest key and the index of their last release, so that an event is late only against what was released
    // since its partition joined.
    private readonly List<(EventKey Last, long LastIndex)> _closedSegments = [];
    private EventKey _lastReleased;
    private long _lastReleasedIndex = -1;
    private bool _hasReleased;
    private bool _releasing;

    /// <summary>Creates an orderer.</summary>
    /// <param name="release">Receives the events in event-time order (late events as they come).</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="release"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public EventTimeOrderer(Action<PartitionedInteraction> release, EventOrderingOptions? options = null)
        : this(release, options ??= new EventOrderingOptions(), options.OnLateEvent)
    {
    }

    /// <summary>Creates an orderer that reports late events to <paramref name="onLate"/> instead of the options' callback.</summary>
    internal EventTimeOrderer(Action<PartitionedInteraction> release, EventOrderingOptions options, Action<LateEvent>? onLate, Action<long>? onRewind = null)
    {
        _onRewind = onRewind;
        ArgumentNullException.ThrowIfNull(release);
        options.Validate();
        _release = release;
        _onLate = onLate;
        _partitions = new PartitionWatermark(options.TimeProvider, options.IdleTimeout, options.AllowedLateness);
        _endTime = options.EventTime == EventTimeMode.End;
    }

    /// <summary>Gets the number of events offered.</summary>
    public long OfferedCount { get; private set; }

    /// <summary>Gets the number of events released (late ones included).</summary>
    public long ReleasedCount { get; private set; }

    /// <summary>Gets the number of late events.</summary>
    public long LateCount { get; private set; }

    /// <summary>Gets the number of events held, waiting for the watermark.</summary>
    public int HeldCount => _held.Count;

    /// <summary>Gets the number of partitions known.</summary>
    public int PartitionCount => _partitions.Count;

    /// <summary>Gets whether <see cref="Complete"/> was called.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Gets the watermark, or <see langword="null"/> while there is none (no partition has delivered, or a partition that holds it has not).</summary>
    public DateTimeOffset? Watermark
    {
        get
        {
            long ticks = _partitions.Ticks;
            return ticks == long.MinValue ? null : EventTicks.ToInstant(ticks);
        }
    }

    /// <summary>Gets the event time of the newest event released in order, or <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastReleasedEventTime => _hasReleased ? EventTicks.ToInstant(_lastReleased.Ticks) : null;

    /// <summary>Offers an event of partition 0 (a single, unpartitioned source).</summary>
    /// <param name="interaction">The event.</param>
    /// <exception cref="ArgumentNullException"><paramref name="interaction"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void Offer(Interaction interaction)
    {
        ArgumentNullException.ThrowIfNull(interaction);
        Offer(new PartitionedInteraction(interaction));
    }

    /// <summary>Offers an event: it is held, or released at once when late; then every held event the watermark has passed is released.</summary>
    /// <param name="item">The event and its partition. Offering marks the partition as having data (no longer caught up).</param>
    /// <exception cref="ArgumentException">The item has no interaction.</exception>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void Offer(in PartitionedInteraction item)
    {
        if (item.Interaction is null)
            throw new ArgumentException("The event has no interaction.", nameof(item));
        EnsureOpen();
        OfferedCount++;
        var key = EventKey.Of(item.Interaction, _endTime);
        var partition = _partitions.Get(item.Partition);
        _partitions.Saw(partition, key.Ticks);

        if (_hasReleased && IsLate(partition, key, out var reference))
        {
            LateCount++;
            if (_onLate is not null)
                ReportLate(new LateEvent(item, EventTicks.ToInstant(reference.Ticks), EventTicks.ToInstant(key.Ticks)));
            Release(item);
        }
        else
        {
            _held.Hold(item, key, partition.Run);
        }

        _partitions.CheckIdle();
        ReleaseReady();
    }

    /// <summary>
    /// Registers a partition ahead of its first event (for example on assignment), so that it holds the watermark until it
    /// delivers or goes idle. A partition already known (assigned back after a rebalance) holds it again even if it was
    /// caught up or idle, until the source reports it caught up anew.
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void AddPartition(int partition)
    {
        EnsureOpen();
        _partitions.Add(partition);
    }

    /// <summary>Forgets a partition (for example revoked by a rebalance): it no longer holds the watermark. Its held events stay held.</summary>
    /// <param name="partition">The partition; unknown partitions are ignored.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void RemovePartition(int partition)
    {
        EnsureOpen();
        if (_partitions.Remove(partition))
            ReleaseReady();
    }

    /// <summary>
    /// Tells the orderer that a partition is caught up: nothing more to read as far as the source knows. After
    /// <see cref="EventOrderingOptions.IdleTimeout"/> of wall time without new data it stops holding the watermark
    /// back; call <see cref="Poll"/> (or offer events) after that time for it to take effect.
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void MarkCaughtUp(int partition)
    {
        EnsureOpen();
        _partitions.MarkCaughtUp(partition);
        _partitions.CheckIdle();
        ReleaseReady();
    }

    /// <summary>Tells the orderer that a partition has new data to read: it holds the watermark again until it is caught up for the idle timeout.</summary>
    /// <param name="partition">The partition.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void MarkHasData(int partition)
    {
        EnsureOpen();
        _partitions.MarkHasData(partition);
    }

    /// <summary>
    /// Tells the orderer that a partition has delivered every event up to <paramref name="eventTime"/> without an
    /// event to show it: a progress marker of an upstream stage (for example a source partition whose events reach
    /// this orderer through a repartition topic). The partition's newest event time moves up to it, as an event's would;
    /// an older time changes nothing.
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <param name="eventTime">The event time the partition has reached.</param>
    /// <exception cref="InvalidOperationException">The orderer is completed, or this is called from the release callback.</exception>
    public void Advance(int partition, DateTimeOffset eventTime)
    {
        EnsureOpen();
        _partitions.Advance(partition, eventTime.UtcTicks);
        _partitions.CheckIdle();
        ReleaseReady();
    }

    /// <summary>Re-checks the idle timeouts against the wall clock and releases what the watermark now passes. Does nothing once completed.</summary>
    /// <exception cref="InvalidOperationException">This is called from the release callback.</exception>
    public void Poll()
    {
        if (_releasing)
            throw new InvalidOperationException("The orderer cannot be called from its release callback.");
        if (IsCompleted)
            return;
        _partitions.CheckIdle();
        ReleaseReady();
    }

    /// <summary>Gets how long until a caught-up partition becomes idle, or <see langword="null"/> when none is waiting to: when to <see cref="Poll"/> next.</summary>
    /// <returns>The delay, zero when due.</returns>
    public TimeSpan? GetTimeUntilIdle() => IsCompleted ? null : _partitions.GetTimeUntilIdle();

    /// <summary>Ends a finite input: releases every held event, in order. The orderer accepts nothing afterwards.</summary>
    /// <exception cref="InvalidOperationException">This is called from the release callback.</exception>
    public void Complete()
    {
        if (_releasing)
            throw new InvalidOperationException("The orderer cannot be called from its release callback.");
        if (IsCompleted)
            return;
        IsCompleted = true;
        while (TryReleaseNext(long.MaxValue))
        {
        }
    }

    private void ReleaseReady()
    {
        long watermark = _partitions.Ticks;
        if (watermark == long.MinValue)
            return;
        while (TryReleaseNext(watermark))
        {
        }
    }

    /// <summary>
    /// Gets whether an event sorts before an event released since its partition joined: a partition assigned to this
    /// orderer after others had moved on (its keys were elsewhere until then) catches up in order, not late.
    /// </summary>
    private bool IsLate(OrderedPartition partition, EventKey key, out EventKey reference)
    {
        if (partition.JoinedAt == 0)
        {
            reference = _closedSegments.Count == 0 ? _lastReleased : NewestSince(partition);
            return key < reference;
        }
        reference = NewestSince(partition);
        return partition.HasClosedSegmentsReference || _lastReleasedIndex >= partition.JoinedAt ? key < reference : false;
    }

    /// <summary>The newest key released in order since a partition joined (the default key when none was).</summary>
    private EventKey NewestSince(OrderedPartition partition)
    {
        if (partition.ClosedSegmentsSeen != _closedSegments.Count)
        {
            bool has = false;
            EventKey newest = default;
            foreach (var (last, lastIndex) in _closedSegments)
            {
                if (lastIndex >= partition.JoinedAt && (!has || last > newest))
                {
                    newest = last;
                    has = true;
                }
            }
            partition.ClosedSegmentsReference = newest;
            partition.HasClosedSegmentsReference = has;
            partition.ClosedSegmentsSeen = _closedSegments.Count;
        }
        if (_lastReleasedIndex >= partition.JoinedAt && (!partition.HasClosedSegmentsReference || _lastReleased > partition.ClosedSegmentsReference))
            return _lastReleased;
        return partition.ClosedSegmentsReference;
    }

    /// <summary>Releases the oldest held event when it is at or before <paramref name="upTo"/>.</summary>
    private bool TryReleaseNext(long upTo)
    {
        if (!_held.TryTake(upTo, out var next, out var key))
            return false;
        if (_hasReleased && key < _lastReleased)
        {
            // A partition that joined behind catches up: a new segment of in-order releases begins.
            _closedSegments.Add((_lastReleased, _lastReleasedIndex));
            _onRewind?.Invoke(key.Ticks);
        }
        _lastReleased = key;
        _lastReleasedIndex = _partitions.Releases;
        _partitions.Releases++;
        _hasReleased = true;
        Release(next);
        return true;
    }

    private void Release(in PartitionedInteraction item)
    {
        ReleasedCount++;
        _releasing = true;
        try
        {
            _release(item);
        }
        finally
        {
            _releasing = false;
        }
    }

    private void ReportLate(LateEvent late)
    {
        _releasing = true;
        try
        {
            _onLate!(late);
        }
        finally
        {
            _releasing = false;
        }
    }

    private void EnsureOpen()
    {
        if (_releasing)
            throw new InvalidOperationException("The orderer cannot be called from its release callback.");
        if (IsCompleted)
            throw new InvalidOperationException("The input is complete: the orderer accepts no more events or partition changes.");
    }
}
