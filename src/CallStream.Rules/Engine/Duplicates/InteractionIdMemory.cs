using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CallStream.Rules.Engine;

/// <summary>
/// The interaction ids the engine has released within an event-time horizon: tells a duplicate (an id already
/// released) from a new interaction. Bounded by event time: an id is forgotten once the newest start time released
/// is more than the horizon past the start time it was first seen at.
/// </summary>
/// <remarks>
/// Ids are kept by reference to the interaction's own string (no copy); the expiry queue is in release order, which is
/// start-time order except for late events, so expiring is popping the head while it is too old (a late entry behind a
/// newer one waits for it: kept a little longer, never forgotten early). No allocation per event once the table and
/// the queue have grown to the horizon's size.
/// </remarks>
internal sealed class InteractionIdMemory
{
    private readonly Dictionary<string, long> _firstSeen = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long Ticks)> _expiry = new();
    private readonly long _horizon;
    private long _frontier = long.MinValue;

    /// <summary>Creates an empty memory.</summary>
    /// <param name="horizon">How long (event time) an id is remembered after its start time.</param>
    public InteractionIdMemory(TimeSpan horizon) => _horizon = horizon.Ticks;

    /// <summary>Gets the number of ids remembered.</summary>
    public int Count => _firstSeen.Count;

    /// <summary>
    /// Records a released event: returns <see langword="true"/> when its id was released before within the horizon (a
    /// duplicate, which is not remembered again), <see langword="false"/> for a new id (now remembered).
    /// </summary>
    /// <param name="id">The interaction id.</param>
    /// <param name="ticks">Its start time, in UTC ticks.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool IsDuplicate(string id, long ticks)
    {
        if (ticks > _frontier)
        {
            _frontier = ticks;
            if (_expiry.Count > 0)
                Expire();
        }
        long oldest = _frontier - _horizon; // cannot overflow: start times are far from the ends of the range
        ref long seen = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstSeen, id, out bool exists);
        if (exists && seen >= oldest)
            return true;
        if (ticks < oldest)
        {
            // A late event further behind than the horizon: not worth remembering (nor is an entry past its time that
            // still waits in the queue behind newer ones; its queue item finds it gone).
            _firstSeen.Remove(id);
            return false;
        }
        seen = ticks;
        _expiry.Enqueue((id, ticks));
        return false;
    }

    private void Expire()
    {
        long oldest = _frontier - _horizon;
        while (_expiry.TryPeek(out var head) && head.Ticks < oldest)
        {
            _expiry.Dequeue();
            // Only the entry this queue item stands for (one lookup in the usual case): an id remembered again since has
            // a newer time and a queue item of its own, so it is put back.
            if (_firstSeen.Remove(head.Id, out long seen) && seen != head.Ticks)
                _firstSeen[head.Id] = seen;
        }
    }
}
