using CallStream.Hosting;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CallStream.Kafka;

/// <summary>
/// The <c>callstream-kafka</c> health check: asks the brokers for the source topic's metadata within
/// <see cref="CallStreamHealthOptions.Timeout"/>. Healthy when a broker answers and the topic has partitions;
/// unhealthy when no broker answers or the topic is missing. The checks of a host share one admin client
/// (<see cref="KafkaHealthAdmin"/>), so a probe every few seconds does not open new broker connections each time.
/// </summary>
internal sealed class KafkaHealthCheck : IHealthCheck
{
    private readonly IOptions<KafkaSourceOptions> _source;
    private readonly IOptions<CallStreamHealthOptions> _host;
    private readonly KafkaHealthAdmin _admin;

    public KafkaHealthCheck(IOptions<KafkaSourceOptions> source, IOptions<CallStreamHealthOptions> host, KafkaHealthAdmin admin)
    {
        _source = source;
        _host = host;
        _admin = admin;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var options = _source.Value;
        var timeout = _host.Value.Timeout;
        return Task.Run(() => Check(options, timeout), cancellationToken);
    }

    private HealthCheckResult Check(KafkaSourceOptions options, TimeSpan timeout)
    {
        var admin = _admin.Get(options, timeout, out string servers);
        try
        {
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

/// <summary>The admin client of a host's Kafka health checks: made on the first check, disposed with the host's services.</summary>
internal sealed class KafkaHealthAdmin : IDisposable
{
    private readonly Lock _lock = new();
    private IAdminClient? _client;
    private string _servers = "?";
    private bool _disposed;

    /// <summary>Gets the client, making it on first use with the source's connection settings and the check's timeout.</summary>
    /// <param name="options">The source's options.</param>
    /// <param name="timeout">The check's timeout.</param>
    /// <param name="servers">The brokers as the client resolved them (options, <c>CALLSTREAM_KAFKA</c> or the default), for messages.</param>
    public IAdminClient Get(KafkaSourceOptions options, TimeSpan timeout, out string servers)
    {
        using var held = _lock.EnterScope();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_client is null)
        {
            var config = new AdminClientConfig { ClientId = "callstream-health" };
            options.ApplyTo(config);
            config.Set("socket.timeout.ms", ((int)timeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            _client = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
            _servers = config.BootstrapServers ?? "?";
        }
        servers = _servers;
        return _client;
    }

    public void Dispose()
    {
        using var held = _lock.EnterScope();
        _disposed = true;
        _client?.Dispose();
        _client = null;
    }
}
