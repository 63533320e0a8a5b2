using CallStream.Insights;
using CallStream.Testing;

namespace CallStream.Insights.Tests;

public class InMemoryInsightsSourceTests
{
    [Fact]
    public void From_KeepsOneRecordPerId_TheLastGiven()
    {
        var first = new InteractionRecord { Id = "i1", AgentId = "old" };
        var second = new InteractionRecord { Id = "i1", AgentId = "new" };
        var source = new InMemoryInsightsSource([first, new InteractionRecord { Id = "i2" }, second]);

        Assert.Equal(2, source.InteractionCount);
        Assert.Equal(["new", ""], source.Interactions.Select(r => r.AgentId).ToList());
    }

    [Fact]
    public void From_Fixture_HoldsEachReplayedItemOnce()
    {
        var source = InMemoryInsightsSource.From(DashboardFixture.Interactions, DashboardFixture.Alerts);
        Assert.Equal(13, source.InteractionCount);
        Assert.Equal(8, source.AlertCount);
    }

    [Fact]
    public void OrderBy_OnText_IsOrdinal()
    {
        var source = new InMemoryInsightsSource(new[] { "ab", "a-b", "B", "b", "a" }.Select(id => new InteractionRecord { Id = id }));

        Assert.Equal(["B", "a", "a-b", "ab", "b"], source.Interactions.OrderBy(r => r.Id).Select(r => r.Id).ToList());
        Assert.Equal(["b", "ab", "a-b", "a", "B"], source.Interactions.OrderByDescending(r => r.Id).Select(r => r.Id).ToList());
        Assert.Equal(["B", "a", "a-b", "ab", "b"], source.Interactions.OrderBy(r => 0).ThenBy(r => r.Id).Select(r => r.Id).ToList());
    }

    [Fact]
    public void Queries_ComposeAndRunScalarOperators()
    {
        var source = InMemoryInsightsSource.From(DashboardFixture.Interactions);
        Assert.Equal(13, source.Interactions.Count());
        Assert.Equal(7200, source.Interactions.Max(r => r.DurationSeconds));
        Assert.True(source.Interactions.Any(r => r.AgentId == "a5"));
        Assert.Empty(source.Alerts);
    }

    [Fact]
    public async Task ToListAsync_ReturnsTheRows_AndHonoursCancellation()
    {
        var source = InMemoryInsightsSource.From(DashboardFixture.Interactions);
        var rows = await source.ToListAsync(DashboardQueries.AgentCount(source.Interactions), TestContext.Current.CancellationToken);
        Assert.Equal([5], rows);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => source.ToListAsync(source.Interactions, cancelled.Token));
    }

    [Fact]
    public async Task EntryPoints_RejectNull()
    {
        Assert.Throws<ArgumentNullException>(() => new InMemoryInsightsSource(null!));
        Assert.Throws<ArgumentNullException>(() => new InMemoryInsightsSource([null!]));
        Assert.Throws<ArgumentNullException>(() => InMemoryInsightsSource.From(null!));
        var source = new InMemoryInsightsSource([]);
        await Assert.ThrowsAsync<ArgumentNullException>(() => source.ToListAsync<int>(null!, TestContext.Current.CancellationToken));
    }
}
