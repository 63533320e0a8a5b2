using CallStream.Hosting;
using CallStream.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallStream.Samples;

/// <summary>
/// With <c>--in-process</c>, the Kafka cluster starts empty inside the process: this service writes the demo's
/// interactions to the source topic, waits until the pipeline has read them all, then completes the input, so the
/// pipeline evaluates what it holds, flushes its sinks and the application ends by itself.
/// </summary>
internal sealed class InProcessDemo : BackgroundService
{
    private readonly IConfiguration _configuration;
    private readonly IOptions<KafkaSourceOptions> _source;
    private readonly CallStreamHostedService _pipeline;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;

    public InProcessDemo(IConfiguration configuration, IOptions<KafkaSourceOptions> source, CallStreamHostedService pipeline, ILoggerFactory loggers)
    {
        _configuration = configuration;
        _source = source;
        _pipeline = pipeline;
        _loggers = loggers;
        _logger = loggers.CreateLogger<InProcessDemo>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var source = _source.Value;
        var sinkOptions = new KafkaSinkOptions { BootstrapServers = source.BootstrapServers, Topic = source.Topic, MessageTimestamp = KafkaMessageTimestamp.EventTime };
        var interactions = SampleHost.ReadInteractions(_configuration, _logger, stoppingToken);
        long written = await SampleHost.ProduceAsync(interactions, sinkOptions, _loggers, stoppingToken).ConfigureAwait(false);
        _logger.LogInformation("In-process demo: wrote {Count} interaction(s) to topic '{Topic}' of the in-process cluster; waiting for the pipeline to read them.", written, source.Topic);

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (_pipeline.GetStatistics() is { } statistics && statistics.Consumed + statistics.DeadLettered >= written
                && statistics.Partitions.Count > 0 && statistics.Partitions.All(p => p.CaughtUp))
            {
                _logger.LogInformation("In-process demo: the pipeline read all {Count} interaction(s); completing the input.", written);
                _pipeline.CompleteInput();
                return;
            }
        }
    }
}
