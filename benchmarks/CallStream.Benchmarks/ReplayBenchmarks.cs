using BenchmarkDotNet.Attributes;
using CallStream.Csv;
using CallStream.Ndjson;
using CallStream.Rules;
using CallStream.Rules.Engine;

namespace CallStream.Benchmarks;

/// <summary>
/// The whole of <c>callstream replay</c> on one thread: a generated 100,000-row CSV log read from memory, ordered in
/// event time and run through the seven default rules, the alerts written as NDJSON (to a null stream). One
/// operation is one row (ns/row): parse + evaluate + alerts, at steady state (the command runs reading, rules and
/// alert writing on three threads; start-up and warm-up are measured end to end in benchmarks/README.md).
/// </summary>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private const int Rows = 100_000;
    private byte[] _file = [];
    private CompiledRuleSet _rules = null!;

    [GlobalSetup]
    public void Setup()
    {
        _file = GeneratedInteractions.CsvFile(Rows);
        _rules = CompiledRuleSet.Compile(DefaultRules.RuleSet);
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public long Replay()
    {
        using var reader = new CsvInteractionReader(new MemoryStream(_file, writable: false));
        using var alerts = NdjsonWriter.ForAlerts(Stream.Null);
        using var engine = new RuleEngine(_rules, alerts.Write, null);
        while (reader.Read() is { } interaction)
            engine.Offer(interaction);
        engine.Complete();
        alerts.Flush();
        return alerts.Count > 0 && reader.RecordsAccepted == Rows
            ? alerts.Count
            : throw new InvalidOperationException($"Read {reader.RecordsAccepted} of {Rows} rows, {alerts.Count} alerts.");
    }
}
