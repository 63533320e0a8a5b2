using System.Reactive.Disposables;
using System.Reactive.Linq;
using BenchmarkDotNet.Attributes;
using CallStream.Csv;
using CallStream.Rules;
using CallStream.Rules.Engine;

namespace CallStream.Benchmarks;

/// <summary>
/// What Rx costs: the default rules over <see cref="EventCount"/> generated interactions, run by the engine directly
/// (the replay path) and through <c>DetectAlerts</c> (an observable source, the operator, a subscriber counting
/// alerts), first from memory (the operator's own cost per event) and then from a CSV file held in memory (CSV reader →
/// engine, as <c>replay</c> runs, against <c>reader.ToObservable().DetectAlerts(rules)</c>). One operation is one event.
/// </summary>
[MemoryDiagnoser]
public class RxBenchmarks
{
    /// <summary>The events per batch (ten working days).</summary>
    public const int EventCount = 100_000;

    private Interaction[] _events = [];
    private byte[] _csv = [];
    private CompiledRuleSet _rules = null!;
    private IObservable<Alert> _detectFromMemory = null!;
    private IObservable<Alert> _detectFromCsv = null!;
    private int _alerts;

    [GlobalSetup]
    public void Setup()
    {
        _rules = CompiledRuleSet.Compile(DefaultRules.RuleSet);
        _events = GeneratedInteractions.InOrder(EventCount);
        _csv = GeneratedInteractions.CsvFile(EventCount);
        var events = _events;
        _detectFromMemory = Observable.Create<Interaction>(observer =>
        {
            foreach (var e in events)
                observer.OnNext(e);
            observer.OnCompleted();
            return Disposable.Empty;
        }).DetectAlerts(DefaultRules.RuleSet);
        var csv = _csv;
        _detectFromCsv = Observable.Defer(() => new CsvInteractionReader(new MemoryStream(csv, writable: false)).ToObservable())
            .DetectAlerts(DefaultRules.RuleSet);
        int[] counts = [Engine(), Rx(), ReplayCsv(), RxCsv()];
        if (counts[0] == 0 || counts.Any(c => c != counts[0]))
            throw new InvalidOperationException($"Expected the same, non-zero number of alerts on every path, got {string.Join(", ", counts)}.");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public int Engine()
    {
        _alerts = 0;
        using var engine = new RuleEngine(_rules, CountAlert, null);
        foreach (var e in _events)
            engine.Offer(e);
        engine.Complete();
        return _alerts;
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int Rx()
    {
        _alerts = 0;
        using (_detectFromMemory.Subscribe(CountAlert))
        {
        }
        return _alerts;
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int ReplayCsv()
    {
        _alerts = 0;
        using var reader = new CsvInteractionReader(new MemoryStream(_csv, writable: false));
        using var engine = new RuleEngine(_rules, CountAlert, null);
        while (reader.Read() is { } e)
            engine.Offer(e);
        engine.Complete();
        return _alerts;
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int RxCsv()
    {
        _alerts = 0;
        using (_detectFromCsv.Subscribe(CountAlert))
        {
        }
        return _alerts;
    }

    private void CountAlert(Alert alert) => _alerts++;
}
