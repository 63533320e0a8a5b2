namespace CallStream.Rules.Tests.Engine;

/// <summary>Seeded synthetic interaction streams for the property tests.</summary>
internal static class Streams
{
    /// <summary>
    /// A sorted stream (by start time, then id) over about <paramref name="hours"/> hours: a few customers,
    /// agents and channels, a third of contacts failed, some bursts at the same instant, satisfaction often missing.
    /// </summary>
    public static List<Interaction> Sorted(int seed, int count = 3000, double hours = 30)
    {
        var random = new Random(seed);
        var events = new List<Interaction>(count);
        double span = hours * 3600;
        for (int i = 0; i < count; i++)
        {
            // Whole seconds make ties at the same instant common.
            double t = Math.Floor(random.NextDouble() * span);
            var outcome = random.NextDouble() switch { < 0.35 => Outcome.Failed, < 0.5 => Outcome.Problematic, _ => Outcome.Resolved };
            int? satisfaction = random.NextDouble() < 0.4 ? null : random.Next(1, 6);
            var channel = (Channel)random.Next(0, 4);
            double duration = random.NextDouble() < 0.05 ? 3000 + random.Next(0, 1200) : random.Next(10, 1800) + (random.Next(0, 2) * 0.5);
            var attributes = random.NextDouble() < 0.5 ? null : new[] { new KeyValuePair<string, string>("region", random.Next(0, 3) == 0 ? "north" : "south") };
            events.Add(Events.At(
                t,
                id: "e" + random.Next(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                customer: "c" + random.Next(0, 12),
                agent: "a" + random.Next(0, 5),
                channel: channel,
                duration: duration,
                outcome: outcome,
                satisfaction: satisfaction,
                attributes: attributes));
        }
        events.Sort((x, y) =>
        {
            int byTime = x.StartTime.CompareTo(y.StartTime);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.InteractionId, y.InteractionId);
        });
        return events;
    }

    /// <summary>
    /// The rules of the property tests: the seven rules of the v1 defaults (a per-event rule on every failure and a
    /// spike rule with a low floor, so they fire often on these small streams) plus rules exercising every aggregate.
    /// </summary>
    public static RuleSet Rules()
    {
        var extra = new[]
        {
            new Rule("RegionMix", groupBy: Field.Attribute("region"), window: Model.Sliding(TimeSpan.FromMinutes(30)),
                having: Model.And(Model.Ge(Model.Distinct(Model.CustomerId), Model.Num(4)), Model.Gt(Model.Max(Model.Duration), Model.Mul(Model.Num(3), Model.Min(Model.Duration))))),
            new Rule("LongSum", groupBy: Field.Channel, window: Model.Sliding(TimeSpan.FromHours(2)),
                having: Model.Gt(Model.Sum(Model.Duration), Model.Num(20000)), suppress: TimeSpan.FromMinutes(20)),
            new Rule("HourlyAgent", groupBy: Field.AgentId, window: Model.Tumbling(TimeSpan.FromHours(1)),
                having: Model.Ge(Model.Count(Model.IsNull(Model.Satisfaction)), Model.Num(6)), suppress: TimeSpan.FromMinutes(90)),
        };
        return new RuleSet(Model.DefaultRuleSetV1().Concat(extra));
    }

    /// <summary>Splits a sorted stream over partitions by customer (as Kafka keys by customer), each partition in order.</summary>
    public static List<Interaction>[] Partition(IReadOnlyList<Interaction> sorted, int partitions)
    {
        var result = Enumerable.Range(0, partitions).Select(_ => new List<Interaction>()).ToArray();
        foreach (var e in sorted)
            result[int.Parse(e.CustomerId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) % partitions].Add(e);
        return result;
    }

    /// <summary>Interleaves partitions at random: runs of 1 to 20 events from a random partition at a time.</summary>
    public static List<PartitionedInteraction> Interleave(List<Interaction>[] partitions, int seed)
    {
        var random = new Random(seed);
        var positions = new int[partitions.Length];
        var result = new List<PartitionedInteraction>();
        while (true)
        {
            var open = Enumerable.Range(0, partitions.Length).Where(p => positions[p] < partitions[p].Count).ToArray();
            if (open.Length == 0)
                return result;
            int partition = open[random.Next(open.Length)];
            int run = random.Next(1, 21);
            for (int i = 0; i < run && positions[partition] < partitions[partition].Count; i++)
                result.Add(new PartitionedInteraction(partitions[partition][positions[partition]], partition, positions[partition]++));
        }
    }
}
