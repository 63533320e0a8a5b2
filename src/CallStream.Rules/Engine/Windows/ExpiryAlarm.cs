namespace CallStream.Rules.Engine;

/// <summary>
/// The earliest event time at which some <see cref="ExpiringTable{TNode}"/> of an evaluator may drop an entry, so
/// the evaluator runs the rules' expiry only when it can do something rather than on every newer event.
/// </summary>
/// <remarks>
/// Never later than the queued expiry at the head of any of its tables: a table lowers it when an entry becomes the
/// head of an empty queue (the only way a head appears outside <see cref="ExpiringTable{TNode}.RemoveExpired"/>), and
/// the evaluator sets it again from the tables after running their expiry. Each rule has an alarm of its own, whose
/// parent is the evaluator's: the evaluator checks its alarm once per event, and when it is due runs the expiry of
/// the rules that are due only.
/// </remarks>
internal sealed class ExpiryAlarm
{
    private readonly ExpiryAlarm? _parent;

    /// <summary>Creates an alarm.</summary>
    /// <param name="parent">An alarm to lower whenever this one is lowered, or null.</param>
    public ExpiryAlarm(ExpiryAlarm? parent = null) => _parent = parent;

    /// <summary>Gets or sets the event time (ticks) from which an expiry pass may drop something; <see cref="long.MaxValue"/> when nothing is queued.</summary>
    public long Due { get; set; } = long.MaxValue;

    /// <summary>Makes the alarm due at <paramref name="expiry"/> at the latest.</summary>
    public void Lower(long expiry)
    {
        if (expiry < Due)
        {
            Due = expiry;
            _parent?.Lower(expiry);
        }
    }
}
