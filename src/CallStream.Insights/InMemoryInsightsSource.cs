namespace CallStream.Insights;

/// <summary>
/// Runs the dashboard's queries in process (LINQ to Objects) over interactions and alerts held in memory, for
/// example read from a file or produced by replaying the rules. It holds what a store would hold: one record per id
/// (the last one given wins, as an upsert would), and it orders text ordinally, as MongoDB's default collation does.
/// </summary>
public sealed class InMemoryInsightsSource : IInsightsSource
{
    /// <summary>Creates the source from records.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <param name="alerts">The alerts, or <see langword="null"/> for none.</param>
    public InMemoryInsightsSource(IEnumerable<InteractionRecord> interactions, IEnumerable<AlertRecord>? alerts = null)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var interactionRows = LastPerId(interactions, r => r.Id);
        var alertRows = LastPerId(alerts ?? [], a => a.Id);
        InteractionCount = interactionRows.Count;
        AlertCount = alertRows.Count;
        Interactions = new OrdinalQuery<InteractionRecord>(interactionRows, nameof(InteractionRecord.Id), r => r.Id);
        Alerts = new OrdinalQuery<AlertRecord>(alertRows);
    }

    /// <summary>Gets how many distinct interactions the source holds.</summary>
    public int InteractionCount { get; }

    /// <summary>Gets how many distinct alerts the source holds.</summary>
    public int AlertCount { get; }

    /// <inheritdoc/>
    public IQueryable<InteractionRecord> Interactions { get; }

    /// <inheritdoc/>
    public IQueryable<AlertRecord> Alerts { get; }

    /// <summary>Creates the source from model objects.</summary>
    /// <param name="interactions">The interactions.</param>
    /// <param name="alerts">The alerts, or <see langword="null"/> for none.</param>
    /// <returns>The source.</returns>
    public static InMemoryInsightsSource From(IEnumerable<Interaction> interactions, IEnumerable<Alert>? alerts = null)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        return new InMemoryInsightsSource(interactions.Select(InteractionRecord.From), alerts?.Select(AlertRecord.From));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<T>> ToListAsync<T>(IQueryable<T> query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<T>>(query.ToList());
    }

    private static List<T> LastPerId<T>(IEnumerable<T> items, Func<T, string> id)
    {
        var rows = new List<T>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            ArgumentNullException.ThrowIfNull(item, nameof(items));
            string key = id(item);
            if (index.TryGetValue(key, out int at))
            {
                rows[at] = item;
            }
            else
            {
                index.Add(key, rows.Count);
                rows.Add(item);
            }
        }
        return rows;
    }
}
