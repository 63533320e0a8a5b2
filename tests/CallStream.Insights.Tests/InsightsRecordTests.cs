using CallStream.Insights;
using CallStream.Testing;

namespace CallStream.Insights.Tests;

public class InsightsRecordTests
{
    [Fact]
    public void InteractionRecord_From_CopiesTheFields_AndTruncatesTheStartToTheMillisecond()
    {
        var record = InteractionRecord.From(DashboardFixture.Get("i04")); // 11:00:00.0004567Z

        Assert.Equal(new InteractionRecord
        {
            Id = "i04",
            CustomerId = "c2",
            AgentId = "a2",
            Channel = Channel.Email,
            StartTime = new DateTime(2024, 3, 1, 11, 0, 0, DateTimeKind.Utc),
            DurationSeconds = 3001,
            Outcome = Outcome.Problematic,
            Satisfaction = 2,
        }, record);
        Assert.Equal(DateTimeKind.Utc, record.StartTime.Kind);
    }

    [Fact]
    public void ToStoredInstant_FloorsToTheMillisecond_InUtc()
    {
        var instant = new DateTimeOffset(2024, 3, 2, 1, 59, 59, 999, TimeSpan.FromHours(2)).AddTicks(9999);
        var stored = InteractionRecord.ToStoredInstant(instant);
        Assert.Equal(new DateTime(2024, 3, 1, 23, 59, 59, 999, DateTimeKind.Utc), stored);
        Assert.Equal(DateTimeKind.Utc, stored.Kind);
    }

    [Fact]
    public void AlertRecord_From_CopiesTheFields()
    {
        var alert = DashboardFixture.Alerts[3];
        var record = AlertRecord.From(alert);
        Assert.Equal((alert.AlertId, "failed-burst", Severity.Critical, "c2", "i04", new DateTime(2024, 3, 1, 11, 0, 0, DateTimeKind.Utc), alert.Message),
            (record.Id, record.Rule, record.Severity, record.Key, record.InteractionId, record.TriggeredAt, record.Message));
    }

    [Fact]
    public void From_RejectsNull()
    {
        Assert.Throws<ArgumentNullException>(() => InteractionRecord.From(null!));
        Assert.Throws<ArgumentNullException>(() => AlertRecord.From(null!));
    }
}
