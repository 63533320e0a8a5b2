using CallStream.Hosting;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CallStream.Kafka;

/// <summary>
/// The <c>callstream-kafka</c> health check: asks the brokers for the source topic's metadata within
/// <see cref="CallStreamHealthOptions.Timeout"/>. Healthy when a broker answers and the topic has partitions;
/// unhealthy when no broker answers or the topic is missing.
/// </summary>
internal sealed class KafkaHealthCheck : IHealthCheck
{
    private readonly IOptions<KafkaSourceOptions> _source;
    private readonly IOptions<CallStreamOptions> _host;

    public KafkaHealthCheck(IOptions<KafkaSourceOptions> source, IOptions<CallStreamOptions> host)
    {
        _source = source;
        _host = host;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var options = _source.Value;
        var timeout = _host.Value.Health.Timeout;
        return Task.Run(() => Check(options, timeout), cancellationToken);
    }

    private static HealthCheckResult Check(KafkaSourceOptions options, TimeSpan timeout)
    {
        var config = new AdminClientConfig { ClientId = "callstream-health" };
        options.ApplyTo(config);
        config.Set("socket.timeout.ms", ((int)timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        string servers = config.BootstrapServers ?? "?";
        try
        {
            using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
            var metadata = admin.GetMetadata(options.Topic, timeout);
            var topic = metadata.Topics.FirstOrDefault(t => string.Equals(t.Topic, options.Topic, StringComparison.Ordinal));
            var data = new Dictionary<string, object>
            {
                ["brokers"] = metadata.Brokers.Count,
                ["topic"] = options.Topic,
                ["partitions"] = topic?.Partitions.Count ?? 0,
            };
            if (topic is null || topic.Error.IsError || topic.Partitions.Count == 0)
                return HealthCheckResult.Unhealthy($"Kafka at {servers} answered, but topic '{options.Topic}' is not available ({topic?.Error.Reason ?? "missing"}).", data: data);
            return HealthCheckResult.Healthy($"Kafka at {servers} answered: topic '{options.Topic}' has {topic.Partitions.Count} partition(s).", data);
        }
        catch (KafkaException exception)
        {
            return HealthCheckResult.Unhealthy($"Kafka at {servers} did not answer within {timeout.TotalSeconds} s: {exception.Error.Reason}.");
        }
    }
}
