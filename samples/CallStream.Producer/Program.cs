// CSV → Kafka + MongoDB: the producer of the original system, as a Generic Host app.
using CallStream;
using CallStream.Kafka;
using CallStream.Mongo;
using CallStream.Samples;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = SampleHost.CreateBuilder(args);
if (SampleHost.InputProblem(builder.Configuration) is { } problem)
{
    Console.Error.WriteLine($"CallStream.Producer: {problem}");
    return 2;
}

builder.Services.AddHostedService<ProducerWorker>();
using var host = builder.Build();
await host.RunAsync();
return ProducerWorker.Failed ? 1 : 0;

/// <summary>Reads the CSV and writes every interaction to the Kafka topic and, when one is configured, to MongoDB.</summary>
internal sealed class ProducerWorker(IConfiguration configuration, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<ProducerWorker>();

    public static bool Failed { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        InProcessKafkaCluster? cluster = null;
        try
        {
            // Event-time message timestamps let a consumer warm its windows up from the right offsets after a restart.
            var kafka = new KafkaSinkOptions { Topic = configuration["CallStream:Kafka:Topic"] ?? KafkaSinkOptions.DefaultInteractionsTopic, MessageTimestamp = KafkaMessageTimestamp.EventTime };
            configuration.GetSection("CallStream:Kafka:Producer").Bind(kafka);
            if (SampleHost.InProcess(configuration))
            {
                cluster = InProcessKafkaCluster.Start(1);
                cluster.CreateTopic(kafka.Topic, 3);
                kafka.BootstrapServers = cluster.BootstrapServers;
                _logger.LogInformation("Running on an in-process Kafka cluster (no server): the topic lives as long as this process.");
            }
            else
            {
                kafka.BootstrapServers ??= configuration["CallStream:Kafka:BootstrapServers"];
            }

            var interactions = SampleHost.ReadInteractions(configuration, _logger, stoppingToken);
            MongoStore? store = null;
            if (SampleHost.MongoConfigured(configuration))
            {
                var mongo = new MongoSinkOptions();
                configuration.GetSection("CallStream:Mongo").Bind(mongo);
                store = new MongoStore(mongo, loggers);
            }
            else
            {
                _logger.LogWarning("No MongoDB configured (CallStream:Mongo:ConnectionString or CALLSTREAM_MONGO): interactions go to Kafka only.");
            }

            using (store)
            {
                long written = store is null
                    ? await SampleHost.ProduceAsync(interactions, kafka, loggers, stoppingToken)
                    : await ProduceBothAsync(interactions, kafka, store, stoppingToken);
                _logger.LogInformation("Produced {Count} interaction(s) to topic '{Topic}'{Mongo}.", written, kafka.Topic, store is null ? "" : " and MongoDB");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failed = true;
            _logger.LogError(ex, "The producer failed.");
        }
        finally
        {
            cluster?.Dispose();
            lifetime.StopApplication();
        }
    }

    /// <summary>Writes each batch of interactions to both sinks; the Kafka topic and the collection are both idempotent
    /// by interaction id, so running the producer again over the same input stores each interaction once.</summary>
    private async Task<long> ProduceBothAsync(IAsyncEnumerable<Interaction> interactions, KafkaSinkOptions kafka, MongoStore store, CancellationToken cancellationToken)
    {
        using var producer = new KafkaInteractionSink(kafka, loggers);
        var toMongo = new MongoInteractionSink(store);
        long written = 0;
        await foreach (var batch in interactions.Chunk(SampleHost.BatchSize).WithCancellation(cancellationToken))
        {
            await Task.WhenAll(producer.WriteBatchAsync(batch, cancellationToken).AsTask(), toMongo.WriteBatchAsync(batch, cancellationToken).AsTask());
            written += batch.Length;
        }
        return written;
    }
}
