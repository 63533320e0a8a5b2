namespace CallStream.Kafka;

/// <summary>
/// Collects the offsets the pipeline declares durable (<see cref="Request"/>, from any thread) and hands them to the
/// consumer on the consume thread (<see cref="TakeStores"/>): only forward, only for owned partitions, and never past a
/// poison record that is not yet settled (a dead letter not yet acknowledged).
/// </summary>
internal sealed class OffsetStore
{
    private readonly Lock _lock = new();
    private Dictionary<int, long> _requested = [];
    private Dictionary<int, long> _spare = [];
    private Dictionary<int, StoredPosition?> _requestedPositions = [];
    private Dictionary<int, StoredPosition?> _sparePositions = [];
    private volatile bool _dirty;

    // Consume thread only.
    private readonly Dictionary<int, long> _wanted = [];
    private readonly Dictionary<int, long> _stored = [];
    private readonly Dictionary<int, StoredPosition> _positions = [];

    /// <summary>Gets whether offsets were requested since they were last taken.</summary>
    public bool Dirty => _dirty;

    /// <summary>Records that everything before <paramref name="nextOffset"/> is durable. Thread-safe.</summary>
    public void Request(int partition, long nextOffset, EventTimePosition? position = null)
    {
        lock (_lock)
        {
            if (!_requested.TryGetValue(partition, out long previous) || nextOffset > previous)
            {
                _requested[partition] = nextOffset;
                _requestedPositions[partition] = position is { } p ? new StoredPosition(nextOffset, p) : null;
            }
        }

        _dirty = true;
    }

    /// <summary>Starts a newly assigned partition: offsets at or below its committed offset are not stored again.</summary>
    public void Assigned(int partition, long committedOffset)
    {
        _wanted.Remove(partition);
        _positions.Remove(partition);
        if (committedOffset >= 0)
            _stored[partition] = committedOffset;
        else
            _stored.Remove(partition);
    }

    /// <summary>Forgets partitions that are no longer owned.</summary>
    public void Forget(IEnumerable<int> partitions)
    {
        foreach (int partition in partitions)
        {
            _wanted.Remove(partition);
            _stored.Remove(partition);
            _positions.Remove(partition);
        }
    }

    /// <summary>Tells whether the reader stored a position with an offset of a partition beyond <paramref name="offset"/>, not yet handed on.</summary>
    public bool HasPositionBeyond(int partition, long offset) => _positions.TryGetValue(partition, out var position) && position.Offset > offset;

    /// <summary>Gets the event-time position the reader stored with exactly this offset of a partition, if it did.</summary>
    public StoredPosition? PositionOf(int partition, long offset) =>
        _positions.TryGetValue(partition, out var position) && position.Offset == offset ? position : null;

    /// <summary>Gets the last offset stored for a partition.</summary>
    public bool TryGetStored(int partition, out long offset) => _stored.TryGetValue(partition, out offset);

    /// <summary>Works out the offsets to store now; the caller stores them and reports back through <see cref="Stored"/>.</summary>
    /// <param name="owned">Tells whether a partition is owned.</param>
    /// <param name="firstPendingDeadLetter">Gets a partition's lowest offset whose poison record is not settled.</param>
    /// <param name="skipped">Receives requests dropped because the partition is not owned.</param>
    /// <returns>The (partition, offset) pairs to store.</returns>
    public List<(int Partition, long Offset)> TakeStores(Func<int, bool> owned, Func<int, long?> firstPendingDeadLetter, List<(int Partition, long Offset)> skipped)
    {
        if (_dirty)
        {
            Dictionary<int, long> requested;
            Dictionary<int, StoredPosition?> positions;
            lock (_lock)
            {
                _dirty = false;
                requested = _requested;
                _requested = _spare;
                _spare = requested;
                positions = _requestedPositions;
                _requestedPositions = _sparePositions;
                _sparePositions = positions;
            }

            foreach (var (partition, offset) in requested)
            {
                if (!_wanted.TryGetValue(partition, out long wanted) || offset > wanted)
                {
                    _wanted[partition] = offset;
                    if (positions.TryGetValue(partition, out var position) && position is { } p)
                        _positions[partition] = p;
                    else
                        _positions.Remove(partition);
                }
            }

            requested.Clear();
            positions.Clear();
        }

        var result = new List<(int, long)>();
        List<int>? done = null;
        foreach (var (partition, wanted) in _wanted)
        {
            if (!owned(partition))
            {
                skipped.Add((partition, wanted));
                (done ??= []).Add(partition);
                continue;
            }

            long allowed = wanted;
            if (firstPendingDeadLetter(partition) is long pending && pending < allowed)
                allowed = pending;
            if (!_stored.TryGetValue(partition, out long stored) || allowed > stored)
                result.Add((partition, allowed));
            if (allowed == wanted)
                (done ??= []).Add(partition);
        }

        if (done is not null)
        {
            foreach (int partition in done)
                _wanted.Remove(partition);
        }

        return result;
    }

    /// <summary>Records that an offset was handed to the consumer.</summary>
    public void Stored(int partition, long offset) => _stored[partition] = offset;
}
