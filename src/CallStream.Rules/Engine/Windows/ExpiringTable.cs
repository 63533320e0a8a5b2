using System.Runtime.InteropServices;

namespace CallStream.Rules.Engine;

/// <summary>An entry of an <see cref="ExpiringTable{TNode}"/>: a key, an expiry instant in ticks, and list links.</summary>
internal abstract class ExpiringNode
{
    protected ExpiringNode(string key) => Key = key;

    public string Key { get; }

    /// <summary>Gets or sets the event time (ticks) from which the entry may be dropped.</summary>
    public long ExpiresAt { get; set; } = long.MaxValue;

    internal ExpiringNode? Older { get; set; }

    internal ExpiringNode? Newer { get; set; }
}

/// <summary>
/// A map from key to state whose entries expire as event time advances: a dictionary plus an intrusive list in
/// order of last update (least recently updated first). Updating an entry moves it to the end in O(1);
/// <see cref="RemoveExpired"/> drops entries from the front while they are expired, so the cost of dropping is
/// paid once per dropped entry, never by scanning live ones.
/// </summary>
/// <remarks>
/// Events reach the engine in event-time order, so the update order is also the order of expiry. A late event
/// may update an entry with an earlier expiry than its neighbours; such an entry is then dropped a little later
/// than it could be (when the entries before it expire), never earlier.
/// </remarks>
internal sealed class ExpiringTable<TNode>
    where TNode : ExpiringNode
{
    private readonly Dictionary<string, TNode> _nodes = new(StringComparer.Ordinal);
    private ExpiringNode? _oldest;
    private ExpiringNode? _newest;

    public int Count => _nodes.Count;

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TNode node) => _nodes.TryGetValue(key, out node);

    /// <summary>Gets the entry of a key, creating it (as the newest) when missing.</summary>
    public TNode GetOrAdd(string key, Func<string, TNode> create)
    {
        ref TNode? slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_nodes, key, out bool exists);
        if (!exists)
        {
            var node = create(key);
            slot = node;
            Append(node);
            return node;
        }
        return slot!;
    }

    /// <summary>Marks an entry as just updated: it moves to the end of the expiry order.</summary>
    public void Touch(TNode node)
    {
        if (ReferenceEquals(node, _newest))
            return;
        Unlink(node);
        Append(node);
    }

    /// <summary>Drops every entry, from the oldest on, whose <see cref="ExpiringNode.ExpiresAt"/> is at or before <paramref name="now"/>.</summary>
    /// <returns>The number of entries dropped.</returns>
    public int RemoveExpired(long now)
    {
        int removed = 0;
        while (_oldest is { } oldest && oldest.ExpiresAt <= now)
        {
            Unlink(oldest);
            _nodes.Remove(oldest.Key);
            removed++;
        }
        return removed;
    }

    private void Append(ExpiringNode node)
    {
        node.Older = _newest;
        node.Newer = null;
        if (_newest is null)
            _oldest = node;
        else
            _newest.Newer = node;
        _newest = node;
    }

    private void Unlink(ExpiringNode node)
    {
        if (node.Older is null)
            _oldest = node.Newer;
        else
            node.Older.Newer = node.Newer;
        if (node.Newer is null)
            _newest = node.Older;
        else
            node.Newer.Older = node.Older;
        node.Older = null;
        node.Newer = null;
    }
}
