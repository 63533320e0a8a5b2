namespace CallStream.Insights;

/// <summary>
/// Where the dashboard's queries (<see cref="DashboardQueries"/>) run: stored interactions and alerts as
/// queryables, and a way to run a query built on them. Implemented in process by <see cref="InMemoryInsightsSource"/>
/// and on MongoDB by <c>CallStream.Mongo.MongoInsightsSource</c>.
/// </summary>
public interface IInsightsSource
{
    /// <summary>Gets the stored interactions, one per interaction id.</summary>
    IQueryable<InteractionRecord> Interactions { get; }

    /// <summary>Gets the stored alerts, one per alert id.</summary>
    IQueryable<AlertRecord> Alerts { get; }

    /// <summary>Runs a query built on <see cref="Interactions"/> and <see cref="Alerts"/> and returns its rows.</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="query">The query, for example <c>DashboardQueries.DurationPerAgent(source.Interactions)</c>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, in the query's order.</returns>
    Task<IReadOnlyList<T>> ToListAsync<T>(IQueryable<T> query, CancellationToken cancellationToken = default);
}
