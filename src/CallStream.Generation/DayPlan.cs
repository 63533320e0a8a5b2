namespace CallStream.Generation;

internal readonly record struct Day(int Index, DateOnly Date, long StartTicks, long Offset, int Count, ulong SlotKey);

internal enum PlannedKind : byte
{
    FailingAgent,
    Burst,
    LongCall,
    LongVideoCall,
}

/// <summary>A planted row; <see cref="Customer"/> -1 and <see cref="DurationSeconds"/> 0 mean "draw as usual".</summary>
internal readonly record struct PlannedRow(int Slot, PlannedKind Kind, int Agent, int Customer, Channel Channel, double DurationSeconds, Outcome? Outcome);

internal sealed class DayPlan
{
    public static readonly DayPlan Empty = new();

    public PlannedRow[] Rows { get; set; } = [];

    public List<(int Customer, int[] Slots)> Bursts { get; } = [];

    public List<(int Agent, int[] Slots, int Failed)> AgentDays { get; } = [];

    public HashSet<int> BurstCustomers { get; } = [];

    /// <summary>Gets the channel incidents: the hour's first second (counted as <see cref="DateTime.Ticks"/> are, from 0001-01-01) and the channel.</summary>
    public List<(long StartSecond, Channel Channel)> Incidents { get; } = [];
}
