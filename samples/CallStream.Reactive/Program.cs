// Rx as the composition surface: interactions as an observable, DetectAlerts, and the alerts into a sink of your
// own, in a few lines. Reads the CSV or NDJSON file given with --input, or generated interactions.
using System.Reactive.Linq;
using CallStream;
using CallStream.Csv;
using CallStream.Generation;
using CallStream.Rules;
using CallStream.Samples;
using Microsoft.Extensions.Configuration;

var configuration = SampleHost.CreateBuilder(args).Configuration;
if (SampleHost.InputProblem(configuration) is { } problem)
{
    Console.Error.WriteLine($"CallStream.Reactive: {problem}");
    return 2;
}

IObservable<Interaction> interactions = configuration["Sample:Input"] is { Length: > 0 } input
    ? input.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase)
        ? InteractionObservable.FromNdjson(input)
        : InteractionObservable.FromCsv(input, new CsvReaderOptions { OnRejected = rejected => Console.Error.WriteLine(rejected) })
    : new InteractionGenerator().Generate(configuration.GetValue("Sample:Rows", 20_000)).ToObservable();

long read = 0;
var sink = new ConsoleAlertSink();
try
{
    await interactions
        .Do(_ => read++)
        .DetectAlerts(DefaultRules.RuleSet)
        .WriteToAsync(sink);
}
catch (CsvHeaderException ex)
{
    Console.Error.WriteLine($"CallStream.Reactive: {ex.Message}");
    return 2;
}

Console.WriteLine($"Reactive finished: {read} interaction(s) read, {sink.Written} alert(s) written by the console sink.");
return 0;

/// <summary>A sink of your own: prints each alert as one line. It writes a whole batch or throws.</summary>
internal sealed class ConsoleAlertSink : IBatchedSink<Alert>
{
    private long _written;

    public long Written => Interlocked.Read(ref _written);

    public ValueTask WriteBatchAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
    {
        foreach (var alert in batch)
            Console.WriteLine($"ALERT {WireNames.Name(alert.Severity),-8} {alert.Rule,-20} {alert.Message}");
        Interlocked.Add(ref _written, batch.Count);
        return ValueTask.CompletedTask;
    }
}
