using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CallStream.Hosting;

/// <summary>
/// The <c>callstream</c> health check of the hosted pipeline: healthy while it runs, unhealthy when it failed or is
/// not running. Its data holds the pipeline's counts (consumed, dead-lettered, alerts, late, in flight).
/// </summary>
internal sealed class CallStreamHealthCheck : IHealthCheck
{
    /// <summary>The check's name.</summary>
    public const string Name = "callstream";

    private readonly CallStreamHostedService _service;

    /// <summary>Creates the check; the container calls this.</summary>
    /// <param name="service">The hosted pipeline.</param>
    public CallStreamHealthCheck(CallStreamHostedService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_service.Failure is { } failure)
            return Task.FromResult(HealthCheckResult.Unhealthy("The CallStream pipeline failed: " + failure.Message, failure));
        var statistics = _service.GetStatistics();
        if (!_service.IsRunning || statistics is null)
            return Task.FromResult(HealthCheckResult.Unhealthy("The CallStream pipeline is not running."));
        var data = new Dictionary<string, object>
        {
            ["consumed"] = statistics.Consumed,
            ["deadLettered"] = statistics.DeadLettered,
            ["alerts"] = statistics.Alerts,
            ["late"] = statistics.Late,
            ["inFlight"] = statistics.InFlight,
            ["runs"] = _service.Runs,
        };
        return Task.FromResult(HealthCheckResult.Healthy($"The CallStream pipeline runs ({statistics.Consumed} consumed, {statistics.Alerts} alerts).", data));
    }
}
