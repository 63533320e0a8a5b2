using CallStream.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CallStream.Kafka;

/// <summary>The Kafka source the hosted pipeline reads now (a new one per run of the pipeline).</summary>
internal sealed class KafkaSourceTracker
{
    private volatile KafkaInteractionSource? _current;

    public KafkaInteractionSource? Current => _current;

    public KafkaInteractionSource Track(KafkaInteractionSource source)
    {
        _current = source;
        return source;
    }
}

/// <summary>
/// The <c>callstream-kafka-lag</c> health check: the records between the Kafka source's position and the end of its
/// assigned partitions; degraded above <see cref="CallStreamHealthOptions.MaxConsumerLag"/>.
/// </summary>
internal sealed class KafkaConsumerLagHealthCheck : IHealthCheck
{
    private readonly KafkaSourceTracker _tracker;
    private readonly IOptions<CallStreamHealthOptions> _host;

    public KafkaConsumerLagHealthCheck(KafkaSourceTracker tracker, IOptions<CallStreamHealthOptions> host)
    {
        _tracker = tracker;
        _host = host;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_tracker.Current is not { } source)
            return Task.FromResult(HealthCheckResult.Degraded("The Kafka source has not started yet."));
        var lag = source.Lag.ToArray();
        long total = lag.Sum(p => p.Value);
        long max = _host.Value.MaxConsumerLag;
        var data = new Dictionary<string, object> { ["lag"] = total, ["partitions"] = lag.Length, ["maxConsumerLag"] = max };
        foreach (var (partition, value) in lag)
            data["lag." + partition.ToString(System.Globalization.CultureInfo.InvariantCulture)] = value;
        string message = $"Consumer lag on '{source.Topic}' is {total} record(s) over {lag.Length} partition(s) (limit {max}).";
        return Task.FromResult(total > max ? HealthCheckResult.Degraded(message, data: data) : HealthCheckResult.Healthy(message, data));
    }
}
