using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Reads a repartition topic (<see cref="RepartitionTopics"/>) for a pipeline: every pair of a repartition partition q and
/// a source partition p is an input channel of its own, presented to the pipeline as partition
/// <c>q × SourcePartitions + p</c>, so that the event-time watermark is the minimum over every source partition's
/// progress as a single consumer of the source topic would see it.
/// </summary>
/// <remarks>
/// <para>
/// Records of p advance their channel as events do; progress markers of p advance it without an event
/// (<see cref="InteractionSourceEventKind.Progress"/>), and a marker that says p was read to its end reports the channel
/// caught up, so that it stops holding the watermark after the idle timeout. Assignment, revocation and loss of q
/// apply to all its channels.
/// </para>
/// <para>
/// Offsets are q's: the offset stored for q is the lowest offset any of its channels still has in progress (or past
/// everything read when none has), so a restart re-reads every record whose outputs are not yet durable.
/// </para>
/// <para>
/// Each forwarded record carries its source partition and offset. A record of p at or below the highest source offset of
/// p already delivered on its channel since the assignment is a copy forwarded again after a hand-over of p between
/// forwarders, and is dropped (<see cref="CopiesDropped"/>).
/// </para>
/// </remarks>
public sealed class KafkaRepartitionSource : IInteractionSource
{
    private readonly KafkaInteractionSource _inner;
    private readonly int _sourcePartitions;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, RepartitionPartition> _owned = [];
    private readonly Dictionary<int, EventTimePosition> _assignedPositions = [];
    private long _copiesDropped;

    /// <summary>Creates a reader of a repartition topic.</summary>
    /// <param name="options">The consumer options: <see cref="KafkaSourceOptions.Topic"/> is the repartition topic and
    /// <see cref="KafkaSourceOptions.GroupId"/> its reading group (<see cref="RepartitionTopics.Name"/>, <see cref="RepartitionTopics.GroupId"/>).</param>
    /// <param name="sourcePartitions">How many partitions the source topic has: the channels of each repartition partition.</param>
    /// <param name="loggerFactory">Logging, or <see langword="null"/>.</param>
    /// <param name="meterFactory">Metrics, or <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sourcePartitions"/> is not between 1 and 4,096.</exception>
    public KafkaRepartitionSource(KafkaSourceOptions options, int sourcePartitions, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(sourcePartitions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sourcePartitions, 4096);
        options.ReadsRepartitionTopic = true;
        options.PoisonRecords = PoisonRecordPolicy.SkipAndCount; // internal topics hold what the forwarder validated
        _sourcePartitions = sourcePartitions;
        _inner = new KafkaInteractionSource(options, loggerFactory, meterFactory, timeProvider);
    }

    /// <summary>Gets the records read (progress markers excluded), copies forwarded again included.</summary>
    public long Consumed => _inner.Consumed;

    /// <summary>
    /// Gets the records dropped because they were copies of records already delivered: forwarded again by a forwarder that
    /// took their source partition over from before the previous forwarder's last commit.
    /// </summary>
    public long CopiesDropped => Interlocked.Read(ref _copiesDropped);

    /// <summary>Gets the repartition partitions assigned now.</summary>
    public IReadOnlyCollection<int> AssignedPartitions => _inner.AssignedPartitions;

    /// <summary>Gets the repartition partition and source partition a channel stands for.</summary>
    /// <param name="channel">A partition number this source reported.</param>
    /// <returns>The repartition partition and the source partition.</returns>
    internal (int Partition, int SourcePartition) ToPartition(int channel) => (channel / _sourcePartitions, channel % _sourcePartitions);

    /// <summary>Gets the offset of the last record or marker of a repartition partition handed to the reader, or -1 when the partition is not owned or nothing was read.</summary>
    internal long ReadUpTo(int partition)
    {
        lock (_gate)
            return _owned.TryGetValue(partition, out var owned) ? owned.LastRead : -1;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var inner = handlers is null ? null : new InteractionSourceHandlers
        {
            OnAssigned = handlers.OnAssigned is { } onAssigned ? (assigned, ct) => OnAssignedAsync(onAssigned, assigned, ct) : null,
            OnRevoking = handlers.OnRevoking is { } onRevoking ? (revoking, ct) => onRevoking([.. revoking.SelectMany(Channels)], ct) : null,
        };
        var pending = new List<InteractionSourceEvent>();
        await foreach (var e in _inner.ReadAsync(inner, cancellationToken).ConfigureAwait(false))
        {
            Translate(e, pending);
            foreach (var translated in pending)
                yield return translated;
            pending.Clear();
        }
    }

    /// <inheritdoc/>
    public void StoreOffset(int partition, long nextOffset) => Store(partition, nextOffset, null);

    /// <inheritdoc/>
    /// <remarks>The repartition partition's offset is stored with a position of its own: the earliest event time among
    /// the records at or after it that this reader has read, or the channels' watermark when lower, and the offset before
    /// which every record of the repartition partition is older than that minus the horizon.</remarks>
    public void StorePosition(int partition, long nextOffset, EventTimePosition position) => Store(partition, nextOffset, position);

    private void Store(int partition, long nextOffset, EventTimePosition? position)
    {
        var (q, p) = ToPartition(partition);
        long store;
        EventTimePosition? stored;
        lock (_gate)
        {
            if (!_owned.TryGetValue(q, out var owned))
                return;
            var channel = owned.Channels[p];
            if (nextOffset > channel.Stored)
                channel.Stored = nextOffset;
            if (position is { } known)
                owned.Positioned(known);
            store = owned.TakeStore();
            stored = store >= 0 ? owned.PositionAt(store) : null;
        }
        StoreInner(q, store, stored);
    }

    private void StoreInner(int q, long store, EventTimePosition? position)
    {
        if (store < 0)
            return;
        if (position is { } known)
            _inner.StorePosition(q, store, known);
        else
            _inner.StoreOffset(q, store);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        var byPartition = await _inner.GetOffsetsForTimeAsync([.. partitions.Select(c => ToPartition(c).Partition).Distinct()], timestamp, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<int, long>();
        foreach (int channel in partitions)
        {
            if (byPartition.TryGetValue(ToPartition(channel).Partition, out long offset))
                result[channel] = offset;
        }
        return result;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyDictionary<int, DateTimeOffset>> GetTimestampsAsync(IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken = default)
    {
        var byPartition = new Dictionary<int, long>();
        foreach (var (channel, offset) in offsets)
        {
            int q = ToPartition(channel).Partition;
            byPartition[q] = byPartition.TryGetValue(q, out long known) ? Math.Min(known, offset) : offset;
        }
        var times = await _inner.GetTimestampsAsync(byPartition, cancellationToken).ConfigureAwait(false);
        var result = new Dictionary<int, DateTimeOffset>();
        foreach (int channel in offsets.Keys)
        {
            if (times.TryGetValue(ToPartition(channel).Partition, out var time))
                result[channel] = time;
        }
        return result;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private IEnumerable<int> Channels(int partition) => Enumerable.Range(partition * _sourcePartitions, _sourcePartitions);

    private async ValueTask<IReadOnlyDictionary<int, long>?> OnAssignedAsync(
        Func<IReadOnlyList<AssignedPartition>, CancellationToken, ValueTask<IReadOnlyDictionary<int, long>?>> onAssigned,
        IReadOnlyList<AssignedPartition> assigned,
        CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var a in assigned)
            {
                if (a.Position is { } position)
                    _assignedPositions[a.Partition] = position;
                else
                    _assignedPositions.Remove(a.Partition);
            }
        }
        var channels = assigned.SelectMany(a => Channels(a.Partition).Select(c => new AssignedPartition(c, a.CommittedOffset) { Position = a.Position })).ToList();
        var starts = await onAssigned(channels, cancellationToken).ConfigureAwait(false);
        if (starts is null)
            return null;
        var result = new Dictionary<int, long>();
        foreach (var (channel, start) in starts)
        {
            int q = ToPartition(channel).Partition;
            result[q] = result.TryGetValue(q, out long known) ? Math.Min(known, start) : start;
        }
        return result;
    }

    private void Translate(in InteractionSourceEvent e, List<InteractionSourceEvent> output)
    {
        int q = e.Partition;
        switch (e.Kind)
        {
            case InteractionSourceEventKind.Record:
            {
                int p = Math.Min(e.UpstreamPartition < 0 ? 0 : e.UpstreamPartition, _sourcePartitions - 1);
                int channel = q * _sourcePartitions + p;
                lock (_gate)
                {
                    var owned = GetOwned(q);
                    owned.Read(e.Offset);
                    var state = owned.Channels[p];
                    if (e.UpstreamOffset >= 0)
                    {
                        // A forwarder that took p over from its last commit forwards again what the previous one had
                        // already forwarded: the copy sorts before events of p this reader has delivered (and markers of
                        // p it has read), so it would be late, and past the duplicate horizon evaluated again.
                        if (e.UpstreamOffset <= state.HighestUpstreamOffset)
                        {
                            Interlocked.Increment(ref _copiesDropped);
                            break;
                        }
                        state.HighestUpstreamOffset = e.UpstreamOffset;
                    }
                    owned.Observe(e.Offset, e.Timestamp.UtcTicks);
                    state.LastDelivered = e.Offset;
                    if (state.CaughtUp)
                    {
                        state.CaughtUp = false;
                        output.Add(InteractionSourceEvent.PartitionActive(channel, "a record arrived"));
                    }
                }
                output.Add(InteractionSourceEvent.Record(channel, e.Offset, e.Timestamp, e.Interaction!));
                break;
            }
            case InteractionSourceEventKind.Progress:
            {
                int p = e.UpstreamPartition;
                if (p < 0 || p >= _sourcePartitions)
                    break; // a marker of a source partition this reader was not told about: the topic was repartitioned
                int channel = q * _sourcePartitions + p;
                long store;
                EventTimePosition? position;
                bool caughtUp = e.Reason == InteractionSourceEvent.CaughtUpReason;
                bool reportCaughtUp;
                lock (_gate)
                {
                    var owned = GetOwned(q);
                    owned.Read(e.Offset);
                    var state = owned.Channels[p];
                    // A marker read before q's end was first reached since the assignment was written by a forwarder of
                    // an earlier run, maybe one killed since: p may have received records after it that no forwarder has
                    // forwarded yet. Only a marker written while this reader is at q's end says p is caught up now.
                    caughtUp &= owned.ReachedEnd;
                    reportCaughtUp = caughtUp && !state.CaughtUp;
                    state.CaughtUp |= caughtUp;
                    store = owned.TakeStore();
                    position = store >= 0 ? owned.PositionAt(store) : null;
                }
                if (e.Timestamp > DateTimeOffset.MinValue)
                    output.Add(InteractionSourceEvent.Progress(channel, e.Timestamp));
                if (reportCaughtUp)
                    output.Add(InteractionSourceEvent.PartitionCaughtUp(channel, e.Offset + 1));
                StoreInner(q, store, position);
                break;
            }
            case InteractionSourceEventKind.DeadLettered:
                lock (_gate)
                    GetOwned(q).Read(e.Offset);
                output.Add(InteractionSourceEvent.DeadLettered(q * _sourcePartitions, e.Offset, e.Timestamp, e.Reason!));
                break;
            case InteractionSourceEventKind.PartitionAssigned:
                lock (_gate)
                    _owned[q] = new RepartitionPartition(_sourcePartitions, e.CommittedOffset, e.Offset, _assignedPositions.Remove(q, out var position) ? position : null);
                foreach (int channel in Channels(q))
                    output.Add(InteractionSourceEvent.PartitionAssigned(channel, e.Offset, e.CommittedOffset));
                break;
            case InteractionSourceEventKind.PartitionRevoked:
            case InteractionSourceEventKind.PartitionLost:
                lock (_gate)
                    _owned.Remove(q);
                foreach (int channel in Channels(q))
                    output.Add(e.Kind == InteractionSourceEventKind.PartitionRevoked ? InteractionSourceEvent.PartitionRevoked(channel) : InteractionSourceEvent.PartitionLost(channel));
                break;
            case InteractionSourceEventKind.PartitionCaughtUp:
                // q's own end says nothing about whether a source partition has more to come: markers say that, once the
                // markers read are those of forwarders running now.
                lock (_gate)
                    GetOwned(q).ReachedEnd = true;
                break;
            case InteractionSourceEventKind.PartitionActive:
                break;
            default:
                output.Add(e);
                break;
        }
    }

    private RepartitionPartition GetOwned(int partition)
    {
        if (!_owned.TryGetValue(partition, out var owned))
            _owned[partition] = owned = new RepartitionPartition(_sourcePartitions, -1, -1, null);
        return owned;
    }

    /// <summary>A repartition partition owned now: what each channel delivered and had stored, and what was committed for it.</summary>
    private sealed class RepartitionPartition(int channels, long committed, long start, EventTimePosition? assignedWith)
    {
        public Channel[] Channels { get; } = [.. Enumerable.Range(0, channels).Select(_ => new Channel())];

        private readonly RepartitionTimeIndex _index = RepartitionTimeIndex.From(start, assignedWith);

        /// <summary>The latest position the pipeline stored for a channel: its watermark bounds every record not read yet.</summary>
        private EventTimePosition? _latest;

        public void Observe(long offset, long ticks) => _index.Observe(offset, ticks);

        public void Positioned(EventTimePosition position) => _latest = position;

        /// <summary>Gets the position to store with the offset <paramref name="store"/> of the partition, once the pipeline stored one.</summary>
        public EventTimePosition? PositionAt(long store)
        {
            if (_latest is not { } latest)
                return null;
            long watermark = Math.Min(latest.Watermark.UtcTicks, _index.EarliestFrom(store));
            long threshold = watermark - DateTimeOffset.MinValue.UtcTicks > latest.Horizon.Ticks ? watermark - latest.Horizon.Ticks : DateTimeOffset.MinValue.UtcTicks;
            long warmUpFrom = Math.Min(_index.WarmUpFrom(threshold), store);
            _index.Prune(threshold - DateTimeOffset.MinValue.UtcTicks > latest.Horizon.Ticks ? threshold - latest.Horizon.Ticks : DateTimeOffset.MinValue.UtcTicks);
            return new EventTimePosition(new DateTimeOffset(watermark, TimeSpan.Zero), latest.Horizon, warmUpFrom);
        }

        private long _lastStored = Math.Max(committed, 0);

        public long LastRead { get; private set; } = -1;

        /// <summary>Whether the reader has reached q's end since the assignment: markers read from then on were written by forwarders running since.</summary>
        public bool ReachedEnd { get; set; }

        public void Read(long offset)
        {
            if (offset > LastRead)
                LastRead = offset;
        }

        /// <summary>Gets the offset to store for the partition when it moved on, else -1: the lowest offset a channel still has in progress, or past everything read.</summary>
        public long TakeStore()
        {
            long store = LastRead + 1;
            foreach (var channel in Channels)
            {
                long from = Math.Max(channel.Stored, committed);
                if (channel.LastDelivered >= from && from < store)
                    store = from;
            }
            if (store <= _lastStored)
                return -1;
            _lastStored = store;
            return store;
        }
    }

    private sealed class Channel
    {
        public long LastDelivered { get; set; } = -1;

        /// <summary>The highest source offset of p delivered on this channel since the assignment: a record forwarded again carries one at or below it.</summary>
        public long HighestUpstreamOffset { get; set; } = -1;

        public long Stored { get; set; } = -1;

        public bool CaughtUp { get; set; }
    }
}
