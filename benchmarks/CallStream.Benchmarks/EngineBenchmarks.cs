using BenchmarkDotNet.Attributes;
using CallStream.Rules;
using CallStream.Rules.Engine;

namespace CallStream.Benchmarks;

/// <summary>
/// The whole engine — event-time ordering and the seven default rules — over <see cref="EventCount"/> generated
/// interactions, as <c>callstream replay</c> runs it: in order, and jittered as several partitions deliver them
/// (up to 3 s behind, within the 5 s allowed lateness). One operation is one event (ns/event); each batch runs a
/// fresh engine over the rules compiled once in setup, and completes it.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    /// <summary>The events per batch (ten working days).</summary>
    public const int EventCount = 100_000;

    private Interaction[] _inOrder = [];
    private Interaction[] _jittered = [];
    private CompiledRuleSet _rules = null!;
    private int _alerts;

    [GlobalSetup]
    public void Setup()
    {
        _rules = CompiledRuleSet.Compile(DefaultRules.RuleSet);
        _inOrder = GeneratedInteractions.InOrder(EventCount);
        _jittered = GeneratedInteractions.Jittered(_inOrder, TimeSpan.FromSeconds(3));
        int inOrder = InOrder();
        int jittered = Jittered();
        if (inOrder == 0 || inOrder != jittered)
            throw new InvalidOperationException($"Expected the same, non-zero number of alerts in both orders, got {inOrder} and {jittered}.");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public int InOrder() => Run(_inOrder);

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int Jittered() => Run(_jittered);

    private int Run(Interaction[] events)
    {
        _alerts = 0;
        using var engine = new RuleEngine(_rules, CountAlert, null);
        foreach (var e in events)
            engine.Offer(e);
        engine.Complete();
        if (engine.LateEvents != 0)
            throw new InvalidOperationException($"{engine.LateEvents} events were late; the jitter must stay within the allowed lateness.");
        return _alerts;
    }

    private void CountAlert(Alert alert) => _alerts++;
}
