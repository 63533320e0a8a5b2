using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>Gets or sets the next entry of the table's free list.</summary>
    internal ExpiringNode? NextFree { get; set; }

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
/// A map from key to state whose entries expire as event time advances (spec point 7): a dictionary plus an
/// expiry queue. An entry is queued once, with the expiry it had then; raising its expiry later costs nothing
/// (no list to relink, no neighbour to touch, which matters with a million groups that do not fit in cache).
/// <see cref="RemoveExpired"/> pops the queue's head while its queued expiry has passed: an entry whose expiry
/// has really passed is dropped; one that was raised meanwhile goes back to the tail with its new expiry. Each
/// entry is popped about once per window of its activity, so the cost is O(1) amortised per update.
/// </summary>
/// <remarks>
/// The queue is only roughly in expiry order, so an entry may be dropped a little after it could be (when the
/// entries before it are), never before. Dropped entries are kept on a bounded free list and reused for new
/// keys, so a stream of short-lived groups does not churn the garbage collector.
/// </remarks>
internal sealed class ExpiringTable<TNode>
    where TNode : ExpiringNode
{
    /// <summary>The most dropped entries kept for reuse.</summary>
    public const int MaxFree = 4096;

    private readonly Dictionary<string, TNode> _nodes = new(StringComparer.Ordinal);
    private (TNode Node, long Expiry)[] _queue = new (TNode, long)[16];
    private int _head;
    private int _queued;
    private ExpiringNode? _free;
    private int _freeCount;

    public int Count => _nodes.Count;

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TNode node) => _nodes.TryGetValue(key, out node);

    /// <summary>Gets the entry of a key, creating (or reusing) one when missing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TNode GetOrAdd(string key, Func<string, TNode> create)
    {
        ref TNode? slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_nodes, key, out bool exists);
        if (exists)
            return slot!;
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
        slot = node;
        return node;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            _nodes.Remove(node.Key);
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

    private void Enqueue(TNode node, long expiry)
    {
        if (_queued == _queue.Length)
        {
            var larger = new (TNode, long)[_queue.Length * 2];
            for (int i = 0; i < _queued; i++)
                larger[i] = _queue[(_head + i) & (_queue.Length - 1)];
            _queue = larger;
            _head = 0;
        }
        _queue[(_head + _queued) & (_queue.Length - 1)] = (node, expiry);
        _queued++;
    }
}
