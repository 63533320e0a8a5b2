using System.Globalization;
using BenchmarkDotNet.Attributes;
using CallStream.Rules;
using CallStream.Rules.Engine;

namespace CallStream.Benchmarks;

/// <summary>
/// Windowed aggregates with many live groups: <see cref="EventCount"/> events one millisecond apart (all inside one
/// window) spread over <see cref="Groups"/> customers, each customer getting the same number of events in a
/// shuffled order. One operation is one event (ns/event); each batch starts with a fresh evaluator, so with a
/// million groups every event creates its group.
/// </summary>
[MemoryDiagnoser]
public class WindowedAggregateBenchmarks
{
    /// <summary>The events per batch.</summary>
    public const int EventCount = 1_000_000;

    private static readonly DateTimeOffset Start = new(2025, 1, 6, 8, 0, 0, TimeSpan.Zero);

    private readonly List<Alert> _alerts = [];
    private Interaction[] _events = [];
    private CompiledRuleSet _sliding = null!;
    private CompiledRuleSet _tumbling = null!;

    /// <summary>Gets or sets the number of groups (distinct customers).</summary>
    [Params(1_000, 100_000, 1_000_000)]
    public int Groups { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        var customers = new string[Groups];
        for (int i = 0; i < customers.Length; i++)
            customers[i] = "C" + i.ToString("D7", CultureInfo.InvariantCulture);
        string[] agents = ["A0001", "A0002", "A0003", "A0004", "A0005", "A0006", "A0007", "A0008"];
        var order = new int[Groups];
        _events = new Interaction[EventCount];
        for (int i = 0; i < EventCount; i++)
        {
            // Each round visits every customer once, in a new order.
            if (i % Groups == 0)
            {
                for (int k = 0; k < order.Length; k++)
                    order[k] = k;
                random.Shuffle(order);
            }
            int? satisfaction = random.Next(5) == 0 ? null : random.Next(1, 6);
            _events[i] = new Interaction(
                "I" + i.ToString("D7", CultureInfo.InvariantCulture),
                customers[order[i % Groups]],
                agents[random.Next(agents.Length)],
                (Channel)random.Next(4),
                Start.AddMilliseconds(i),
                random.Next(30, 1800),
                random.Next(20) == 0 ? Outcome.Failed : Outcome.Resolved,
                satisfaction);
        }
        // Thresholds the batch never reaches: the cost measured is the aggregation, not the alerts.
        _sliding = Compile("""
            rule SlidingPerCustomer
              group by customer_id
              window sliding 1h
              having count(*) > 5000 and avg(duration_seconds) > 0 and max(satisfaction) >= 1
            """);
        _tumbling = Compile("""
            rule TumblingPerCustomer
              group by customer_id
              window tumbling 1h
              having count(*) > 5000 and rate(outcome = 'failed') > 0 and distinct(agent_id) >= 1
            """);
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int SlidingCountAvgMax() => Run(_sliding);

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int TumblingCountRateDistinct() => Run(_tumbling);

    private static CompiledRuleSet Compile(string text) => GeneratedInteractions.Compile(text);

    private int Run(CompiledRuleSet rules) => GeneratedInteractions.EvaluateAll(rules, _events, _alerts).GroupCount;
}
