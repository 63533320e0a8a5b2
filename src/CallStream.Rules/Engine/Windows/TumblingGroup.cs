
namespace CallStream.Rules.Engine;

/// <summary>
/// The tumbling-window state of one group of one rule: accumulators for the current window and the one before
/// it (for late events), and whether each has emitted its alert. No per-event entries are kept: nothing leaves
/// a tumbling window before the whole window is done.
/// </summary>
internal sealed class TumblingGroup : ExpiringNode
{
    /// <summary>The window index standing for "no window".</summary>
    public const long None = long.MinValue;

    private readonly AggregatePlan _plan;
    private readonly double[] _acc;
    private readonly HashSet<DistinctKey>[] _sets;
    private int _current;
    private bool _alerted0;
    private bool _alerted1;

    public TumblingGroup(string key, AggregatePlan plan)
        : base(key)
    {
        _plan = plan;
        _acc = new double[2 * plan.Width];
        _sets = plan.DistinctCount > 0 ? new HashSet<DistinctKey>[2 * plan.DistinctCount] : [];
        for (int i = 0; i < _sets.Length; i++)
            _sets[i] = [];
    }

    /// <summary>Gets or sets the newest event time taken for the group (ticks).</summary>
    public long Newest { get; set; } = long.MinValue;

    /// <summary>Gets the index k of the current window, or <see cref="None"/>.</summary>
    public long CurrentWindow { get; private set; } = None;

    /// <summary>Gets the index of the previous window (always <c>CurrentWindow - 1</c>), or <see cref="None"/> when it holds no events.</summary>
    public long PreviousWindow { get; private set; } = None;

    /// <summary>Gets the accumulator half of the current window (0 or 1).</summary>
    public int CurrentHalf => _current;

    /// <summary>Gets the accumulator half of the previous window.</summary>
    public int PreviousHalf => _current ^ 1;

    /// <summary>Gets whether a half's window has emitted its alert (point 5: at most one per rule, key and window).</summary>
    public bool IsAlerted(int half) => half == 0 ? _alerted0 : _alerted1;

    /// <summary>Records that a half's window has emitted its alert.</summary>
    public void SetAlerted(int half)
    {
        if (half == 0)
            _alerted0 = true;
        else
            _alerted1 = true;
    }

    /// <inheritdoc/>
    protected override void Clear()
    {
        Newest = long.MinValue;
        CurrentWindow = None;
        PreviousWindow = None;
        _current = 0;
        _alerted0 = false;
        _alerted1 = false;
    }

    /// <summary>Moves to a newer window k; the current window becomes the previous one when adjacent.</summary>
    public void Advance(long k)
    {
        if (CurrentWindow != None && k == CurrentWindow + 1)
        {
            PreviousWindow = CurrentWindow;
            _current ^= 1;
        }
        else
        {
            PreviousWindow = None;
        }
        CurrentWindow = k;
        Reset(_current);
    }

    /// <summary>Starts the previous window, k = current − 1, for a late event when it held no events yet.</summary>
    public void StartPrevious(long k)
    {
        PreviousWindow = k;
        Reset(_current ^ 1);
    }

    /// <summary>Adds an event to a half's window.</summary>
    public void Add(int half, ulong bits, ReadOnlySpan<double> numbers, ReadOnlySpan<DistinctKey> keys)
    {
        var acc = _acc.AsSpan(half * _plan.Width, _plan.Width);
        _plan.Add(acc, bits, numbers);
        int width = _plan.DistinctCount;
        for (int d = 0; d < width; d++)
        {
            if (keys[d].IsNull)
                continue;
            var set = _sets[(half * width) + d];
            set.Add(keys[d]);
            acc[_plan.DistinctOffset + d] = set.Count;
        }
    }

    /// <summary>Gets the accumulators of a half's window.</summary>
    public ReadOnlySpan<double> Accumulators(int half) => _acc.AsSpan(half * _plan.Width, _plan.Width);

    private void Reset(int half)
    {
        _plan.Reset(_acc.AsSpan(half * _plan.Width, _plan.Width));
        if (half == 0)
            _alerted0 = false;
        else
            _alerted1 = false;
        int width = _plan.DistinctCount;
        foreach (var set in _sets.AsSpan(half * width, width))
            set.Clear();
    }
}
