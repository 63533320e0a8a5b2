using System.Globalization;
using System.Reflection;
using CallStream.Insights;

namespace CallStream.Mongo.Tests.Harness;

/// <summary>Every dashboard query by name, with whether its rows have one defined order.</summary>
internal static class QueryCatalog
{
    public static IReadOnlyDictionary<string, (Func<IQueryable<InteractionRecord>, IQueryable<AlertRecord>, IQueryable> Query, bool Ordered)> All { get; } =
        new Dictionary<string, (Func<IQueryable<InteractionRecord>, IQueryable<AlertRecord>, IQueryable>, bool)>
        {
            ["AgentCount"] = ((i, a) => DashboardQueries.AgentCount(i), true),
            ["CustomerCount"] = ((i, a) => DashboardQueries.CustomerCount(i), true),
            ["Overview"] = ((i, a) => DashboardQueries.Overview(i), true),
            ["DurationPerAgent"] = ((i, a) => DashboardQueries.DurationPerAgent(i), true),
            ["AgentsWithLongInteractions"] = ((i, a) => DashboardQueries.AgentsWithLongInteractions(i), true),
            ["ResolutionTimeBands"] = ((i, a) => DashboardQueries.ResolutionTimeBands(i), true),
            ["AlertsByRule"] = ((i, a) => DashboardQueries.AlertsByRule(a), true),
            ["AlertsPerDayBySeverity"] = ((i, a) => DashboardQueries.AlertsPerDayBySeverity(a), false),
            ["LatestCriticalAlerts"] = ((i, a) => DashboardQueries.LatestAlerts(a, Severity.Critical), true),
            ["AlertsByChannel"] = ((i, a) => DashboardQueries.AlertsByChannel(a, i), false),
            ["CustomersWithMostAlerts"] = ((i, a) => DashboardQueries.CustomersWithMostAlerts(a, i), true),
            ["TopAgents"] = ((i, a) => DashboardQueries.TopAgents(i), true),
            ["OutcomesPerAgent"] = ((i, a) => DashboardQueries.OutcomesPerAgent(i), true),
            ["DurationPerChannel"] = ((i, a) => DashboardQueries.DurationPerChannel(i), false),
            ["Longest"] = ((i, a) => DashboardQueries.Longest(i), true),
            ["DailyTrend"] = ((i, a) => DashboardQueries.DailyTrend(i), true),
        };

    public static TheoryData<string> Names => new(All.Keys);

    /// <summary>Runs a query and gives its rows in a canonical text form (doubles to 10 significant digits), sorted when the query's order is not fully defined.</summary>
    public static List<string> Rows(string name, IQueryable<InteractionRecord> interactions, IQueryable<AlertRecord> alerts)
    {
        var (query, ordered) = All[name];
        var rows = ((System.Collections.IEnumerable)query(interactions, alerts)).Cast<object>().Select(Canonical).ToList();
        if (!ordered)
            rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    public static string Canonical(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("G10", CultureInfo.InvariantCulture),
        DateTime t => t.Kind + ":" + t.ToString("O", CultureInfo.InvariantCulture),
        string s => "\"" + s + "\"",
        int or long or bool or Enum => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => "{" + string.Join(", ", value.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.Name + "=" + Canonical(p.GetValue(value)))) + "}",
    };
}
