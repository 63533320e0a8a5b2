namespace CallStream.Rules.Engine;

/// <summary>
/// The events an <see cref="EventTimeOrderer"/> holds for the watermark, handed out oldest first: one FIFO run per
/// partition while the partition delivers in order (O(1) each: a file, a Kafka partition written in event-time order),
/// and a binary heap keyed by (ticks, id) for the events that arrived out of order within their partition; taking
/// merges the runs' heads (a heap of at most one entry per partition) with that heap's top.
/// </summary>
internal sealed class HeldEvents
{
    private readonly PriorityQueue<HeldRun, EventKey> _runs = new();
    private readonly PriorityQueue<PartitionedInteraction, EventKey> _heap = new();
    private int _inRuns;
    private bool _topRunStale;

    /// <summary>Gets the number of events held.</summary>
    public int Count => _inRuns + _heap.Count;

    /// <summary>Holds an event that is not late, in its partition's run when it comes in order there, else in the heap.</summary>
    /// <param name="item">The event.</param>
    /// <param name="key">Its event-time key.</param>
    /// <param name="run">The run of its partition.</param>
    public void Hold(in PartitionedInteraction item, EventKey key, HeldRun run)
    {
        if (run.Count == 0)
        {
            run.Add(item, key);
            if (_topRunStale)
                RefreshTopRun(); // before another run can sift above it
            _runs.Enqueue(run, key);
            _inRuns++;
        }
        else if (key >= run.Tail)
        {
            run.Add(item, key);
            _inRuns++;
        }
        else
        {
            _heap.Enqueue(item, key); // out of order within its partition
        }
    }

    /// <summary>Takes the oldest held event when its event time is at or before <paramref name="upTo"/> (ticks).</summary>
    /// <param name="upTo">The watermark, or <see cref="long.MaxValue"/> to take everything.</param>
    /// <param name="next">The event taken.</param>
    /// <param name="key">Its key.</param>
    /// <returns>Whether an event was taken.</returns>
    public bool TryTake(long upTo, out PartitionedInteraction next, out EventKey key)
    {
        if (_heap.Count == 0 && _runs.Count == 1)
        {
            // One partition holding events, in order (a file): no merge. The run's priority in _runs goes stale (too
            // old, as heads only grow) and is refreshed before the next merge.
            var only = _runs.Peek();
            key = only.Head;
            if (key.Ticks > upTo)
            {
                next = default;
                return false;
            }
            next = only.Take();
            _inRuns--;
            if (only.Count == 0)
            {
                _runs.Dequeue();
                _topRunStale = false;
            }
            else
            {
                _topRunStale = true;
            }
            return true;
        }
        if (_topRunStale)
            RefreshTopRun();
        bool hasRun = _runs.TryPeek(out var run, out key);
        bool hasHeap = _heap.TryPeek(out _, out var heapKey);
        if (hasRun && (!hasHeap || key <= heapKey))
        {
            if (key.Ticks > upTo)
            {
                next = default;
                return false;
            }
            next = run!.Take();
            _inRuns--;
            if (run.Count == 0)
                _runs.Dequeue();
            else
                _runs.DequeueEnqueue(run, run.Head);
            return true;
        }
        key = heapKey;
        if (!hasHeap || key.Ticks > upTo)
        {
            next = default;
            return false;
        }
        next = _heap.Dequeue();
        return true;
    }

    /// <summary>Gives the top run its current head as priority again (taken from it while it was the only run, it went stale).</summary>
    private void RefreshTopRun()
    {
        var top = _runs.Peek();
        _runs.DequeueEnqueue(top, top.Head);
        _topRunStale = false;
    }
}

/// <summary>A partition's held events that arrived in event-time order, with their keys (a ring buffer that grows as needed).</summary>
internal sealed class HeldRun
{
    private (PartitionedInteraction Item, EventKey Key)[] _items = new (PartitionedInteraction, EventKey)[16];
    private int _head;

    public int Count { get; private set; }

    /// <summary>Gets the key of the newest event added.</summary>
    public EventKey Tail { get; private set; }

    /// <summary>Gets the key of the oldest event held; the run is not empty.</summary>
    public EventKey Head => _items[_head].Key;

    public void Add(in PartitionedInteraction item, EventKey key)
    {
        if (Count == _items.Length)
            Grow();
        _items[(_head + Count) & (_items.Length - 1)] = (item, key);
        Count++;
        Tail = key;
    }

    public PartitionedInteraction Take()
    {
        var item = _items[_head].Item;
        _items[_head] = default;
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return item;
    }

    private void Grow()
    {
        var larger = new (PartitionedInteraction, EventKey)[_items.Length * 2];
        for (int i = 0; i < Count; i++)
            larger[i] = _items[(_head + i) & (_items.Length - 1)];
        _items = larger;
        _head = 0;
    }
}
