namespace CallStream.Generation;

/// <summary>
/// Generates a realistic, deterministic synthetic log of a contact centre in the data contract's shape: agents
/// <c>A0001</c>…, customers with 6-hex-digit ids, the four channels with their own duration profiles, failures,
/// satisfaction scores and a <c>region</c> attribute, on consecutive weekdays during working hours, with anomalies
/// planted for the default alert rules to find (<see cref="GetAnomalies"/>).
/// </summary>
/// <remarks>
/// <para>
/// Interactions come in start-time order (ties in id order) with ids <c>I0000001</c>, <c>I0000002</c>, …. Durations
/// are whole seconds: chat is shortest (median about 3 minutes), then email, then voice (typically 3 to 15 minutes),
/// and video longest (median 18 minutes). Failed contacts run shorter and problematic ones longer. Durations of
/// ordinary contacts stay at or below <see cref="MaxNaturalDurationSeconds"/>; every longer one is planted.
/// About 5 % of contacts fail and 10 % are problematic; satisfaction (1 to 5) follows the outcome and is blank for
/// about a quarter of the contacts.
/// </para>
/// <para>
/// Planted each working day of at least 200 rows: <see cref="InteractionGeneratorOptions.FailureBurstsPerDay"/>
/// customers with 5 to 7 failed contacts within 50 minutes; <see cref="InteractionGeneratorOptions.FailingAgentCount"/>
/// agents (the same ones every day, and only they) failing two of every three contacts; voice calls of 3,001 to
/// 3,600 s; video calls of 2,701 to 3,600 s; <see cref="InteractionGeneratorOptions.ChannelIncidentsPerDay"/> clock
/// hours in which one channel (email, chat or voice) turns about half of its would-be-resolved contacts problematic.
/// Ordinary contacts are kept from imitating these patterns: an agent's failure rate stays at or below 50 % from the
/// tenth contact of a day on, and no customer outside a planted burst has 5 failed contacts within an hour.
/// </para>
/// <para>
/// The same options and row count give the same interactions on every machine: the generator uses its own
/// xoshiro256** generator, derives an independent stream per day, and never reads the clock.
/// </para>
/// </remarks>
public sealed class InteractionGenerator
{
    /// <summary>The longest duration, in seconds, of a contact that was not planted as an anomaly (45 minutes).</summary>
    public const int MaxNaturalDurationSeconds = 2700;

    /// <summary>The name of the extra attribute column: the customer's region (<c>north</c>, <c>south</c>, <c>east</c>, <c>west</c>).</summary>
    public const string RegionAttribute = "region";

    /// <summary>The fewest rows a day needs for anomalies to be planted in it.</summary>
    internal const int MinRowsForAnomalies = 200;

    /// <summary>The most failed contacts in a planted burst.</summary>
    internal const int MaxBurstLength = 7;

    internal const int MinLongCallSeconds = 3001;
    internal const int MaxPlantedSeconds = 3600;
    internal const int InteractionIdDigits = 7;

    private const ulong SetupStream = 1;
    internal const ulong RowStream = 3;
    private const ulong SlotStream = 4;
    internal const ulong IncidentStream = 5;

    // In a channel incident, the share of the channel's would-be-resolved contacts that come out problematic.
    internal const double IncidentProblematicShare = 0.5;
    internal const int SecondsPerHour = 3600;

    internal static readonly string[] RegionNames = ["north", "south", "east", "west"];
    internal static readonly double[] RegionCumulative = [0.30, 0.55, 0.80, 1.0];

    // Channel mix (email, chat, voice, video) and, per channel, duration median (s), log-normal sigma, failure and
    // problematic rates. Indexed by (int)Channel.
    internal static readonly double[] ChannelCumulative = [0.20, 0.45, 0.90, 1.0];
    internal static readonly double[] DurationMedian = [330, 200, 400, 1080];
    internal static readonly double[] DurationSigma = [0.60, 0.55, 0.45, 0.40];
    internal static readonly double[] FailedRate = [0.04, 0.05, 0.05, 0.07];
    internal static readonly double[] ProblematicRate = [0.08, 0.10, 0.10, 0.14];

    // Satisfaction: chance of a blank, and the cumulative distribution of 1..5, indexed by (int)Outcome.
    internal static readonly double[] BlankRate = [0.20, 0.40, 0.30];
    internal static readonly double[][] ScoreCumulative =
    [
        [0.02, 0.07, 0.22, 0.62, 1.0],
        [0.45, 0.75, 0.90, 0.97, 1.0],
        [0.15, 0.45, 0.77, 0.94, 1.0],
    ];

    internal static readonly Channel[] Channels = [Channel.Email, Channel.Chat, Channel.Voice, Channel.Video];

    internal readonly InteractionGeneratorOptions _options;
    internal readonly ulong _seed;
    internal readonly string[] _agentIds;
    internal readonly int[] _normalAgents;
    internal readonly int[] _failingAgents;
    internal readonly string[] _customerIds;
    internal readonly AttributeMap[] _customerAttributes;
    private readonly WorkdayProfile _profile;
    private readonly long _workdayStartTicks;
    internal readonly int _workdaySeconds;
    private readonly DateOnly _firstDay;
    private readonly DayPlanner _planner;

    /// <summary>Creates a generator.</summary>
    /// <param name="options">The settings, or <see langword="null"/> for the defaults; copied, so later changes don't apply.</param>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public InteractionGenerator(InteractionGeneratorOptions? options = null)
    {
        _options = (options ?? new InteractionGeneratorOptions()).Clone();
        _options.Validate();
        _seed = unchecked((ulong)_options.Seed);
        _workdayStartTicks = _options.WorkdayStart.Ticks;
        _workdaySeconds = (int)(_options.WorkdayEnd - _options.WorkdayStart).TotalSeconds;
        _profile = new WorkdayProfile(_workdaySeconds);
        _firstDay = _options.StartDate.DayOfWeek switch
        {
            DayOfWeek.Saturday => _options.StartDate.AddDays(2),
            DayOfWeek.Sunday => _options.StartDate.AddDays(1),
            _ => _options.StartDate,
        };

        var rng = new Xoshiro256StarStar(SplitMix64.Derive(_seed, SetupStream, 0));
        int agentDigits = Math.Max(4, CountDigits(_options.AgentCount));
        _agentIds = new string[_options.AgentCount];
        for (int a = 0; a < _agentIds.Length; a++)
            _agentIds[a] = FormatId('A', a + 1, agentDigits);
        var failing = new HashSet<int>();
        while (failing.Count < _options.FailingAgentCount)
            failing.Add(rng.NextInt(_options.AgentCount));
        _failingAgents = [.. failing.Order()];
        _normalAgents = [.. Enumerable.Range(0, _options.AgentCount).Where(a => !failing.Contains(a))];

        var regionMaps = RegionNames.Select(r => AttributeMap.Create([new KeyValuePair<string, string>(RegionAttribute, r)])).ToArray();
        var seen = new HashSet<int>();
        _customerIds = new string[_options.CustomerCount];
        _customerAttributes = new AttributeMap[_options.CustomerCount];
        for (int c = 0; c < _customerIds.Length; c++)
        {
            int value;
            do
            {
                value = (int)(rng.NextUInt64() >> 40);
            }
            while (!seen.Add(value));
            _customerIds[c] = value.ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
            _customerAttributes[c] = regionMaps[Pick(ref rng, RegionCumulative)];
        }
        _planner = new DayPlanner(this);
    }

    /// <summary>Gets a copy of the settings in use.</summary>
    public InteractionGeneratorOptions Options => _options.Clone();

    /// <summary>Gets the attribute columns of the generated interactions, for a CSV writer: <c>region</c>.</summary>
    public IReadOnlyList<string> AttributeColumns { get; } = [RegionAttribute];

    /// <summary>Gets the ids of all agents (<c>A0001</c>…), including the failing ones.</summary>
    public IReadOnlyList<string> AgentIds => _agentIds;

    /// <summary>Gets the ids of all customers.</summary>
    public IReadOnlyList<string> CustomerIds => _customerIds;

    /// <summary>Generates a log lazily: nothing is computed before enumeration, and each enumeration starts afresh.</summary>
    /// <param name="count">The number of interactions; 0 or more.</param>
    /// <returns>The interactions in start-time order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative, or so large that the calendar would pass the year 9999.</exception>
    public IEnumerable<Interaction> Generate(long count)
    {
        CheckCount(count);
        return GenerateCore(count);
    }

    /// <summary>Generates a log lazily, in start-time or in end-time order.</summary>
    /// <param name="count">The number of interactions; 0 or more.</param>
    /// <param name="order">
    /// The order: <see cref="GenerationOrder.Start"/> as <see cref="Generate(long)"/>, or <see cref="GenerationOrder.End"/>,
    /// the same interactions by end time, ties by interaction id, as a system that writes a record when each contact
    /// ends; reordered as they are generated, holding only the contacts still running (at most an hour of them).
    /// </param>
    /// <returns>The interactions.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative or too large, or the order is not defined.</exception>
    public IEnumerable<Interaction> Generate(long count, GenerationOrder order)
    {
        if (!Enum.IsDefined(order))
            throw new ArgumentOutOfRangeException(nameof(order), order, "order must be Start or End.");
        var rows = Generate(count);
        return order == GenerationOrder.End ? EndOrder.Reorder(rows) : rows;
    }

    /// <summary>Gets what <see cref="Generate(long)"/> plants in a log of the given size, without generating it.</summary>
    /// <param name="count">The number of interactions; 0 or more.</param>
    /// <returns>The planted anomalies.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative, or so large that the calendar would pass the year 9999.</exception>
    internal GeneratedAnomalies GetAnomalies(long count)
    {
        CheckCount(count);
        var bursts = new List<PlantedFailureBurst>();
        var agentDays = new List<PlantedAgentFailureDay>();
        var longCalls = new List<PlantedLongInteraction>();
        var longVideoCalls = new List<PlantedLongInteraction>();
        var incidents = new List<PlantedChannelIncident>();
        foreach (var day in Days(count))
        {
            var plan = _planner.Plan(day);
            foreach (var (start, channel) in plan.Incidents.OrderBy(i => i.StartSecond).ThenBy(i => i.Channel))
            {
                var from = new DateTimeOffset(start * TimeSpan.TicksPerSecond, TimeSpan.Zero);
                incidents.Add(new PlantedChannelIncident(channel, from, from.AddSeconds(SecondsPerHour)));
            }
            foreach (var (customer, slots) in plan.Bursts)
            {
                bursts.Add(new PlantedFailureBurst(
                    _customerIds[customer],
                    [.. slots.Select(s => InteractionId(day, s))],
                    StartTime(day, slots[0]),
                    StartTime(day, slots[^1])));
            }
            foreach (var (agent, slots, failed) in plan.AgentDays)
                agentDays.Add(new PlantedAgentFailureDay(_agentIds[agent], day.Date, [.. slots.Select(s => InteractionId(day, s))], failed));
            foreach (var row in plan.Rows)
            {
                if (row.Kind is PlannedKind.LongCall or PlannedKind.LongVideoCall)
                {
                    var planted = new PlantedLongInteraction(
                        InteractionId(day, row.Slot), _agentIds[row.Agent], _customerIds[row.Customer], row.Channel, StartTime(day, row.Slot), row.DurationSeconds);
                    (row.Kind == PlannedKind.LongCall ? longCalls : longVideoCalls).Add(planted);
                }
            }
        }
        bursts.Sort((x, y) => x.FirstStartTime.CompareTo(y.FirstStartTime));
        return new GeneratedAnomalies(bursts, [.. _failingAgents.Select(a => _agentIds[a])], agentDays, longCalls, longVideoCalls, incidents);
    }

    private IEnumerable<Interaction> GenerateCore(long count)
    {
        var run = new GeneratorRun(this);
        foreach (var day in Days(count))
        {
            run.StartDay(day, _planner.Plan(day));
            for (int i = 0; i < day.Count; i++)
                yield return run.Next(i);
            run.EndDay();
        }
    }

    private void CheckCount(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        long days = (count / _options.InteractionsPerDay) + (count % _options.InteractionsPerDay == 0 ? 0 : 1);
        // Five weekdays take seven calendar days.
        long maxDays = (DateOnly.MaxValue.DayNumber - _firstDay.DayNumber - 7L) / 7 * 5;
        if (days > maxDays)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} interactions at {_options.InteractionsPerDay} a day would run past the year 9999.");
    }

    private IEnumerable<Day> Days(long count)
    {
        var date = _firstDay;
        long offset = 0;
        for (int index = 0; offset < count; index++)
        {
            int rows = (int)Math.Min(_options.InteractionsPerDay, count - offset);
            long startTicks = date.ToDateTime(TimeOnly.MinValue).Ticks + _workdayStartTicks;
            yield return new Day(index, date, startTicks, offset, rows, SplitMix64.Derive(_seed, SlotStream, (ulong)index));
            offset += rows;
            date = date.AddDays(date.DayOfWeek == DayOfWeek.Friday ? 3 : 1);
        }
    }

    /// <summary>Gets the second of the working day at which a day's slot (row) starts; never smaller for a later slot.</summary>
    internal int SlotSecond(in Day day, int slot)
    {
        double jitter = (SplitMix64.Mix(day.SlotKey + (ulong)slot) >> 11) * (1.0 / (1UL << 53));
        return _profile.SecondAt((slot + jitter) / day.Count);
    }

    private DateTimeOffset StartTime(in Day day, int slot) =>
        new(day.StartTicks + (SlotSecond(day, slot) * TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static string InteractionId(in Day day, int slot) => FormatId('I', day.Offset + slot + 1, InteractionIdDigits);

    internal static int Pick(ref Xoshiro256StarStar rng, double[] cumulative)
    {
        double u = rng.NextDouble();
        int last = cumulative.Length - 1;
        for (int i = 0; i < last; i++)
        {
            if (u < cumulative[i])
                return i;
        }
        return last;
    }

    private static int CountDigits(long value)
    {
        int digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }

    internal static string FormatId(char prefix, long value, int width) =>
        string.Create(Math.Max(width, CountDigits(value)) + 1, (prefix, value), static (span, state) =>
        {
            span[0] = state.prefix;
            long v = state.value;
            for (int i = span.Length - 1; i >= 1; i--)
            {
                span[i] = (char)('0' + (v % 10));
                v /= 10;
            }
        });
}
