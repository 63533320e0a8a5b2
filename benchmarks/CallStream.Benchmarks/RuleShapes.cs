using System.Diagnostics;
using System.Globalization;
using System.Text;
using CallStream.Rules;
using CallStream.Rules.Engine;

namespace CallStream.Benchmarks;

/// <summary>
/// One cell of the rule-shape matrix: a per-event filter, or one aggregate over a sliding or tumbling window of a
/// given length, grouped by a key with a given number of values.
/// </summary>
/// <param name="Aggregate">The aggregate of the <c>having</c> clause (<c>count</c>, <c>rate</c>, <c>sum</c>, <c>avg</c>, <c>min</c>, <c>max</c>, <c>distinct</c>), or <c>filter</c> for a per-event rule.</param>
/// <param name="Window">The window kind, <c>sliding</c> or <c>tumbling</c>; empty for the filter.</param>
/// <param name="Length">The window length in the rule language (<c>1m</c>, <c>45m</c>, <c>1d</c>, <c>7d</c>); empty for the filter.</param>
/// <param name="Keys">The number of group keys in the data.</param>
public sealed record RuleShape(string Aggregate, string Window, string Length, int Keys)
{
    /// <summary>Gets the rule's text. Thresholds are never reached, so the cost measured is taking the event and aggregating it.</summary>
    public string RuleText => Aggregate == "filter"
        ? """
          rule Shape
            where channel = 'video' and duration_seconds > 100000
            message "{interaction_id}"
          """
        : $"""
          rule Shape
            group by customer_id
            window {Window} {Length}
            having {Having(Aggregate)}
          """;

    /// <summary>Gets the cell's name in the quick mode's table and in <c>QUICK_ONLY</c> filters.</summary>
    public override string ToString() =>
        Aggregate == "filter" ? $"filter {Keys}" : $"{Aggregate} {Window} {Length} {Keys}";

    /// <summary>A having clause that tests one aggregate against a bound the data never reaches.</summary>
    internal static string Having(string aggregate) => aggregate switch
    {
        "count" => "count(*) > 1000000000",
        "rate" => "rate(outcome = 'failed') > 2",
        "sum" => "sum(duration_seconds) > 1000000000000",
        "avg" => "avg(duration_seconds) > 1000000000",
        "min" => "min(duration_seconds) < 0",
        "max" => "max(duration_seconds) > 1000000000",
        "distinct" => "distinct(agent_id) > 1000000000",
        _ => throw new ArgumentOutOfRangeException(nameof(aggregate), aggregate, "unknown aggregate"),
    };
}

/// <summary>
/// The rule-shape matrix (every aggregate × window kind × window length × key cardinality, and a per-event filter),
/// its input, and the quick mode's table of it.
/// </summary>
/// <remarks>
/// The input has a fixed total rate, as a contact centre has whatever its number of customers: one event every
/// <see cref="Spacing"/> of event time (10,000 a day, the generator's rate on a working day, round the clock),
/// each for a key drawn uniformly from the cell's keys. So a key sees <c>10,000 × W / keys</c> events in a window
/// of length W: with 5,000 keys two a day, as the generator's customers; with 100 keys 100 a day (a busy agent or
/// queue); with a million keys one in a hundred days.
/// </remarks>
public static class RuleShapes
{
    /// <summary>The event time between two consecutive events.</summary>
    public static readonly TimeSpan Spacing = TimeSpan.FromSeconds(8.64);

    /// <summary>The aggregates of the matrix.</summary>
    public static readonly string[] Aggregates = ["count", "rate", "sum", "avg", "min", "max", "distinct"];

    /// <summary>The window kinds of the matrix.</summary>
    public static readonly string[] Windows = ["sliding", "tumbling"];

    /// <summary>The window lengths of the matrix.</summary>
    public static readonly string[] Lengths = ["1m", "45m", "1d", "7d"];

    /// <summary>The key cardinalities of the matrix.</summary>
    public static readonly int[] KeyCounts = [100, 5_000, 1_000_000];

    private static readonly DateTimeOffset Start = new(2025, 1, 6, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Agents = Enumerable.Range(1, 676).Select(i => "A" + i.ToString("D4", CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Gets every cell: the filter, then each aggregate × window × length × key count.</summary>
    public static IEnumerable<RuleShape> All()
    {
        yield return new RuleShape("filter", "", "", 5_000);
        foreach (string aggregate in Aggregates)
        {
            foreach (string window in Windows)
            {
                foreach (string length in Lengths)
                {
                    foreach (int keys in KeyCounts)
                        yield return new RuleShape(aggregate, window, length, keys);
                }
            }
        }
    }

    /// <summary>Generates <paramref name="count"/> events in event-time order over <paramref name="keys"/> customers (deterministic).</summary>
    public static Interaction[] Events(int count, int keys)
    {
        var random = new Random(15);
        var customers = new string[keys];
        for (int i = 0; i < keys; i++)
            customers[i] = "C" + i.ToString("D7", CultureInfo.InvariantCulture);
        var events = new Interaction[count];
        for (int i = 0; i < count; i++)
        {
            int? satisfaction = random.Next(4) == 0 ? null : random.Next(1, 6);
            events[i] = new Interaction(
                "I" + i.ToString("D8", CultureInfo.InvariantCulture),
                customers[random.Next(keys)],
                Agents[random.Next(Agents.Length)],
                (Channel)random.Next(4),
                Start + (Spacing * i),
                random.Next(30, 3600),
                random.Next(20) == 0 ? Outcome.Failed : Outcome.Resolved,
                satisfaction);
        }
        return events;
    }

    /// <summary>
    /// Runs every cell (or those whose name contains <c>QUICK_ONLY</c>) over <paramref name="eventCount"/> events,
    /// a warm-up round and <paramref name="rounds"/> measured rounds each, and prints a Markdown table of the median
    /// ns/event and B/event, then the bytes per live group of each aggregate kind. The time is the measuring thread's
    /// CPU time (the wall time is printed per cell too): on a shared machine it leaves out the time the thread waited
    /// for a core.
    /// </summary>
    public static void RunQuick(int rounds, int eventCount)
    {
        string? only = Environment.GetEnvironmentVariable("QUICK_ONLY") is { Length: > 0 } o ? o : null;
        var cells = All().Where(c => only is null || c.ToString().Contains(only, StringComparison.Ordinal)).ToList();
        var results = new Dictionary<RuleShape, (double Cpu, double Bytes, double Wall)>();
        var alerts = new List<Alert>();
        foreach (var group in cells.GroupBy(c => c.Keys))
        {
            var events = Events(eventCount, group.Key);
            foreach (var cell in group)
            {
                var rules = GeneratedInteractions.Compile(cell.RuleText);
                var ns = new double[rounds];
                var cpu = new double[rounds];
                var bytes = new double[rounds];
                for (int round = -1; round < rounds; round++)
                {
                    long allocated = GC.GetAllocatedBytesForCurrentThread();
                    long cpuStart = ThreadCpu.Nanoseconds();
                    long start = Stopwatch.GetTimestamp();
                    GeneratedInteractions.EvaluateAll(rules, events, alerts);
                    double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    long cpuEnd = ThreadCpu.Nanoseconds();
                    if (round < 0)
                        continue;
                    ns[round] = elapsed * 1e9 / events.Length;
                    cpu[round] = (cpuEnd - cpuStart) / (double)events.Length;
                    bytes[round] = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)events.Length;
                }
                results[cell] = (Median(cpu), Median(bytes), Median(ns));
                Console.WriteLine(FormattableString.Invariant($"{cell,-30} CPU {Median(cpu),6:F0} ns/event (rounds {Join(cpu)}), wall {Median(ns),6:F0} (rounds {Join(ns)}), {Median(bytes),6:F1} B/event"));
            }
            events = [];
            GC.Collect();
        }
        Console.WriteLine();
        Console.WriteLine(Table(results));
        if (only is null || only == "groups")
        {
            Console.WriteLine();
            Console.WriteLine(GroupBytesTable());
        }
    }

    /// <summary>
    /// Formats the matrix as a Markdown table: a row per aggregate, window kind and length, a column pair per key
    /// count (the median of the thread's CPU time per event in ns, then B/event).
    /// </summary>
    private static string Table(Dictionary<RuleShape, (double Cpu, double Bytes, double Wall)> results)
    {
        var text = new StringBuilder();
        text.Append("| rule shape |");
        foreach (int keys in KeyCounts)
            text.Append(CultureInfo.InvariantCulture, $" {keys:N0} keys: ns | B |");
        text.AppendLine();
        text.Append("|---|");
        foreach (int _ in KeyCounts)
            text.Append("---:|---:|");
        text.AppendLine();
        foreach (var row in results.Keys.Select(c => (c.Aggregate, c.Window, c.Length)).Distinct())
        {
            text.Append(row.Aggregate == "filter" ? "| per-event filter |" : $"| {row.Aggregate} {row.Window} {row.Length} |");
            foreach (int keys in KeyCounts)
            {
                var cell = new RuleShape(row.Aggregate, row.Window, row.Length, keys);
                text.Append(results.TryGetValue(cell, out var r)
                    ? string.Create(CultureInfo.InvariantCulture, $" {r.Cpu:F0} | {r.Bytes:F1} |")
                    : " | |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>
    /// Measures the bytes a live group holds, for each aggregate kind and window kind: the managed heap retained
    /// (after full collections) by an evaluator after <see cref="GroupSample"/> groups were created, with one and
    /// with eight events held per group, divided by the number of groups. Events and rules are allocated beforehand.
    /// </summary>
    public static string GroupBytesTable()
    {
        var text = new StringBuilder();
        text.AppendLine("| aggregate | sliding, 1 event held | sliding, 8 events held | tumbling, 1 event | tumbling, 8 events |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        var one = GroupEvents(1);
        var eight = GroupEvents(8);
        foreach (string aggregate in Aggregates)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {aggregate} |");
            foreach (string window in Windows)
            {
                var rules = GeneratedInteractions.Compile(new RuleShape(aggregate, window, "7d", GroupSample).RuleText);
                foreach (var events in new[] { one, eight })
                    text.Append(CultureInfo.InvariantCulture, $" {BytesPerGroup(rules, events):F0} |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>The number of groups whose state is measured.</summary>
    private const int GroupSample = 100_000;

    /// <summary>Events for <see cref="GroupSample"/> keys, <paramref name="perGroup"/> each, one second apart (all inside one window of a day).</summary>
    private static Interaction[] GroupEvents(int perGroup)
    {
        var random = new Random(3);
        var customers = Enumerable.Range(0, GroupSample).Select(i => "C" + i.ToString("D7", CultureInfo.InvariantCulture)).ToArray();
        var events = new Interaction[GroupSample * perGroup];
        for (int i = 0; i < events.Length; i++)
        {
            events[i] = new Interaction(
                "I" + i.ToString("D8", CultureInfo.InvariantCulture),
                customers[i % GroupSample],
                Agents[random.Next(Agents.Length)],
                Channel.Voice,
                Start + TimeSpan.FromSeconds(i / 10.0),
                random.Next(30, 3600),
                random.Next(20) == 0 ? Outcome.Failed : Outcome.Resolved,
                random.Next(1, 6));
        }
        return events;
    }

    private static double BytesPerGroup(CompiledRuleSet rules, Interaction[] events)
    {
        var alerts = new List<Alert>();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var evaluator = new RuleEvaluator(rules);
        foreach (var e in events)
            evaluator.Evaluate(e, alerts);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        if (evaluator.GroupCount != GroupSample)
            throw new InvalidOperationException($"Expected {GroupSample} live groups, got {evaluator.GroupCount}.");
        GC.KeepAlive(evaluator);
        return (after - before) / (double)GroupSample;
    }

    private static string Join(double[] values) => string.Join(' ', values.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)));

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
