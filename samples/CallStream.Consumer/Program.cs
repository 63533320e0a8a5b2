// Kafka → rules → MongoDB alerts: the consumer of the original system, as a Generic Host app.
using CallStream;
using CallStream.Samples;
using CallStream.Ndjson;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = SampleHost.CreateBuilder(args);
if (SampleHost.InputProblem(builder.Configuration) is { } problem)
{
    Console.Error.WriteLine($"CallStream.Consumer: {problem}");
    return 2;
}

bool inProcess = SampleHost.InProcess(builder.Configuration);
bool mongo = SampleHost.MongoConfigured(builder.Configuration);
string alertsFile = Path.GetFullPath(builder.Configuration["Sample:AlertsFile"] is { Length: > 0 } named
    ? named
    : Path.Combine(SampleHost.OutputDirectory(builder.Configuration), "consumer", "alerts.ndjson"));
if (!mongo)
    Directory.CreateDirectory(Path.GetDirectoryName(alertsFile)!);

builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs =>
{
    cs.AddInProcessKafka().UseKafkaSource();
    if (mongo)
        cs.AddMongoAlertSink();
    else
        cs.AddAlertSink("ndjson", _ => new NdjsonAlertSink(alertsFile));
});
if (inProcess)
    builder.Services.AddHostedService<InProcessDemo>();

using var host = builder.Build();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CallStream.Consumer");
if (!mongo)
    log.LogWarning("No MongoDB configured (CallStream:Mongo:ConnectionString or CALLSTREAM_MONGO): alerts go to {AlertsFile} instead.", alertsFile);
if (inProcess)
    log.LogInformation("Running on an in-process Kafka cluster (no server); the demo ends when its interactions are processed.");

var service = host.Services.GetRequiredService<CallStream.Hosting.CallStreamHostedService>();
await host.RunAsync();
var statistics = service.GetStatistics();
log.LogInformation("Consumer finished: {Consumed} interaction(s) read, {Alerts} alert(s) raised, {DeadLettered} dead-lettered.",
    statistics?.Consumed ?? 0, statistics?.Alerts ?? 0, statistics?.DeadLettered ?? 0);
if (!mongo)
    log.LogInformation("Alerts written to {AlertsFile}.", alertsFile);
return service.Failure is null ? 0 : 1;
