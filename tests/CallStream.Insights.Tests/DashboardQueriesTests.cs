using CallStream.Insights;
using CallStream.Testing;

namespace CallStream.Insights.Tests;

/// <summary>Each dashboard query, run in process over <see cref="DashboardFixture"/>, against figures computed by hand.</summary>
public class DashboardQueriesTests
{
    private const double Tolerance = 1e-9;
    private readonly InMemoryInsightsSource _source = InMemoryInsightsSource.From(DashboardFixture.Interactions, DashboardFixture.Alerts);

    private static DateTime Day(int day) => new(2024, 3, day, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void AgentCount_CountsDistinctAgents()
    {
        Assert.Equal([5], DashboardQueries.AgentCount(_source.Interactions).ToList());
    }

    [Fact]
    public void CustomerCount_CountsDistinctCustomers()
    {
        Assert.Equal([6], DashboardQueries.CustomerCount(_source.Interactions).ToList());
    }

    [Fact]
    public void SingleRowQueries_OnNoInteractions_GiveNoRow()
    {
        var empty = new InMemoryInsightsSource([]);
        Assert.Empty(DashboardQueries.AgentCount(empty.Interactions).ToList());
        Assert.Empty(DashboardQueries.Overview(empty.Interactions).ToList());
        Assert.Empty(DashboardQueries.Longest(empty.Interactions).ToList());
    }

    [Fact]
    public void Overview_CountsOutcomesAndAveragesDurationAndRatedSatisfaction()
    {
        var o = Assert.Single(DashboardQueries.Overview(_source.Interactions).ToList());
        Assert.Equal(13, o.Interactions); // the replayed i03 counts once
        Assert.Equal(8, o.Resolved);
        Assert.Equal(3, o.Failed);
        Assert.Equal(2, o.Problematic);
        Assert.Equal(29925.5, o.TotalSeconds, Tolerance);
        Assert.Equal(29925.5 / 13, o.AverageHandleSeconds, Tolerance);
        Assert.Equal(26.0 / 8, o.AverageSatisfaction!.Value, Tolerance); // 8 rated interactions
        Assert.Equal(3.0 / 13, o.FailureRate, Tolerance);
    }

    [Fact]
    public void DurationPerAgent_SumsAndAverages_MostTimeFirst()
    {
        var rows = DashboardQueries.DurationPerAgent(_source.Interactions).ToList();
        Assert.Equal(["a2", "a1", "a3", "a4", "a5"], rows.Select(r => r.AgentId));
        Assert.Equal([3, 4, 3, 2, 1], rows.Select(r => r.Interactions));
        Assert.Equal([12001, 8520, 5699.5, 3645, 60], rows.Select(r => r.TotalSeconds));
        Assert.Equal(12001.0 / 3, rows[0].AverageSeconds, Tolerance);
        Assert.Equal(2130, rows[1].AverageSeconds, Tolerance);
    }

    [Fact]
    public void AgentsWithLongInteractions_CountsStrictlyLongerThan3000Seconds()
    {
        var rows = DashboardQueries.AgentsWithLongInteractions(_source.Interactions).ToList();
        // i11 lasts exactly 3000 s and does not count.
        Assert.Equal(
            [new AgentLongInteractions("a2", 3, 5400), new AgentLongInteractions("a1", 1, 7200), new AgentLongInteractions("a4", 1, 3600)],
            rows);
    }

    [Fact]
    public void AgentsWithLongInteractions_TakesTheTopAndHonoursTheThreshold()
    {
        var rows = DashboardQueries.AgentsWithLongInteractions(_source.Interactions, thresholdSeconds: 2999, top: 2).ToList();
        Assert.Equal([new AgentLongInteractions("a2", 3, 5400), new AgentLongInteractions("a1", 1, 7200)], rows);
        var a3 = DashboardQueries.AgentsWithLongInteractions(_source.Interactions, thresholdSeconds: 2999).ToList().Single(r => r.AgentId == "a3");
        Assert.Equal(1, a3.Interactions); // i11 at 3000 s counts above 2999 s
    }

    [Fact]
    public void ResolutionTimeBands_CountsResolvedInteractionsByBand_LowerBoundIncluded()
    {
        var rows = DashboardQueries.ResolutionTimeBands(_source.Interactions).ToList();
        // 120 s and 60 s; 300 s and 899.5 s; 900 s; 1800 s and 3000 s; 3600 s.
        Assert.Equal([new ResolutionBand(0, 2), new ResolutionBand(5, 2), new ResolutionBand(15, 1), new ResolutionBand(30, 2), new ResolutionBand(60, 1)], rows);
        Assert.Equal(["< 5 min", "5–15 min", "15–30 min", "30–60 min", "≥ 60 min"], rows.Select(r => r.Label));
        Assert.Equal([5, 15, 30, 60, null], rows.Select(r => r.ToMinutes));
    }

    [Fact]
    public void ResolutionBandUpperBound_RejectsAValueThatIsNotABand()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => DashboardQueries.ResolutionBandUpperBound(7));
        Assert.Contains("0, 5, 15, 30 or 60", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AlertsByRule_CountsPerRule_MostFirstThenByName()
    {
        Assert.Equal(
            [new RuleAlerts("long-call", 3), new RuleAlerts("failed-burst", 2), new RuleAlerts("low-csat", 2), new RuleAlerts("orphan", 1)],
            DashboardQueries.AlertsByRule(_source.Alerts).ToList());
    }

    [Fact]
    public void AlertsPerDayBySeverity_CountsPerUtcDayAndSeverity()
    {
        var rows = DashboardQueries.AlertsPerDayBySeverity(_source.Alerts).ToList();
        Assert.Equal([Day(1), Day(1), Day(2), Day(2), Day(2), Day(3), Day(3)], rows.Select(r => r.Day));
        Assert.Equal(
            [new SeverityDay(Day(1), Severity.Warning, 1), new SeverityDay(Day(1), Severity.Critical, 1),
             new SeverityDay(Day(2), Severity.Info, 1), new SeverityDay(Day(2), Severity.Warning, 1), new SeverityDay(Day(2), Severity.Critical, 1),
             new SeverityDay(Day(3), Severity.Info, 2), new SeverityDay(Day(3), Severity.Warning, 1)],
            rows.OrderBy(r => r.Day).ThenBy(r => r.Severity));
    }

    [Fact]
    public void AlertsByChannel_UsesTheTriggeringInteractionsChannel_AndSkipsAlertsWithoutOne()
    {
        Assert.Equal(
            [new ChannelAlerts(Channel.Voice, 6), new ChannelAlerts(Channel.Email, 1)],
            DashboardQueries.AlertsByChannel(_source.Alerts, _source.Interactions).ToList());
    }

    [Fact]
    public void CustomersWithMostAlerts_UsesTheTriggeringInteractionsCustomer()
    {
        Assert.Equal(
            [new CustomerAlerts("c4", 3), new CustomerAlerts("c2", 2), new CustomerAlerts("c6", 2)],
            DashboardQueries.CustomersWithMostAlerts(_source.Alerts, _source.Interactions).ToList());
        Assert.Equal(
            [new CustomerAlerts("c4", 3), new CustomerAlerts("c2", 2)],
            DashboardQueries.CustomersWithMostAlerts(_source.Alerts, _source.Interactions, top: 2).ToList());
    }

    [Fact]
    public void LatestAlerts_GivesOneSeverity_LatestFirst_UpToTheTop()
    {
        string[] Ids(Severity severity, int top = 10) =>
            [.. DashboardQueries.LatestAlerts(_source.Alerts, severity, top).ToList().Select(a => a.InteractionId)];

        Assert.Equal(["i07", "i04"], Ids(Severity.Critical));
        Assert.Equal(["i12", "i07", "i03"], Ids(Severity.Warning));
        Assert.Equal(["i12", "i07"], Ids(Severity.Warning, top: 2));
        Assert.Equal(["i99", "i12", "i07"], Ids(Severity.Info)); // the orphan alert at 12:00 on the 3rd is the latest
        Assert.Throws<ArgumentOutOfRangeException>(() => DashboardQueries.LatestAlerts(_source.Alerts, Severity.Info, top: 0));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.LatestAlerts(null!, Severity.Info));
    }

    [Fact]
    public void TopAgents_RanksByResolvedThenSatisfaction_UnratedBelowRated()
    {
        var rows = DashboardQueries.TopAgents(_source.Interactions).ToList();
        Assert.Equal(["a3", "a1", "a4", "a5", "a2"], rows.Select(r => r.AgentId));
        Assert.Equal([3, 3, 1, 1, 0], rows.Select(r => r.Resolved));
        Assert.Equal([3, 4, 2, 1, 3], rows.Select(r => r.Interactions));
        Assert.Equal([1, 0.75, 0.5, 1, 0], rows.Select(r => r.ResolutionRate));
        Assert.Equal(4.0, rows[0].AverageSatisfaction!.Value, Tolerance);
        Assert.Equal(11.0 / 3, rows[1].AverageSatisfaction!.Value, Tolerance);
        Assert.Null(rows[3].AverageSatisfaction);
        Assert.Equal(["a3", "a1"], DashboardQueries.TopAgents(_source.Interactions, top: 2).ToList().Select(r => r.AgentId));
    }

    [Fact]
    public void OutcomesPerAgent_CountsSuccessAndFailurePerAgent_ById()
    {
        Assert.Equal(
            [new AgentOutcomes("a1", 3, 1, 0), new AgentOutcomes("a2", 0, 2, 1), new AgentOutcomes("a3", 3, 0, 0), new AgentOutcomes("a4", 1, 0, 1), new AgentOutcomes("a5", 1, 0, 0)],
            DashboardQueries.OutcomesPerAgent(_source.Interactions).ToList());
    }

    [Fact]
    public void DurationPerChannel_SumsAndAverages_MostTimeFirst()
    {
        Assert.Equal(
            [new ChannelDuration(Channel.Voice, 5, 17220, 3444), new ChannelDuration(Channel.Email, 2, 6601, 3300.5),
             new ChannelDuration(Channel.Video, 2, 3899.5, 1949.75), new ChannelDuration(Channel.Chat, 4, 2205, 551.25)],
            DashboardQueries.DurationPerChannel(_source.Interactions).ToList());
    }

    [Fact]
    public void Longest_GivesTheLongestInteractionAndItsAgent()
    {
        var longest = Assert.Single(DashboardQueries.Longest(_source.Interactions).ToList());
        Assert.Equal(("i12", "a1", Channel.Voice, 7200.0), (longest.Id, longest.AgentId, longest.Channel, longest.DurationSeconds));
    }

    [Fact]
    public void Longest_OfEquallyLongOnes_TakesTheSmallestId()
    {
        var source = new InMemoryInsightsSource(
        [
            new InteractionRecord { Id = "b", AgentId = "x", DurationSeconds = 10 },
            new InteractionRecord { Id = "a", AgentId = "y", DurationSeconds = 10 },
            new InteractionRecord { Id = "c", AgentId = "z", DurationSeconds = 9 },
        ]);
        Assert.Equal("a", Assert.Single(DashboardQueries.Longest(source.Interactions).ToList()).Id);
    }

    [Fact]
    public void DailyTrend_GroupsByUtcDay_WithHandleTimeSatisfactionAndFailureRate()
    {
        var rows = DashboardQueries.DailyTrend(_source.Interactions).ToList();
        // i05 starts 0.1 ms before midnight (1 March); i07 starts at 08:15+02:00, i.e. 06:15 UTC on 2 March.
        Assert.Equal([Day(1), Day(2), Day(3)], rows.Select(r => r.Day));
        Assert.All(rows, r => Assert.Equal(DateTimeKind.Utc, r.Day.Kind));
        Assert.Equal([5, 5, 3], rows.Select(r => r.Interactions));
        Assert.Equal([1584.1, 2349, 3420], rows.Select(r => Math.Round(r.AverageHandleSeconds, 9)));
        Assert.Equal([3.5, Math.Round(10.0 / 3, 9), 2], rows.Select(r => Math.Round(r.AverageSatisfaction!.Value, 9)));
        Assert.Equal([1, 1, 1], rows.Select(r => r.Failed));
        Assert.Equal([0.2, 0.2, Math.Round(1.0 / 3, 9)], rows.Select(r => Math.Round(r.FailureRate, 9)));
    }

    [Fact]
    public void Queries_RejectNullSources()
    {
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.AgentCount(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.CustomerCount(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.Overview(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.DurationPerAgent(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.AgentsWithLongInteractions(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.ResolutionTimeBands(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.AlertsByRule(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.AlertsPerDayBySeverity(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.AlertsByChannel(null!, _source.Interactions));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.AlertsByChannel(_source.Alerts, null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.CustomersWithMostAlerts(null!, _source.Interactions));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.CustomersWithMostAlerts(_source.Alerts, null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.TopAgents(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.OutcomesPerAgent(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.DurationPerChannel(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.Longest(null!));
        Assert.Throws<ArgumentNullException>(() => DashboardQueries.DailyTrend(null!));
    }

    [Fact]
    public void TopNQueries_RejectATopBelowOneAndABadThreshold()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DashboardQueries.TopAgents(_source.Interactions, top: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DashboardQueries.CustomersWithMostAlerts(_source.Alerts, _source.Interactions, top: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DashboardQueries.AgentsWithLongInteractions(_source.Interactions, top: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DashboardQueries.AgentsWithLongInteractions(_source.Interactions, thresholdSeconds: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DashboardQueries.AgentsWithLongInteractions(_source.Interactions, thresholdSeconds: double.NaN));
    }
}
