// A rule written in C# and a sink of your own, plugged into AddCallStream; runs on the in-process Kafka cluster
// by default (appsettings.json), so it needs no server.
using CallStream;
using CallStream.Hosting;
using CallStream.Rules;
using CallStream.Samples;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = SampleHost.CreateBuilder(args);
if (SampleHost.InputProblem(builder.Configuration) is { } problem)
{
    Console.Error.WriteLine($"CallStream.CustomRule: {problem}");
    return 2;
}

builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs => cs
    .AddInProcessKafka()       // CallStream.Kafka.Testing: used when CallStream:Kafka:InProcess is true
    .UseKafkaSource()
    .AddRules(
        // A per-event rule: a video call that failed after more than ten minutes.
        Rule.Named("LongFailedVideoCall")
            .Where(i => i.Channel == Channel.Video && i.Outcome == Outcome.Failed && i.DurationSeconds > 600)
            .Warning()
            .WithMessage("Video call {interaction_id} of customer {customer_id} failed after {duration_seconds} s")
            .Build(),
        // A windowed rule: an agent with four or more very unhappy customers (satisfaction 1) within a day, once a
        // day at most. On the sample's 20,000 generated contacts it fires about a dozen times.
        Rule.Named("UnhappyCustomers")
            .Where(i => i.Satisfaction == 1)
            .GroupBy(i => i.AgentId)
            .SlidingWindow(TimeSpan.FromDays(1))
            .Having(w => w.Count() >= 4)
            .Critical()
            .Suppress(TimeSpan.FromDays(1))
            .WithMessage("Agent {agent_id} had {count(*)} very unhappy customers within a day")
            .Build())
    .AddAlertSink<ConsoleAlertSink>("console"));
builder.Services.AddHostedService<InProcessDemo>();

using var host = builder.Build();
var service = host.Services.GetRequiredService<CallStreamHostedService>();
var sink = host.Services.GetRequiredService<ConsoleAlertSink>();
await host.RunAsync();
Console.WriteLine($"CustomRule finished: {service.GetStatistics()?.Consumed ?? 0} interaction(s) read, {sink.Written} alert(s) written by the console sink.");
return service.Failure is null ? 0 : 1;

/// <summary>
/// A custom sink: prints each alert as one line. Sinks write whole batches and let exceptions propagate; the
/// pipeline batches, retries with backoff and commits the source's offsets only once a batch is written.
/// </summary>
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
