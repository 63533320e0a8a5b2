
namespace CallStream.Rules.Engine;

/// <summary>
/// The interaction ids the engine has released within an event-time horizon: tells a duplicate (an id already
/// released) from a new interaction. Bounded by event time: an id is forgotten once the newest event time released
/// is more than the horizon past the event time it was first seen at.
/// </summary>
/// <remarks>
/// An open-addressing table (linear probing, backward-shift deletion, at most half full) of (id, first event time,
/// hash), keyed by the interaction's own id string, and a FIFO of the same in release order. Release order is
/// start-time order except for late events, so expiring is popping the head while it is too old (a late entry behind a
/// newer one waits for it: kept a little longer, never forgotten early). Removing an expired id finds its slot by the
/// hash kept in the FIFO and the string's reference, without reading the old string again. The hash is .NET's
/// randomised one, so crafted ids cannot make probing slow. No allocation per event once both have grown to the
/// horizon's size.
/// </remarks>
internal sealed class InteractionIdMemory
{
    private readonly long _horizon;
    private Slot[] _slots = new Slot[64];
    private Entry[] _queue = new Entry[64];
    private int _queueHead;
    private int _queueCount;
    private long _frontier = long.MinValue;

    /// <summary>Creates an empty memory.</summary>
    /// <param name="horizon">How long (event time) an id is remembered after its event time.</param>
    public InteractionIdMemory(TimeSpan horizon) => _horizon = horizon.Ticks;

    /// <summary>Gets the number of ids remembered.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Records a released event: returns <see langword="true"/> when its id was released before within the horizon (a
    /// duplicate, which is not remembered again), <see langword="false"/> for a new id (now remembered).
    /// </summary>
    /// <param name="id">The interaction id.</param>
    /// <param name="ticks">Its event time, in UTC ticks.</param>
    public bool IsDuplicate(string id, long ticks)
    {
        if (ticks > _frontier)
        {
            _frontier = ticks;
            if (_queueCount > 0)
                Expire();
        }
        long oldest = _frontier - _horizon; // cannot overflow: event times are not negative
        int hash = id.GetHashCode();
        var slots = _slots;
        int mask = slots.Length - 1;
        int i = hash & mask;
        while (true)
        {
            ref var slot = ref slots[i];
            if (slot.Id is null)
                break;
            if (slot.Hash == hash && (ReferenceEquals(slot.Id, id) || string.Equals(slot.Id, id, StringComparison.Ordinal)))
            {
                if (slot.Ticks >= oldest)
                    return true;
                // Past its time but still waiting in the FIFO behind newer ids: forgotten as far as anyone can tell.
                if (ticks < oldest)
                {
                    RemoveAt(i);
                    return false;
                }
                // Remembered again from now; the old FIFO item no longer matches this slot (reference and time).
                slot.Id = id;
                slot.Ticks = ticks;
                Enqueue(new Entry(id, ticks, hash));
                return false;
            }
            i = (i + 1) & mask;
        }
        if (ticks < oldest)
            return false; // a late event further behind than the horizon: it would be forgotten at once
        if ((Count + 1) * 2 > slots.Length)
        {
            Grow();
            slots = _slots;
            mask = slots.Length - 1;
            i = hash & mask;
            while (slots[i].Id is not null)
                i = (i + 1) & mask;
        }
        slots[i] = new Slot { Id = id, Ticks = ticks, Hash = hash };
        Count++;
        Enqueue(new Entry(id, ticks, hash));
        return false;
    }

    /// <summary>
    /// Moves the frontier back to <paramref name="ticks"/>: events that far behind are released in order from now on (a
    /// partition catching up), and their ids must be remembered, not forgotten at once. Ids remembered stay remembered.
    /// </summary>
    public void Rewind(long ticks)
    {
        if (ticks < _frontier)
            _frontier = ticks;
    }

    private void Expire()
    {
        long oldest = _frontier - _horizon;
        while (_queueCount > 0)
        {
            var head = _queue[_queueHead];
            if (head.Ticks >= oldest)
                return;
            _queue[_queueHead] = default;
            _queueHead = (_queueHead + 1) & (_queue.Length - 1);
            _queueCount--;
            int mask = _slots.Length - 1;
            for (int i = head.Hash & mask; _slots[i].Id is { } id; i = (i + 1) & mask)
            {
                if (ReferenceEquals(id, head.Id) && _slots[i].Ticks == head.Ticks)
                {
                    RemoveAt(i);
                    break;
                }
            }
        }
    }

    /// <summary>Empties a slot and moves later entries of its probe run back, so that every entry stays reachable from its home slot.</summary>
    private void RemoveAt(int hole)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        for (int j = (hole + 1) & mask; slots[j].Id is not null; j = (j + 1) & mask)
        {
            int home = slots[j].Hash & mask;
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            bool homeAfterHole = hole <= j ? home > hole && home <= j : home > hole || home <= j;
            if (!homeAfterHole)
            {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = default;
        Count--;
    }

    private void Grow()
    {
        var old = _slots;
        var slots = new Slot[old.Length * 2];
        int mask = slots.Length - 1;
        foreach (var slot in old)
        {
            if (slot.Id is null)
                continue;
            int i = slot.Hash & mask;
            while (slots[i].Id is not null)
                i = (i + 1) & mask;
            slots[i] = slot;
        }
        _slots = slots;
    }

    private void Enqueue(Entry entry)
    {
        if (_queueCount == _queue.Length)
        {
            var larger = new Entry[_queue.Length * 2];
            for (int k = 0; k < _queueCount; k++)
                larger[k] = _queue[(_queueHead + k) & (_queue.Length - 1)];
            _queue = larger;
            _queueHead = 0;
        }
        _queue[(_queueHead + _queueCount) & (_queue.Length - 1)] = entry;
        _queueCount++;
    }

    private struct Slot
    {
        public string? Id;
        public long Ticks;
        public int Hash;
    }

    private readonly record struct Entry(string Id, long Ticks, int Hash);
}
