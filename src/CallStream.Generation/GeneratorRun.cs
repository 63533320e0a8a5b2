namespace CallStream.Generation;

/// <summary>The state of one enumeration: the day's random stream and the guards that keep ordinary rows ordinary.</summary>
internal sealed class GeneratorRun
{
    private const long NoFailure = long.MinValue / 2;

    private readonly InteractionGenerator _g;
    private readonly int[] _agentContacts;
    private readonly int[] _agentFailures;
    private readonly bool[] _isFailingAgent;
    private readonly bool[] _burstToday;
    private readonly long[] _recentFailures;
    private readonly byte[] _recentHead;
    private Xoshiro256StarStar _rng;
    private Day _day;
    private DayPlan _plan = DayPlan.Empty;
    private int _nextPlanned;

    public GeneratorRun(InteractionGenerator generator)
    {
        _g = generator;
        int agents = generator._agentIds.Length;
        int customers = generator._customerIds.Length;
        _agentContacts = new int[agents];
        _agentFailures = new int[agents];
        _isFailingAgent = new bool[agents];
        foreach (int a in generator._failingAgents)
            _isFailingAgent[a] = true;
        _burstToday = new bool[customers];
        _recentFailures = new long[customers * 4];
        _recentFailures.AsSpan().Fill(NoFailure);
        _recentHead = new byte[customers];
    }

    public void StartDay(in Day day, DayPlan plan)
    {
        _day = day;
        _plan = plan;
        _nextPlanned = 0;
        _rng = new Xoshiro256StarStar(SplitMix64.Derive(_g._seed, InteractionGenerator.RowStream, (ulong)day.Index));
        Array.Clear(_agentContacts);
        Array.Clear(_agentFailures);
        foreach (int c in plan.BurstCustomers)
            _burstToday[c] = true;
    }

    public void EndDay()
    {
        foreach (int c in _plan.BurstCustomers)
            _burstToday[c] = false;
    }

    public Interaction Next(int slot)
    {
        long ticks = _day.StartTicks + (_g.SlotSecond(_day, slot) * TimeSpan.TicksPerSecond);
        long second = ticks / TimeSpan.TicksPerSecond;
        Channel channel;
        int customer;
        int agent;
        Outcome outcome;
        double duration;

        var rows = _plan.Rows;
        bool planned = _nextPlanned < rows.Length && rows[_nextPlanned].Slot == slot;
        if (planned)
        {
            var row = rows[_nextPlanned++];
            agent = row.Agent;
            if (row.Kind is PlannedKind.LongCall or PlannedKind.LongVideoCall)
            {
                channel = row.Channel;
                customer = row.Customer;
                duration = row.DurationSeconds;
                outcome = NaturalOutcome(channel, agent, customer, second);
            }
            else
            {
                channel = InteractionGenerator.Channels[InteractionGenerator.Pick(ref _rng, InteractionGenerator.ChannelCumulative)];
                outcome = row.Outcome!.Value;
                customer = row.Customer >= 0 ? row.Customer : PlantedFailureCustomer(outcome, second);
                duration = NaturalDuration(channel, outcome);
            }
        }
        else
        {
            channel = InteractionGenerator.Channels[InteractionGenerator.Pick(ref _rng, InteractionGenerator.ChannelCumulative)];
            customer = _rng.Chance(0.3) ? _rng.NextInt(Math.Max(1, _g._customerIds.Length / 10)) : _rng.NextInt(_g._customerIds.Length);
            agent = _g._normalAgents[_rng.NextInt(_g._normalAgents.Length)];
            outcome = NaturalOutcome(channel, agent, customer, second);
            duration = NaturalDuration(channel, outcome);
        }
        int? satisfaction = Satisfaction(ref _rng, channel, outcome);

        // A channel incident turns some of the channel's would-be-resolved contacts problematic, drawing from a stream
        // of its own so that every other row is exactly what it would be without the incident.
        if (outcome == Outcome.Resolved && !planned && InIncident(channel, second))
        {
            var local = new Xoshiro256StarStar(SplitMix64.Derive(_g._seed, InteractionGenerator.IncidentStream, (ulong)(_day.Offset + slot)));
            if (local.Chance(InteractionGenerator.IncidentProblematicShare))
            {
                outcome = Outcome.Problematic;
                satisfaction = Satisfaction(ref local, channel, outcome);
            }
        }

        _agentContacts[agent]++;
        if (outcome == Outcome.Failed)
        {
            _agentFailures[agent]++;
            int head = _recentHead[customer];
            _recentFailures[(customer * 4) + head] = second;
            _recentHead[customer] = (byte)((head + 1) & 3);
        }

        return new Interaction(
            InteractionGenerator.FormatId('I', _day.Offset + slot + 1, InteractionGenerator.InteractionIdDigits),
            _g._customerIds[customer],
            _g._agentIds[agent],
            channel,
            new DateTimeOffset(ticks, TimeSpan.Zero),
            duration,
            outcome,
            satisfaction,
            _g._customerAttributes[customer]);
    }

    private Outcome NaturalOutcome(Channel channel, int agent, int customer, long second)
    {
        double u = _rng.NextDouble();
        int ch = (int)channel;
        if (u < InteractionGenerator.FailedRate[ch])
            return CustomerMayFail(customer, second) && AgentMayFail(agent) ? Outcome.Failed : Outcome.Problematic;
        return u < InteractionGenerator.FailedRate[ch] + InteractionGenerator.ProblematicRate[ch] ? Outcome.Problematic : Outcome.Resolved;
    }

    /// <summary>Picks the customer of a failing agent's contact; a failure goes to a customer it can't put in a burst.</summary>
    private int PlantedFailureCustomer(Outcome outcome, long second)
    {
        for (int attempt = 0; ; attempt++)
        {
            int customer = _rng.NextInt(_g._customerIds.Length);
            if (outcome != Outcome.Failed || CustomerMayFail(customer, second) || attempt > 10_000)
                return customer;
        }
    }

    /// <summary>No fifth failure within an hour, and none at all on a customer's planted burst day.</summary>
    private bool CustomerMayFail(int customer, long second) =>
        !_burstToday[customer] && _recentFailures[(customer * 4) + _recentHead[customer]] + 3600 <= second;

    /// <summary>
    /// An ordinary agent's failures stay within 4, or within 40 % of the day's contacts: with at most one planted
    /// burst failure on top, the day's rate stays at or below 50 % from the tenth contact on.
    /// </summary>
    private bool AgentMayFail(int agent)
    {
        if (_isFailingAgent[agent])
            return true;
        int failures = _agentFailures[agent] + 1;
        return failures <= 4 || failures * 5 <= (_agentContacts[agent] + 1) * 2;
    }

    private double NaturalDuration(Channel channel, Outcome outcome)
    {
        int ch = (int)channel;
        double median = InteractionGenerator.DurationMedian[ch] * outcome switch
        {
            Outcome.Failed => 0.6,
            Outcome.Problematic => 1.3,
            _ => 1.0,
        };
        while (true)
        {
            double seconds = Math.Round(median * Math.Exp(InteractionGenerator.DurationSigma[ch] * _rng.NextNormal()));
            if (seconds is >= 5 and <= InteractionGenerator.MaxNaturalDurationSeconds)
                return seconds;
        }
    }

    private bool InIncident(Channel channel, long second)
    {
        foreach (var (start, incidentChannel) in _plan.Incidents)
        {
            if (incidentChannel == channel && second >= start && second < start + InteractionGenerator.SecondsPerHour)
                return true;
        }
        return false;
    }

    private static int? Satisfaction(ref Xoshiro256StarStar rng, Channel channel, Outcome outcome)
    {
        double blank = InteractionGenerator.BlankRate[(int)outcome] + (channel == Channel.Email ? 0.10 : 0);
        if (rng.Chance(blank))
            return null;
        return InteractionGenerator.Pick(ref rng, InteractionGenerator.ScoreCumulative[(int)outcome]) + 1;
    }
}
