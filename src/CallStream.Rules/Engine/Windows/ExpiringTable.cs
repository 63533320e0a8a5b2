using System.Runtime.CompilerServices;

namespace CallStream.Rules.Engine;

/// <summary>An entry of an <see cref="ExpiringTable{TNode}"/>: a key and the event time from which it may be dropped.</summary>
internal abstract class ExpiringNode
{
    protected ExpiringNode(string key) => Key = key;

    public string Key { get; private set; }

    /// <summary>Gets or sets the event time (ticks) from which the entry may be dropped; call <see cref="ExpiringTable{TNode}.Touch"/> after raising it.</summary>
    public long ExpiresAt { get; set; } = long.MaxValue;

    /// <summary>Gets or sets whether the entry is in its table's expiry queue.</summary>
    internal bool Queued { get; set; }

    /// <summary>Gets or sets the hash code of <see cref="Key"/> in the table holding the entry.</summary>
    internal int Hash { get; set; }

    /// <summary>Gets or sets the next entry of the table's free list.</summary>
    internal ExpiringNode? NextFree { get; set; }

    /// <summary>Lets go of what the entry references outside itself when its table drops it (whether or not it is kept for reuse).</summary>
    public virtual void Dropped()
    {
    }

    /// <summary>Makes a dropped entry new again for another key, keeping its allocated buffers.</summary>
    internal void Reuse(string key)
    {
        Key = key;
        ExpiresAt = long.MaxValue;
        Clear();
    }

    /// <summary>Clears the state of a dropped entry about to be reused.</summary>
    protected abstract void Clear();
}

/// <summary>
/// A map from key to state whose entries expire as event time advances (spec point 7): an open-addressing hash
/// table plus an expiry queue. An entry is queued once, with the expiry it had then; raising its expiry later
/// costs nothing (no list to relink, no neighbour to touch, which matters with a million groups that do not fit
/// in cache). <see cref="RemoveExpired"/> pops the queue's head while its queued expiry has passed: an entry whose
/// expiry has really passed is dropped; one that was raised meanwhile goes back to the tail with its new expiry.
/// Each entry is popped about once per window of its activity, so the cost is O(1) amortised per update.
/// </summary>
/// <remarks>
/// <para>
/// The queue is only roughly in expiry order, so an entry may be dropped a little after it could be (when the
/// entries before it are), never before. Dropped entries are kept on a bounded free list and reused for new
/// keys, so a stream of short-lived groups does not churn the garbage collector.
/// </para>
/// <para>
/// The hash table probes linearly through one array of (entry, hash code) slots, at most half full: a lookup
/// reads one slot and the entry it needs anyway, and compares keys by reference before comparing their text
/// (readers pool equal strings, so an equal key is usually the same instance). Hash codes are the ordinal,
/// randomised ones of <see cref="string.GetHashCode()"/>, so keys chosen to collide cannot be crafted. A removed
/// slot is refilled by shifting back the entries probed past it, so no tombstones accumulate. The entry found last
/// is remembered: the same key instance again (a group with few keys, such as a channel) skips hashing and probing.
/// </para>
/// </remarks>
internal sealed class ExpiringTable<TNode>
    where TNode : ExpiringNode
{
    /// <summary>The most dropped entries kept for reuse.</summary>
    public const int MaxFree = 4096;

    private const int InitialCapacity = 16;

    private readonly ExpiryAlarm _alarm;
    private readonly KeyHashes _hashes;
    private Slot[] _slots = new Slot[InitialCapacity];
    private int _count;
    private TNode? _last;
    private (TNode Node, long Expiry)[] _queue = new (TNode, long)[16];
    private int _head;
    private int _queued;
    private ExpiringNode? _free;
    private int _freeCount;

    /// <summary>Creates an empty table.</summary>
    /// <param name="alarm">The alarm to lower when an entry's expiry comes first in the queue; null for none.</param>
    /// <param name="hashes">The hash codes of keys, shared with the other tables of the evaluator; null for the table's own.</param>
    public ExpiringTable(ExpiryAlarm? alarm = null, KeyHashes? hashes = null)
    {
        _alarm = alarm ?? new ExpiryAlarm();
        _hashes = hashes ?? new KeyHashes();
    }

    /// <summary>Gets the number of entries.</summary>
    public int Count => _count;

    /// <summary>Gets the number of slots of the hash table (a power of two, at least twice <see cref="Count"/>).</summary>
    internal int Capacity => _slots.Length;

    /// <summary>Gets the event time (ticks) from which <see cref="RemoveExpired"/> may drop something; <see cref="long.MaxValue"/> when nothing is queued.</summary>
    public long NextExpiry => _queued > 0 ? _queue[_head].Expiry : long.MaxValue;

    /// <summary>Gets the entry of a key, if present.</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TNode node)
    {
        node = Find(key, _hashes.Of(key), out _);
        return node is not null;
    }

    /// <summary>Gets the entry of a key, creating (or reusing) one when missing.</summary>
    public TNode GetOrAdd(string key, Func<string, TNode> create)
    {
        if (_last is { } last && ReferenceEquals(last.Key, key))
            return last;
        int hash = _hashes.Of(key);
        if (Find(key, hash, out int i) is { } found)
            return _last = found;
        return _last = Add(i, hash, key, create);
    }

    /// <summary>Tells the table an entry's <see cref="ExpiringNode.ExpiresAt"/> was set or raised.</summary>
    public void Touch(TNode node)
    {
        if (!node.Queued)
        {
            node.Queued = true;
            Enqueue(node, node.ExpiresAt);
        }
    }

    /// <summary>Drops the entries whose <see cref="ExpiringNode.ExpiresAt"/> is at or before <paramref name="now"/>, as the queue reaches them.</summary>
    /// <returns>The number of entries dropped.</returns>
    public int RemoveExpired(long now)
    {
        int removed = 0;
        while (_queued > 0 && _queue[_head].Expiry <= now)
        {
            var node = _queue[_head].Node;
            _queue[_head] = default;
            _head = (_head + 1) & (_queue.Length - 1);
            _queued--;
            if (node.ExpiresAt > now)
            {
                Enqueue(node, node.ExpiresAt);
                continue;
            }
            node.Queued = false;
            Remove(node);
            node.Dropped();
            removed++;
            if (_freeCount < MaxFree)
            {
                node.NextFree = _free;
                _free = node;
                _freeCount++;
            }
        }
        return removed;
    }

    /// <summary>Probes for a key: its entry, or null and the free slot where the probe ended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TNode? Find(string key, int hash, out int slot)
    {
        var slots = _slots;
        int mask = slots.Length - 1;
        int i = hash & mask;
        while (slots[i].Node is { } candidate)
        {
            if (slots[i].Hash == hash && (ReferenceEquals(candidate.Key, key) || string.Equals(candidate.Key, key, StringComparison.Ordinal)))
            {
                slot = i;
                return candidate;
            }
            i = (i + 1) & mask;
        }
        slot = i;
        return null;
    }

    /// <summary>Adds a new entry for a key found missing at free slot <paramref name="i"/>.</summary>
    private TNode Add(int i, int hash, string key, Func<string, TNode> create)
    {
        TNode node;
        if (_free is not null)
        {
            node = (TNode)_free;
            _free = node.NextFree;
            node.NextFree = null;
            _freeCount--;
            node.Reuse(key);
        }
        else
        {
            node = create(key);
        }
        node.Hash = hash;
        if ((_count + 1) * 2 > _slots.Length)
        {
            Grow();
            i = FreeSlot(_slots, hash);
        }
        _slots[i] = new Slot(node, hash);
        _count++;
        return node;
    }

    /// <summary>Removes an entry from the hash table, shifting back the entries that probed past its slot.</summary>
    private void Remove(TNode node)
    {
        // The remembered entry is forgotten when dropped (it may be reused for another key).
        if (ReferenceEquals(_last, node))
            _last = null;
        var slots = _slots;
        int mask = slots.Length - 1;
        int i = node.Hash & mask;
        while (!ReferenceEquals(slots[i].Node, node))
            i = (i + 1) & mask;
        // Backward-shift deletion: move each later entry of the run into the hole when its home slot does not lie
        // (cyclically) between the hole and itself, so every entry stays reachable from its home slot.
        int hole = i;
        for (int j = (i + 1) & mask; slots[j].Node is not null; j = (j + 1) & mask)
        {
            int home = slots[j].Hash & mask;
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = default;
        _count--;
    }

    private void Grow()
    {
        var larger = new Slot[_slots.Length * 2];
        foreach (var slot in _slots)
        {
            if (slot.Node is not null)
                larger[FreeSlot(larger, slot.Hash)] = slot;
        }
        _slots = larger;
    }

    private static int FreeSlot(Slot[] slots, int hash)
    {
        int mask = slots.Length - 1;
        int i = hash & mask;
        while (slots[i].Node is not null)
            i = (i + 1) & mask;
        return i;
    }

    private void Enqueue(TNode node, long expiry)
    {
        if (_queued == 0)
            _alarm.Lower(expiry);
        if (_queued == _queue.Length)
        {
            var larger = new (TNode, long)[_queue.Length * 2];
            for (int k = 0; k < _queued; k++)
                larger[k] = _queue[(_head + k) & (_queue.Length - 1)];
            _queue = larger;
            _head = 0;
        }
        _queue[(_head + _queued) & (_queue.Length - 1)] = (node, expiry);
        _queued++;
    }

    /// <summary>A slot of the hash table: an entry and the hash code of its key, or empty.</summary>
    private readonly record struct Slot(TNode? Node, int Hash);
}
