namespace CallStream.Rules.Engine;

/// <summary>
/// Suppression state of one rule (spec point 6): per key, the end of the quiet period that the last emitted
/// alert started (<c>t0 + S</c>). Entries expire once event time reaches that end, so the table holds only the
/// keys alerted within the last S of event time.
/// </summary>
internal sealed class SuppressionTable
{
    private static readonly Func<string, Entry> Create = static key => new Entry(key);
    private readonly ExpiringTable<Entry> _entries;
    private readonly long _period;

    /// <summary>Creates the table of a suppression period of <paramref name="period"/> ticks.</summary>
    /// <param name="period">The suppression period in ticks.</param>
    /// <param name="alarm">The alarm of the evaluator, lowered when an entry's expiry comes first.</param>
    /// <param name="hashes">The hash codes of keys of the evaluator.</param>
    public SuppressionTable(long period, ExpiryAlarm alarm, KeyHashes hashes)
    {
        _period = period;
        _entries = new ExpiringTable<Entry>(alarm, hashes);
    }

    public int Count => _entries.Count;

    /// <summary>
    /// Decides a candidate at event time <paramref name="ticks"/>: false when an alert for the key was emitted at
    /// t0 with <c>ticks &lt; t0 + S</c>; otherwise records the emission and returns true.
    /// </summary>
    public bool TryRecord(string key, long ticks)
    {
        if (_entries.TryGetValue(key, out var entry) && ticks < entry.ExpiresAt)
            return false;
        entry ??= _entries.GetOrAdd(key, Create);
        // ticks >= the previous end here, so the newest emission decides the end.
        entry.ExpiresAt = EventTicks.Add(ticks, _period);
        _entries.Touch(entry);
        return true;
    }

    public void RemoveExpired(long frontier) => _entries.RemoveExpired(frontier);

    /// <summary>Gets the event time (ticks) from which <see cref="RemoveExpired"/> may drop something.</summary>
    public long NextExpiry => _entries.NextExpiry;

    private sealed class Entry : ExpiringNode
    {
        public Entry(string key)
            : base(key)
        {
        }

        protected override void Clear()
        {
        }
    }
}
