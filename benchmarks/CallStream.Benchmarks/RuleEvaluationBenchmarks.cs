using BenchmarkDotNet.Attributes;
using CallStream.Rules;
using CallStream.Rules.Engine;

namespace CallStream.Benchmarks;

/// <summary>
/// Evaluating one rule of each kind over <see cref="EventCount"/> generated, ordered interactions (no ordering
/// stage): one operation is one event, so the figures read as ns/event and bytes/event. Each batch starts with a
/// fresh evaluator (compiled once, in setup), so state build-up and the alerts are part of the cost.
/// </summary>
[MemoryDiagnoser]
public class RuleEvaluationBenchmarks
{
    /// <summary>The events per batch (ten working days).</summary>
    public const int EventCount = 100_000;

    private readonly List<Alert> _alerts = [];
    private Interaction[] _events = [];
    private CompiledRuleSet _perEventFilter = null!;
    private CompiledRuleSet _slidingCountPerCustomer = null!;
    private CompiledRuleSet _tumblingRatePerAgent = null!;
    private CompiledRuleSet _avgMinMaxDistinct = null!;

    [GlobalSetup]
    public void Setup()
    {
        _events = GeneratedInteractions.InOrder(EventCount);
        _perEventFilter = Compile("""
            rule Filter
              where channel in ('voice', 'video') and duration_seconds > 600 and outcome != 'resolved'
              severity info
              message "Interaction {interaction_id} ({channel}) of customer {customer_id} lasted {duration_seconds} s"
            """);
        _slidingCountPerCustomer = Compile("""
            rule SlidingCount
              group by customer_id
              window sliding 1h
              having count(*) >= 3
              suppress 1h
              message "Customer {key}: {count(*)} contacts within an hour"
            """);
        _tumblingRatePerAgent = Compile("""
            rule TumblingRate
              group by agent_id
              window tumbling 1d
              having count(*) >= 10 and rate(outcome = 'failed') > 0.5
              message "Agent {key}: {count(*)} contacts today, failure rate {rate(outcome = 'failed')}"
            """);
        _avgMinMaxDistinct = Compile("""
            rule Aggregates
              group by agent_id
              window sliding 2h
              having avg(satisfaction) < 2 and min(duration_seconds) > 60 and max(duration_seconds) < 3600 and distinct(customer_id) >= 3
              suppress 2h
            """);
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int PerEventFilter() => Run(_perEventFilter);

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int SlidingCountPerCustomer() => Run(_slidingCountPerCustomer);

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int TumblingRatePerAgent() => Run(_tumblingRatePerAgent);

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int AvgMinMaxDistinct() => Run(_avgMinMaxDistinct);

    private static CompiledRuleSet Compile(string text) => GeneratedInteractions.Compile(text);

    private int Run(CompiledRuleSet rules)
    {
        GeneratedInteractions.EvaluateAll(rules, _events, _alerts);
        return _alerts.Count;
    }
}
