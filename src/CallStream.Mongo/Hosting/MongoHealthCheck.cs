using CallStream.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CallStream.Mongo;

/// <summary>The <c>callstream-mongo</c> health check: pings the deployment within <see cref="CallStreamHealthOptions.Timeout"/>.</summary>
internal sealed class MongoHealthCheck : IHealthCheck
{
    private readonly MongoStore _store;
    private readonly IOptions<CallStreamHealthOptions> _host;

    public MongoHealthCheck(MongoStore store, IOptions<CallStreamHealthOptions> host)
    {
        _store = store;
        _host = host;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_host.Value.Timeout);
        try
        {
            await _store.PingAsync(timeout.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"MongoDB at {_store.Endpoint} answered (database '{_store.DatabaseName}').");
        }
        catch (MongoStoreException exception)
        {
            return HealthCheckResult.Unhealthy(exception.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"MongoDB at {_store.Endpoint} did not answer within {_host.Value.Timeout.TotalSeconds} s.");
        }
    }
}
