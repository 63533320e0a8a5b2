using CallStream.Insights;
using MongoDB.Driver;
using MongoDB.Driver.Linq;

namespace CallStream.Mongo;

/// <summary>
/// Runs the dashboard's queries (<see cref="DashboardQueries"/>) on MongoDB: <see cref="Interactions"/> and
/// <see cref="Alerts"/> are the driver's LINQ queryables over the store's collections, so each query is rendered as
/// an aggregation pipeline and runs on the server.
/// </summary>
public sealed class MongoInsightsSource : IInsightsSource
{
    private readonly MongoStore _store;

    /// <summary>Creates the source on a store (no I/O until a query runs).</summary>
    /// <param name="store">The store.</param>
    public MongoInsightsSource(MongoStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        InsightsClassMaps.Register();
        _store = store;
    }

    /// <inheritdoc/>
    /// <remarks>The store's client is created on first access.</remarks>
    public IQueryable<InteractionRecord> Interactions => _store.Database.GetCollection<InteractionRecord>(_store.InteractionsCollectionName).AsQueryable();

    /// <inheritdoc/>
    /// <remarks>The store's client is created on first access.</remarks>
    public IQueryable<AlertRecord> Alerts => _store.Database.GetCollection<AlertRecord>(_store.AlertsCollectionName).AsQueryable();

    /// <inheritdoc/>
    /// <exception cref="MongoStoreException">The server is unreachable or refused the credentials.</exception>
    public async Task<IReadOnlyList<T>> ToListAsync<T>(IQueryable<T> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            return await query.ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (MongoStore.IsConnectivityFailure(ex))
        {
            throw _store.Unavailable(ex, "running a dashboard query");
        }
    }
}
