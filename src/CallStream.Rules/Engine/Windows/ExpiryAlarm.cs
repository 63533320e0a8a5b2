namespace CallStream.Rules.Engine;

/// <summary>
/// The earliest event time at which some <see cref="ExpiringTable{TNode}"/> of an evaluator may drop an entry, so
/// the evaluator runs the rules' expiry only when it can do something rather than on every newer event.
/// </summary>
/// <remarks>
/// Never later than the queued expiry at the head of any of its tables: a table lowers it when an entry becomes the
/// head of an empty queue (the only way a head appears outside <see cref="ExpiringTable{TNode}.RemoveExpired"/>), and
/// the evaluator sets it again from every table after running the expiry.
/// </remarks>
internal sealed class ExpiryAlarm
{
    /// <summary>Gets or sets the event time (ticks) from which an expiry pass may drop something; <see cref="long.MaxValue"/> when nothing is queued.</summary>
    public long Due { get; set; } = long.MaxValue;

    /// <summary>Makes the alarm due at <paramref name="expiry"/> at the latest.</summary>
    public void Lower(long expiry)
    {
        if (expiry < Due)
            Due = expiry;
    }
}
