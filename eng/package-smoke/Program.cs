// Runs the hosted pipeline from the packages: in-process Kafka (the native librdkafka from the package), the
// default rules, a sink of its own; then the insights report over what was read and raised (CallStream.Insights, with
// the embedded Chart.js). Prints one line the script checks.
using System.Collections.Concurrent;
using System.Text;
using CallStream;
using CallStream.Hosting;
using CallStream.Insights;
using CallStream.Kafka; // InProcessKafkaCluster: CallStream.Kafka.Testing
using CallStream.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

const int Count = 500;
using var cluster = InProcessKafkaCluster.Start(1);
cluster.CreateTopic("consumerdata", 2);
cluster.CreateTopic("callstream-progress", 1); // the source keeps its commits' event-time positions there; the mock cannot create topics on request
var start = new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
var interactions = Enumerable.Range(0, Count).Select(n => new Interaction(
    $"i-{n}", $"c-{n % 40}", $"agent-{n % 9}", (Channel)(n % 4), start.AddSeconds(30 * n),
    durationSeconds: n % 50 == 0 ? 4000 : 120, n % 7 == 0 ? Outcome.Failed : Outcome.Resolved, satisfaction: 3)).ToList();
using (var producer = new KafkaInteractionSink(new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers }))
{
    await producer.WriteBatchAsync(interactions, CancellationToken.None);
}

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["CallStream:Kafka:BootstrapServers"] = cluster.BootstrapServers,
    ["CallStream:Rules:UseDefaults"] = "true",
});
var alerts = new ConcurrentDictionary<string, Alert>();
builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs => cs
    .UseKafkaSource()
    .AddAlertSink("memory", _ => new MemorySink(alerts), new BatchingOptions { FlushInterval = TimeSpan.FromMilliseconds(50) }));
using var host = builder.Build();
var service = host.Services.GetRequiredService<CallStreamHostedService>();
await host.StartAsync();
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
while (service.GetStatistics() is not { Consumed: Count } statistics || !statistics.Partitions.All(p => p.CaughtUp))
    await Task.Delay(50, deadline.Token);
service.CompleteInput();
await host.WaitForShutdownAsync(deadline.Token);
int expected = interactions.Count(i => i.DurationSeconds > 3000) + interactions.Count(i => i.Outcome == Outcome.Failed && i.DurationSeconds > 1200);
int perEvent = alerts.Values.Count(a => a.Rule is "LongCall" or "FailedLongCall");

var figures = await InsightsReport.ComputeAsync(InMemoryInsightsSource.From(interactions, alerts.Values), new InsightsReportOptions { Source = "package smoke" });
using var page = new MemoryStream();
InsightsReport.WriteHtml(figures, page);
string html = Encoding.UTF8.GetString(page.ToArray());
// Chart.js is inlined from the package's embedded resource: its UMD header names the library and its licence.
bool chartJs = html.Contains("Chart.js v4", StringComparison.Ordinal) && html.Contains("<canvas", StringComparison.Ordinal);
bool report = figures.TotalInteractions == Count && figures.TotalAlerts == alerts.Count && chartJs;

Console.WriteLine($"package smoke: {service.GetStatistics()!.Consumed} read, {alerts.Count} alerts, {perEvent} per-event alerts (expected {expected}), "
    + $"report of {figures.TotalInteractions} interactions and {figures.TotalAlerts} alerts ({page.Length / 1024} KB, Chart.js {(chartJs ? "embedded" : "MISSING")})");
return service.Failure is null && perEvent == expected && report ? 0 : 1;

sealed class MemorySink(ConcurrentDictionary<string, Alert> alerts) : IBatchedSink<Alert>
{
    public ValueTask WriteBatchAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
    {
        foreach (var alert in batch)
            alerts[alert.AlertId] = alert;
        return ValueTask.CompletedTask;
    }
}
