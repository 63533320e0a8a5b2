using System.Globalization;
using System.Text.RegularExpressions;
using CallStream.Csv;
using CallStream.Generation;

namespace CallStream.Tests.Generation;

public partial class InteractionGeneratorTests
{
    private const int FourDays = 40_000;

    private static readonly Lazy<(InteractionGenerator Generator, Interaction[] Rows)> DefaultLog = new(() =>
    {
        var generator = new InteractionGenerator();
        return (generator, generator.Generate(FourDays).ToArray());
    });

    private static byte[] WriteCsv(InteractionGenerator generator, long count)
    {
        using var stream = new MemoryStream();
        using (var writer = new CsvInteractionWriter(stream, generator.AttributeColumns, leaveOpen: true))
        {
            foreach (var interaction in generator.Generate(count))
                writer.Write(interaction);
        }
        return stream.ToArray();
    }

    [Fact]
    public void Generate_SameSeed_GivesTheSameBytes()
    {
        byte[] first = WriteCsv(new InteractionGenerator(new InteractionGeneratorOptions { Seed = 7 }), 25_000);
        byte[] second = WriteCsv(new InteractionGenerator(new InteractionGeneratorOptions { Seed = 7 }), 25_000);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Generate_DifferentSeed_GivesDifferentBytes()
    {
        byte[] first = WriteCsv(new InteractionGenerator(new InteractionGeneratorOptions { Seed = 7 }), 5_000);
        byte[] second = WriteCsv(new InteractionGenerator(new InteractionGeneratorOptions { Seed = 8 }), 5_000);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Generate_DefaultSeed_KeepsItsFirstRows()
    {
        // Pins the generator's output: a change here changes every sample log and documented figure.
        var rows = new InteractionGenerator().Generate(20_000).Take(2).ToArray();
        Assert.Equal("I0000001 email customer=30d1f4 agent=A0599 start=2025-01-06T08:00:00Z duration=431s resolved", rows[0].ToString());
        Assert.Equal("I0000002 voice customer=9e7330 agent=A0075 start=2025-01-06T08:00:11Z duration=647s resolved", rows[1].ToString());
    }

    [Fact]
    public void Generate_IsLazyAndEachEnumerationStartsAfresh()
    {
        var generator = new InteractionGenerator();
        var log = generator.Generate(1_000_000_000);
        var first = log.Take(100).ToArray();
        var again = log.Take(100).ToArray();
        Assert.Equal(first, again);
        Assert.Equal("I0000100", first[^1].InteractionId);
    }

    [Fact]
    public void Generate_ZeroRows_IsEmpty()
    {
        Assert.Empty(new InteractionGenerator().Generate(0));
        var anomalies = new InteractionGenerator().GetAnomalies(0);
        Assert.Equal(0, anomalies.Count);
    }

    [Fact]
    public void Generate_ExactCountWithSequentialIds()
    {
        var rows = new InteractionGenerator().Generate(12_345).ToArray();
        Assert.Equal(12_345, rows.Length);
        for (int i = 0; i < rows.Length; i++)
            Assert.Equal("I" + (i + 1).ToString("D7", CultureInfo.InvariantCulture), rows[i].InteractionId);
    }

    [Fact]
    public void Generate_Has676AgentsAndThousandsOfHexCustomers()
    {
        var (generator, rows) = DefaultLog.Value;
        var agents = rows.Select(r => r.AgentId).Distinct().ToArray();
        Assert.Equal(676, agents.Length);
        Assert.Equal(676, generator.AgentIds.Count);
        Assert.All(agents, a => Assert.Matches(AgentId(), a));
        Assert.Contains("A0001", agents);
        Assert.Contains("A0676", agents);

        var customers = rows.Select(r => r.CustomerId).Distinct().ToArray();
        Assert.InRange(customers.Length, 3000, 5000);
        Assert.All(customers, c => Assert.Matches(CustomerId(), c));
    }

    [Fact]
    public void Generate_FourChannelsWithTheirDurationProfiles()
    {
        var rows = DefaultLog.Value.Rows;
        var byChannel = rows.GroupBy(r => r.Channel).ToDictionary(g => g.Key, g => g.Average(r => r.DurationSeconds));
        Assert.Equal(4, byChannel.Count);
        Assert.True(byChannel[Channel.Video] > byChannel[Channel.Voice], "video is the longest on average");
        Assert.True(byChannel[Channel.Voice] > byChannel[Channel.Email], "voice is longer than email on average");
        Assert.True(byChannel[Channel.Email] > byChannel[Channel.Chat], "chat is the shortest on average");
        Assert.InRange(byChannel[Channel.Voice], 180, 900);

        var voice = rows.Where(r => r.Channel == Channel.Voice).Select(r => r.DurationSeconds).Order().ToArray();
        Assert.InRange(voice[voice.Length / 2], 180, 900);
        Assert.All(rows, r => Assert.InRange(r.DurationSeconds, 1, 3600));
        Assert.All(rows, r => Assert.Equal(Math.Floor(r.DurationSeconds), r.DurationSeconds));
    }

    [Fact]
    public void Generate_OutcomesAndSatisfactionAreRealistic()
    {
        var rows = DefaultLog.Value.Rows;
        double failed = rows.Count(r => r.Outcome == Outcome.Failed) / (double)rows.Length;
        double problematic = rows.Count(r => r.Outcome == Outcome.Problematic) / (double)rows.Length;
        double blank = rows.Count(r => r.Satisfaction is null) / (double)rows.Length;
        Assert.InRange(failed, 0.03, 0.09);
        Assert.InRange(problematic, 0.07, 0.15);
        Assert.InRange(blank, 0.15, 0.35);
        Assert.All(rows, r => Assert.True(r.Satisfaction is null or (>= 1 and <= 5)));

        double resolvedScore = rows.Where(r => r.Outcome == Outcome.Resolved && r.Satisfaction is not null).Average(r => r.Satisfaction!.Value);
        double failedScore = rows.Where(r => r.Outcome == Outcome.Failed && r.Satisfaction is not null).Average(r => r.Satisfaction!.Value);
        Assert.True(resolvedScore > failedScore + 1.5, $"resolved {resolvedScore} vs failed {failedScore}");
    }

    [Fact]
    public void Generate_EveryRowHasARegion()
    {
        var (generator, rows) = DefaultLog.Value;
        Assert.Equal(["region"], generator.AttributeColumns);
        string[] regions = ["north", "south", "east", "west"];
        Assert.All(rows, r => Assert.Contains(r.Attributes["region"], regions));
        Assert.Equal(4, rows.Select(r => r.Attributes["region"]).Distinct().Count());
        // A customer lives in one region.
        Assert.All(rows.GroupBy(r => r.CustomerId), g => Assert.Single(g.Select(r => r.Attributes["region"]).Distinct()));
    }

    [Fact]
    public void Generate_StartTimesIncreaseThroughWorkingHoursOfConsecutiveWeekdays()
    {
        var rows = DefaultLog.Value.Rows;
        for (int i = 1; i < rows.Length; i++)
            Assert.True(rows[i].StartTime >= rows[i - 1].StartTime, $"{rows[i].InteractionId} starts before {rows[i - 1].InteractionId}");
        Assert.All(rows, r =>
        {
            Assert.Equal(TimeSpan.Zero, r.StartTime.Offset);
            Assert.InRange(r.StartTime.TimeOfDay, TimeSpan.FromHours(8), TimeSpan.FromHours(18) - TimeSpan.FromSeconds(1));
            Assert.NotEqual(DayOfWeek.Saturday, r.StartTime.DayOfWeek);
            Assert.NotEqual(DayOfWeek.Sunday, r.StartTime.DayOfWeek);
        });
        var days = rows.Select(r => DateOnly.FromDateTime(r.StartTime.UtcDateTime)).Distinct().ToArray();
        Assert.Equal([new DateOnly(2025, 1, 6), new DateOnly(2025, 1, 7), new DateOnly(2025, 1, 8), new DateOnly(2025, 1, 9)], days);
        // Busier mid-morning than in the first hour.
        Assert.True(rows.Count(r => r.StartTime.Hour == 10) > rows.Count(r => r.StartTime.Hour == 8) * 1.5);
    }

    [Fact]
    public void Generate_WeekendStartDate_StartsOnMondayAndSkipsWeekends()
    {
        var generator = new InteractionGenerator(new InteractionGeneratorOptions { StartDate = new DateOnly(2025, 3, 1), InteractionsPerDay = 1000 });
        var days = generator.Generate(7000).Select(r => DateOnly.FromDateTime(r.StartTime.UtcDateTime)).Distinct().ToArray();
        Assert.Equal(new DateOnly(2025, 3, 3), days[0]);
        Assert.Equal(7, days.Length);
        Assert.Equal(new DateOnly(2025, 3, 11), days[^1]);
    }

    [Fact]
    public void GetAnomalies_DefaultFourDays_PlantsEveryKind()
    {
        var (generator, _) = DefaultLog.Value;
        var anomalies = generator.GetAnomalies(FourDays);
        Assert.Equal(8, anomalies.FailureBursts.Count);
        Assert.Equal(2, anomalies.FailingAgentIds.Count);
        Assert.Equal(8, anomalies.FailingAgentDays.Count);
        Assert.Equal(12, anomalies.LongCalls.Count);
        Assert.Equal(8, anomalies.LongVideoCalls.Count);
        Assert.Equal(4, anomalies.ChannelIncidents.Count);
        Assert.Equal(8 + 8 + 12 + 8 + 4, anomalies.Count);
    }

    [Fact]
    public void GetAnomalies_DescribesTheGeneratedRows()
    {
        var (generator, rows) = DefaultLog.Value;
        var byId = rows.ToDictionary(r => r.InteractionId);
        var anomalies = generator.GetAnomalies(FourDays);

        foreach (var burst in anomalies.FailureBursts)
        {
            Assert.InRange(burst.InteractionIds.Count, 5, 7);
            var burstRows = burst.InteractionIds.Select(id => byId[id]).ToArray();
            Assert.All(burstRows, r => Assert.Equal(Outcome.Failed, r.Outcome));
            Assert.All(burstRows, r => Assert.Equal(burst.CustomerId, r.CustomerId));
            Assert.Equal(burst.FirstStartTime, burstRows[0].StartTime);
            Assert.Equal(burst.LastStartTime, burstRows[^1].StartTime);
            Assert.True(burst.LastStartTime - burst.FirstStartTime < TimeSpan.FromMinutes(50));
        }

        foreach (var day in anomalies.FailingAgentDays)
        {
            Assert.Contains(day.AgentId, anomalies.FailingAgentIds);
            var dayRows = rows.Where(r => r.AgentId == day.AgentId && DateOnly.FromDateTime(r.StartTime.UtcDateTime) == day.Date).ToArray();
            Assert.Equal(day.InteractionIds, dayRows.Select(r => r.InteractionId));
            Assert.InRange(dayRows.Length, 12, 18);
            Assert.Equal(day.FailedCount, dayRows.Count(r => r.Outcome == Outcome.Failed));
            Assert.True(day.FailedCount > dayRows.Length / 2);
        }

        foreach (var call in anomalies.LongCalls)
        {
            var row = byId[call.InteractionId];
            Assert.Equal(Channel.Voice, row.Channel);
            Assert.InRange(row.DurationSeconds, 3001, 3600);
            Assert.Equal((call.AgentId, call.CustomerId, call.StartTime, call.DurationSeconds), (row.AgentId, row.CustomerId, row.StartTime, row.DurationSeconds));
        }

        foreach (var call in anomalies.LongVideoCalls)
        {
            var row = byId[call.InteractionId];
            Assert.Equal(Channel.Video, row.Channel);
            Assert.InRange(row.DurationSeconds, InteractionGenerator.MaxNaturalDurationSeconds + 1, 3600);
            Assert.Equal(call.DurationSeconds, row.DurationSeconds);
        }

        // Every long contact was planted; ordinary ones stay at or below 45 minutes.
        var planted = anomalies.LongCalls.Concat(anomalies.LongVideoCalls).Select(c => c.InteractionId).Order(StringComparer.Ordinal);
        var longRows = rows.Where(r => r.DurationSeconds > InteractionGenerator.MaxNaturalDurationSeconds).Select(r => r.InteractionId).Order(StringComparer.Ordinal);
        Assert.Equal(planted, longRows);
    }

    [Fact]
    public void RepeatedFailuresPattern_FindsExactlyThePlantedBursts()
    {
        // rule RepeatedFailures: where outcome = 'failed', group by customer_id, window sliding 1h,
        // having count(*) >= 5, suppress 1h.
        var (generator, rows) = DefaultLog.Value;
        var windows = new Dictionary<string, Queue<DateTimeOffset>>();
        var lastAlert = new Dictionary<string, DateTimeOffset>();
        var alerts = new List<(string Customer, string InteractionId)>();
        foreach (var r in rows.Where(r => r.Outcome == Outcome.Failed))
        {
            if (!windows.TryGetValue(r.CustomerId, out var window))
                windows[r.CustomerId] = window = new Queue<DateTimeOffset>();
            window.Enqueue(r.StartTime);
            while (window.Peek() <= r.StartTime - TimeSpan.FromHours(1))
                window.Dequeue();
            if (window.Count >= 5 && !(lastAlert.TryGetValue(r.CustomerId, out var t0) && r.StartTime < t0 + TimeSpan.FromHours(1)))
            {
                lastAlert[r.CustomerId] = r.StartTime;
                alerts.Add((r.CustomerId, r.InteractionId));
            }
        }

        var expected = generator.GetAnomalies(FourDays).FailureBursts.Select(b => (b.CustomerId, b.InteractionIds[4]));
        Assert.Equal(expected.OrderBy(e => e.Item2, StringComparer.Ordinal), alerts.OrderBy(a => a.InteractionId, StringComparer.Ordinal));
    }

    [Fact]
    public void AgentFailureRatePattern_FindsExactlyThePlantedAgentDays()
    {
        // rule AgentFailureRate: group by agent_id, window tumbling 1d, having count(*) >= 10 and rate(outcome = 'failed') > 0.5.
        var (generator, rows) = DefaultLog.Value;
        var counts = new Dictionary<(string, DateOnly), (int All, int Failed)>();
        var alerts = new List<(string Agent, DateOnly Day, string InteractionId)>();
        foreach (var r in rows)
        {
            var key = (r.AgentId, DateOnly.FromDateTime(r.StartTime.UtcDateTime));
            var (all, failed) = counts.GetValueOrDefault(key);
            all++;
            failed += r.Outcome == Outcome.Failed ? 1 : 0;
            counts[key] = (all, failed);
            bool fired = alerts.Any(a => a.Agent == key.AgentId && a.Day == key.Item2);
            if (!fired && all >= 10 && failed / (double)all > 0.5)
                alerts.Add((key.AgentId, key.Item2, r.InteractionId));
        }

        var expected = generator.GetAnomalies(FourDays).FailingAgentDays.Select(d => (d.AgentId, d.Date, d.InteractionIds[9]));
        Assert.Equal(expected.OrderBy(e => e.Item3, StringComparer.Ordinal), alerts.OrderBy(a => a.InteractionId, StringComparer.Ordinal));
    }

    [Fact]
    public void Generate_SmallDay_PlantsNothing()
    {
        var generator = new InteractionGenerator();
        var anomalies = generator.GetAnomalies(150);
        Assert.Equal(0, anomalies.Count);
        Assert.Equal(2, anomalies.FailingAgentIds.Count);
        var rows = generator.Generate(150).ToArray();
        Assert.DoesNotContain(rows, r => anomalies.FailingAgentIds.Contains(r.AgentId));
        Assert.All(rows, r => Assert.True(r.DurationSeconds <= InteractionGenerator.MaxNaturalDurationSeconds));
    }

    [Fact]
    public void Generate_CustomOptions_AreHonoured()
    {
        var options = new InteractionGeneratorOptions
        {
            AgentCount = 50,
            CustomerCount = 300,
            InteractionsPerDay = 2000,
            FailingAgentCount = 1,
            FailureBurstsPerDay = 3,
            LongCallsPerDay = 0,
            LongVideoCallsPerDay = 1,
            WorkdayStart = new TimeOnly(9, 30),
            WorkdayEnd = new TimeOnly(17, 0),
        };
        var generator = new InteractionGenerator(options);
        var rows = generator.Generate(4000).ToArray();
        Assert.Equal(50, rows.Select(r => r.AgentId).Distinct().Count());
        Assert.True(rows.Select(r => r.CustomerId).Distinct().Count() <= 300);
        Assert.All(rows, r => Assert.InRange(r.StartTime.TimeOfDay, new TimeSpan(9, 30, 0), new TimeSpan(16, 59, 59)));
        var anomalies = generator.GetAnomalies(4000);
        Assert.Single(anomalies.FailingAgentIds);
        Assert.Equal(6, anomalies.FailureBursts.Count);
        Assert.Empty(anomalies.LongCalls);
        Assert.Equal(2, anomalies.LongVideoCalls.Count);
        // Whole clock hours inside a 09:30-17:00 day: 10:00 to 16:00.
        Assert.Equal(2, anomalies.ChannelIncidents.Count);
        Assert.All(anomalies.ChannelIncidents, i => Assert.InRange(i.Start.TimeOfDay, new TimeSpan(10, 0, 0), new TimeSpan(16, 0, 0)));
        Assert.All(anomalies.ChannelIncidents, i => Assert.Equal(0, i.Start.Minute));
    }

    [Fact]
    public void ProblematicSpikePattern_FindsExactlyThePlantedChannelIncidents()
    {
        // rule ProblematicSpike: group by channel, window tumbling 1h, having count(*) >= 50 and rate(outcome = 'problematic') >= 0.35.
        var (generator, rows) = DefaultLog.Value;
        var counts = new Dictionary<(Channel, DateTimeOffset), (int All, int Problematic)>();
        var alerts = new List<(Channel Channel, DateTimeOffset Hour)>();
        foreach (var r in rows)
        {
            var hour = new DateTimeOffset(r.StartTime.Year, r.StartTime.Month, r.StartTime.Day, r.StartTime.Hour, 0, 0, TimeSpan.Zero);
            var key = (r.Channel, hour);
            var (all, problematic) = counts.GetValueOrDefault(key);
            all++;
            problematic += r.Outcome == Outcome.Problematic ? 1 : 0;
            counts[key] = (all, problematic);
            if (!alerts.Contains(key) && all >= 50 && problematic / (double)all >= 0.35)
                alerts.Add(key);
        }

        var incidents = generator.GetAnomalies(FourDays).ChannelIncidents;
        Assert.All(incidents, i => Assert.Contains(i.Channel, new[] { Channel.Email, Channel.Chat, Channel.Voice }));
        Assert.All(incidents, i => Assert.Equal(TimeSpan.FromHours(1), i.End - i.Start));
        Assert.Equal(incidents.Select(i => (i.Channel, i.Start)), alerts.OrderBy(a => a.Hour).ThenBy(a => a.Channel));
    }

    [Fact]
    public void ChannelIncidents_ChangeOnlyTheirOwnRows()
    {
        // An incident turns some resolved contacts of its channel and hour problematic; every other row stays as it was.
        var without = new InteractionGenerator(new InteractionGeneratorOptions { ChannelIncidentsPerDay = 0 }).Generate(20_000).ToArray();
        var generator = new InteractionGenerator();
        var with = generator.Generate(20_000).ToArray();
        var incidents = generator.GetAnomalies(20_000).ChannelIncidents;
        Assert.Equal(2, incidents.Count);

        bool InIncident(Interaction r) => incidents.Any(i => i.Channel == r.Channel && r.StartTime >= i.Start && r.StartTime < i.End);
        var changed = Enumerable.Range(0, with.Length).Where(n => with[n].ToString() != without[n].ToString()).ToArray();
        Assert.All(changed, n => Assert.True(
            InIncident(with[n]) && without[n].Outcome == Outcome.Resolved && with[n].Outcome == Outcome.Problematic,
            $"{without[n]} became {with[n]}"));
        Assert.All(
            Enumerable.Range(0, with.Length).Where(n => with[n].Satisfaction != without[n].Satisfaction),
            n => Assert.Contains(n, changed));
        Assert.All(incidents, i => Assert.True(changed.Count(n => with[n].Channel == i.Channel && with[n].StartTime >= i.Start && with[n].StartTime < i.End) >= 30));
    }

    [Fact]
    public void Options_ChangedAfterConstruction_DoNotAffectTheGenerator()
    {
        var options = new InteractionGeneratorOptions { Seed = 1 };
        var generator = new InteractionGenerator(options);
        var before = generator.Generate(10).ToArray();
        options.Seed = 2;
        options.AgentCount = 30;
        Assert.Equal(before, generator.Generate(10));
        Assert.Equal(1, generator.Options.Seed);
        Assert.Equal(676, generator.Options.AgentCount);
    }

    [Fact]
    public void Options_Defaults_AreDocumentedValues()
    {
        var options = new InteractionGeneratorOptions();
        Assert.Equal(42, options.Seed);
        Assert.Equal(new DateOnly(2025, 1, 6), options.StartDate);
        Assert.Equal(new TimeOnly(8, 0), options.WorkdayStart);
        Assert.Equal(new TimeOnly(18, 0), options.WorkdayEnd);
        Assert.Equal(10_000, options.InteractionsPerDay);
        Assert.Equal(676, options.AgentCount);
        Assert.Equal(5_000, options.CustomerCount);
        Assert.Equal(2, options.FailureBurstsPerDay);
        Assert.Equal(2, options.FailingAgentCount);
        Assert.Equal(3, options.LongCallsPerDay);
        Assert.Equal(2, options.LongVideoCallsPerDay);
        Assert.Equal(1, options.ChannelIncidentsPerDay);
        options.Validate();
    }

    [Theory]
    [InlineData(nameof(InteractionGeneratorOptions.AgentCount))]
    [InlineData(nameof(InteractionGeneratorOptions.CustomerCount))]
    [InlineData(nameof(InteractionGeneratorOptions.InteractionsPerDay))]
    [InlineData(nameof(InteractionGeneratorOptions.FailureBurstsPerDay))]
    [InlineData(nameof(InteractionGeneratorOptions.LongCallsPerDay))]
    [InlineData(nameof(InteractionGeneratorOptions.ChannelIncidentsPerDay))]
    [InlineData("WorkdayEnd")]
    public void Constructor_InvalidOption_ThrowsNamingIt(string option)
    {
        var options = new InteractionGeneratorOptions();
        switch (option)
        {
            case nameof(InteractionGeneratorOptions.AgentCount): options.AgentCount = 5; break;
            case nameof(InteractionGeneratorOptions.CustomerCount): options.CustomerCount = 10; break;
            case nameof(InteractionGeneratorOptions.InteractionsPerDay): options.InteractionsPerDay = 0; break;
            case nameof(InteractionGeneratorOptions.FailureBurstsPerDay): options.FailureBurstsPerDay = -1; break;
            case nameof(InteractionGeneratorOptions.LongCallsPerDay): options.LongCallsPerDay = 1000; break;
            case nameof(InteractionGeneratorOptions.ChannelIncidentsPerDay): options.ChannelIncidentsPerDay = 4; break;
            default: options.WorkdayEnd = new TimeOnly(7, 0); break;
        }
        var e = Assert.Throws<ArgumentException>(() => new InteractionGenerator(options));
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_AndGetAnomalies_CheckTheCount()
    {
        var generator = new InteractionGenerator();
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.Generate(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => generator.GetAnomalies(-1));
        var tooMany = Assert.Throws<ArgumentOutOfRangeException>(() => generator.Generate(long.MaxValue));
        Assert.Contains("9999", tooMany.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("^A[0-9]{4}$")]
    private static partial Regex AgentId();

    [GeneratedRegex("^[0-9a-f]{6}$")]
    private static partial Regex CustomerId();
}
