namespace CallStream.Pipeline;

/// <summary>
/// Computes, per partition, the offset a source may commit: one past the last record such that it and every
/// earlier record of the partition are durable in every sink. Records complete in any order (event-time
/// ordering and batching reorder them); the commit point only moves over a contiguous done prefix, so a crash
/// replays records instead of losing them (at-least-once).
/// </summary>
/// <remarks>
/// <para>Records are completed from any thread (sinks release tickets as their writes become durable); the commit
/// points that moved are collected, and the thread that stores offsets takes them with <see cref="DrainAdvanced"/>, so
/// offsets are stored from one thread, in the order that thread chooses.</para>
/// <para>/// The records in flight of a partition are kept in a ring, in offset order. The pipeline tracks most records without a
/// <see cref="RecordTicket"/> object (a slot in the ring is enough for a record that has nothing to write) and attaches a
/// ticket only to records whose outputs go to sinks, so events held for the watermark cost the collector one object fewer.</para>
/// </remarks>
internal sealed class CheckpointTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, PartitionState> _partitions = [];
    private readonly List<PartitionState> _advanced = [];
    private PartitionState? _lastOpened; // the state Open found last: records mostly come in runs of one partition
    private TaskCompletionSource? _advanceWaiter;
    private volatile bool _anyAdvanced;

    /// <summary>
    /// Takes the partitions whose committable offset moved forward since the last call, each with the offset to commit
    /// now (the latest, when it moved several times); a removed partition is not reported.
    /// </summary>
    /// <param name="advanced">Receives each partition that advanced and its offset to commit (added or replaced).</param>
    /// <returns>How many partitions advanced.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="advanced"/> is null.</exception>
    public int DrainAdvanced(IDictionary<int, long> advanced)
    {
        ArgumentNullException.ThrowIfNull(advanced);
        if (!_anyAdvanced)
            return 0; // the common case on a busy loop's idle check: no lock
        lock (_lock)
        {
            int count = _advanced.Count;
            foreach (var state in _advanced)
            {
                advanced[state.Partition] = state.Committable;
                state.Reported = true;
            }
            _advanced.Clear();
            _anyAdvanced = false;
            return count;
        }
    }

    /// <summary>Gets a task that completes once some partition has advanced and not been drained (at once if one has).</summary>
    internal Task WhenAdvanced()
    {
        lock (_lock)
        {
            if (_advanced.Count > 0)
                return Task.CompletedTask;
            _advanceWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _advanceWaiter.Task;
        }
    }

    /// <summary>Starts tracking a record; records of one partition must be begun in offset order.</summary>
    /// <param name="partition">The record's partition.</param>
    /// <param name="offset">The record's offset.</param>
    /// <returns>The record's ticket; call <see cref="RecordTicket.Complete"/> once it is processed.</returns>
    /// <exception cref="ArgumentException">The offset is not after the previous one of the partition.</exception>
    public RecordTicket Begin(int partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var ticket = new RecordTicket(this, partition, offset);
        lock (_lock)
            Open(partition, offset).Append(offset, ticket);
        return ticket;
    }

    /// <summary>Gets the offset to commit for a partition (one past the last durable record of the contiguous prefix).</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="offset">The offset to commit, when any record of the partition is durable.</param>
    /// <returns><see langword="true"/> when there is something to commit.</returns>
    public bool TryGetCommittable(int partition, out long offset)
    {
        lock (_lock)
        {
            if (_partitions.TryGetValue(partition, out var state) && state.AnyDone)
            {
                offset = state.Committable;
                return true;
            }
        }
        offset = 0;
        return false;
    }

    /// <summary>Gets how many records are begun but not yet durable, over all partitions.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
                return _partitions.Values.Sum(p => p.Count);
        }
    }

    /// <summary>Stops tracking a partition (it was revoked); its in-flight records will be replayed by its next owner.</summary>
    /// <param name="partition">The partition.</param>
    public void Remove(int partition)
    {
        lock (_lock)
        {
            if (_partitions.Remove(partition, out var state))
            {
                state.Removed = true;
                if (!state.Reported)
                    _advanced.Remove(state); // its advance is no longer this tracker's to report
                _anyAdvanced = _advanced.Count > 0;
            }
            if (_lastOpened?.Partition == partition)
                _lastOpened = null;
        }
    }

    /// <summary>Starts tracking a record without a ticket: complete it with <see cref="Complete(Slot)"/>, or attach a ticket
    /// with <see cref="AttachTicket"/> when its outputs are to be written.</summary>
    /// <exception cref="ArgumentException">The offset is not after the previous one of the partition.</exception>
    internal Slot BeginSlot(int partition, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            var state = Open(partition, offset);
            return new Slot(state, state.Append(offset, null));
        }
    }

    /// <summary>Gives a record begun with <see cref="BeginSlot"/> a ticket, which then stands for the record's own
    /// processing: complete the ticket, not the slot. A record of a removed partition gets a ticket that tracks nothing.</summary>
    internal RecordTicket AttachTicket(Slot slot)
    {
        var state = slot.State!;
        lock (_lock)
        {
            if (state.Removed || !state.TryIndexOf(slot.Sequence, out int index))
                return new RecordTicket(null, state.Partition, -1);
            var ticket = new RecordTicket(this, state.Partition, state.OffsetAt(index));
            state.SetTicket(index, ticket);
            return ticket;
        }
    }

    /// <summary>Says that a record begun with <see cref="BeginSlot"/> (and given no ticket) is done.</summary>
    internal void Complete(Slot slot)
    {
        var state = slot.State!;
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (state.Removed || !state.TryIndexOf(slot.Sequence, out int index))
                return;
            state.MarkDone(index);
            waiter = AdvanceLocked(state);
        }
        waiter?.TrySetResult();
    }

    internal void OnDone(RecordTicket ticket)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (!_partitions.TryGetValue(ticket.Partition, out var state))
                return; // revoked meanwhile
            waiter = AdvanceLocked(state);
        }
        waiter?.TrySetResult(); // outside the lock: a waiter's continuation runs asynchronously anyway
    }

    /// <summary>Moves a partition's commit point and queues it for <see cref="DrainAdvanced"/>; returns the waiter to wake, if any.</summary>
    private TaskCompletionSource? AdvanceLocked(PartitionState state)
    {
        if (!state.Advance())
            return null;
        if (state.Reported)
        {
            state.Reported = false;
            _advanced.Add(state);
            _anyAdvanced = true;
        }
        var waiter = _advanceWaiter;
        _advanceWaiter = null;
        return waiter;
    }

    private PartitionState Open(int partition, long offset)
    {
        var state = _lastOpened;
        if (state is null || state.Partition != partition)
        {
            if (!_partitions.TryGetValue(partition, out state))
            {
                state = new PartitionState(partition, offset);
                _partitions.Add(partition, state);
            }
            _lastOpened = state;
        }
        if (state.LastBegun is long last && offset <= last)
            throw new ArgumentException($"Partition {partition}: offset {offset} begun after offset {last}; records must be begun in offset order.", "offset");
        if (state.Count == 0 && state.LastBegun is null)
            state.Committable = offset;
        state.LastBegun = offset;
        return state;
    }

    /// <summary>A record tracked without a ticket: its partition's state and its place in the partition's sequence.</summary>
    internal readonly struct Slot
    {
        internal Slot(PartitionState state, long sequence)
        {
            State = state;
            Sequence = sequence;
        }

        /// <summary>Gets whether this is a slot at all (the default value is not).</summary>
        public bool IsTracked => State is not null;

        internal PartitionState? State { get; }

        internal long Sequence { get; }
    }

    /// <summary>The records in flight of one partition, in offset order, in a ring that grows as needed.</summary>
    /// <remarks>Three parallel arrays rather than one of structs: marking a record done, or moving past one without a
    /// ticket, then writes no object reference (no garbage-collector write barrier).</remarks>
    internal sealed class PartitionState(int partition, long first)
    {
        private long[] _offsets = new long[64];
        private RecordTicket?[] _tickets = new RecordTicket?[64];
        private bool[] _done = new bool[64];
        private int _head;
        private long _headSequence;

        public int Partition { get; } = partition;

        public int Count { get; private set; }

        public long? LastBegun { get; set; }

        public long Committable { get; set; } = first;

        public bool AnyDone { get; private set; }

        public bool Removed { get; set; }

        /// <summary>Gets or sets whether the tracker has no unreported advance of this partition queued.</summary>
        public bool Reported { get; set; } = true;

        /// <summary>Adds a record at the tail; returns its sequence number.</summary>
        public long Append(long offset, RecordTicket? ticket)
        {
            if (Count == _offsets.Length)
                Grow();
            int index = (_head + Count) & (_offsets.Length - 1);
            _offsets[index] = offset;
            _done[index] = false;
            if (ticket is not null)
                _tickets[index] = ticket; // slots leave the ring with no ticket (Advance clears it)
            return _headSequence + Count++;
        }

        public bool TryIndexOf(long sequence, out int index)
        {
            long distance = sequence - _headSequence;
            if (distance < 0 || distance >= Count)
            {
                index = -1;
                return false; // already past the commit point (cannot happen for a record not yet done) or unknown
            }
            index = (int)((_head + distance) & (_offsets.Length - 1));
            return true;
        }

        public long OffsetAt(int index) => _offsets[index];

        public void SetTicket(int index, RecordTicket ticket) => _tickets[index] = ticket;

        public void MarkDone(int index) => _done[index] = true;

        /// <summary>Moves the commit point over the done prefix; returns whether it moved.</summary>
        public bool Advance()
        {
            bool advanced = false;
            int mask = _offsets.Length - 1;
            while (Count > 0)
            {
                int head = _head;
                if (_tickets[head] is { } ticket)
                {
                    if (!ticket.IsDone)
                        break;
                    _tickets[head] = null;
                }
                else if (!_done[head])
                {
                    break;
                }
                Committable = _offsets[head] + 1;
                advanced = true;
                _head = (head + 1) & mask;
                _headSequence++;
                Count--;
            }
            if (advanced)
                AnyDone = true;
            return advanced;
        }

        private void Grow()
        {
            int length = _offsets.Length;
            var offsets = new long[length * 2];
            var tickets = new RecordTicket?[length * 2];
            var done = new bool[length * 2];
            for (int i = 0; i < Count; i++)
            {
                int from = (_head + i) & (length - 1);
                offsets[i] = _offsets[from];
                tickets[i] = _tickets[from];
                done[i] = _done[from];
            }
            _offsets = offsets;
            _tickets = tickets;
            _done = done;
            _head = 0;
        }
    }
}
