using BenchmarkDotNet.Attributes;
using CallStream.Rules;
using CallStream.Rules.Engine;

namespace CallStream.Benchmarks;

/// <summary>
/// The rule-shape matrix (<see cref="RuleShapes"/>): one rule of each shape alone over <see cref="EventCount"/>
/// ordered events at a fixed total rate, no ordering stage. One operation is one event (ns/event, B/event); each batch
/// starts with a fresh evaluator (the rule compiled once, in setup), so building state counts.
/// </summary>
[MemoryDiagnoser]
public class RuleShapeBenchmarks
{
    /// <summary>The events per batch (50 days at 10,000 a day).</summary>
    public const int EventCount = 500_000;

    private static readonly Dictionary<int, Interaction[]> EventsByKeys = [];
    private readonly List<Alert> _alerts = [];
    private Interaction[] _events = [];
    private CompiledRuleSet _rules = null!;

    /// <summary>Gets or sets the cell measured.</summary>
    [ParamsSource(nameof(Shapes))]
    public RuleShape Shape { get; set; } = null!;

    /// <summary>Gets every cell of the matrix.</summary>
    public static IEnumerable<RuleShape> Shapes => RuleShapes.All();

    [GlobalSetup]
    public void Setup()
    {
        if (!EventsByKeys.TryGetValue(Shape.Keys, out var events))
        {
            EventsByKeys.Clear();
            events = RuleShapes.Events(EventCount, Shape.Keys);
            EventsByKeys[Shape.Keys] = events;
        }
        _events = events;
        _rules = GeneratedInteractions.Compile(Shape.RuleText);
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int Evaluate() => GeneratedInteractions.EvaluateAll(_rules, _events, _alerts).GroupCount;
}
