using CallStream.Insights;
using System.Text.Json;
using CallStream.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Insights.Tests;

/// <summary>
/// The report's JSON against figures computed here with plain loops over the interactions and alerts (not the
/// dashboard's queries), on a generated log replayed through the default rules.
/// </summary>
public class ReportFiguresTests
{
    private static readonly string[] ChannelNames = ["email", "chat", "voice", "video"];

    private static void Near(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");

    private static async Task<(List<Interaction> Interactions, List<Alert> Alerts, JsonElement Json)> GeneratedJsonAsync()
    {
        var (interactions, alerts) = ReportSamples.Generated;
        var figures = await ReportSamples.FiguresAsync(interactions, alerts);
        return (interactions, alerts, ReportSamples.Json(figures).RootElement.Clone());
    }

    [Fact]
    public async Task Json_HeadlineFigures_AgreeWithLoops()
    {
        var (interactions, alerts, json) = await GeneratedJsonAsync();
        Assert.True(alerts.Count > 0, "the default rules must raise alerts on the generated log");
        var agents = new HashSet<string>(StringComparer.Ordinal);
        var customers = new HashSet<string>(StringComparer.Ordinal);
        int resolved = 0, failed = 0, problematic = 0, rated = 0;
        double seconds = 0, satisfaction = 0;
        foreach (var i in interactions)
        {
            agents.Add(i.AgentId);
            customers.Add(i.CustomerId);
            if (i.Outcome == Outcome.Resolved) resolved++;
            else if (i.Outcome == Outcome.Failed) failed++;
            else problematic++;
            seconds += i.DurationSeconds;
            if (i.Satisfaction is int s)
            {
                rated++;
                satisfaction += s;
            }
        }

        Assert.Equal(interactions.Count, json.GetProperty("totalInteractions").GetInt32());
        Assert.Equal(agents.Count, json.GetProperty("totalAgents").GetInt32());
        Assert.Equal(customers.Count, json.GetProperty("totalCustomers").GetInt32());
        Assert.Equal(alerts.Select(a => a.AlertId).Distinct().Count(), json.GetProperty("totalAlerts").GetInt32());
        var outcomes = json.GetProperty("outcomes");
        Assert.Equal(resolved, outcomes.GetProperty("resolved").GetInt32());
        Assert.Equal(failed, outcomes.GetProperty("failed").GetInt32());
        Assert.Equal(problematic, outcomes.GetProperty("problematic").GetInt32());
        Near((double)failed / interactions.Count, json.GetProperty("failureRate").GetDouble(), "failureRate");
        Near(seconds / interactions.Count, json.GetProperty("averageHandleSeconds").GetDouble(), "averageHandleSeconds");
        Near(satisfaction / rated, json.GetProperty("averageSatisfaction").GetDouble(), "averageSatisfaction");
        Assert.Equal("generated.csv", json.GetProperty("source").GetString());
        Assert.Equal("2025-02-01T12:00:00+00:00", json.GetProperty("generatedAt").GetString());
    }

    [Fact]
    public async Task Json_Channels_AgreeWithLoops_EveryChannelPresent()
    {
        var (interactions, _, json) = await GeneratedJsonAsync();
        var channels = json.GetProperty("channels");
        Assert.Equal(ChannelNames, channels.EnumerateObject().Select(p => p.Name));
        foreach (string name in ChannelNames)
        {
            int count = 0;
            double total = 0;
            foreach (var i in interactions)
            {
                if (WireNames.Name(i.Channel) == name)
                {
                    count++;
                    total += i.DurationSeconds;
                }
            }
            var c = channels.GetProperty(name);
            Assert.Equal(count, c.GetProperty("count").GetInt32());
            Near(total, c.GetProperty("totalSeconds").GetDouble(), name + ".totalSeconds");
            Near(total / count, c.GetProperty("avgSeconds").GetDouble(), name + ".avgSeconds");
        }
    }

    [Fact]
    public async Task Json_LongestAndLongCalls_AgreeWithLoops()
    {
        var (interactions, _, json) = await GeneratedJsonAsync();
        Interaction longest = interactions[0];
        var longCalls = new Dictionary<string, (int Count, double Max)>(StringComparer.Ordinal);
        foreach (var i in interactions)
        {
            if (i.DurationSeconds > longest.DurationSeconds || (i.DurationSeconds == longest.DurationSeconds && string.CompareOrdinal(i.InteractionId, longest.InteractionId) < 0))
                longest = i;
            if (i.DurationSeconds > 3000)
            {
                var (count, max) = longCalls.GetValueOrDefault(i.AgentId);
                longCalls[i.AgentId] = (count + 1, Math.Max(max, i.DurationSeconds));
            }
        }
        var l = json.GetProperty("longest");
        Assert.Equal(longest.InteractionId, l.GetProperty("interactionId").GetString());
        Assert.Equal(longest.AgentId, l.GetProperty("agentId").GetString());
        Assert.Equal(WireNames.Name(longest.Channel), l.GetProperty("channel").GetString());
        Assert.Equal(longest.DurationSeconds, l.GetProperty("durationSeconds").GetDouble());

        var expected = longCalls.OrderByDescending(p => p.Value.Count).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10)
            .Select(p => $"{p.Key}:{p.Value.Count}:{p.Value.Max}").ToList();
        Assert.NotEmpty(expected);
        var actual = json.GetProperty("agentsWithLongInteractions").EnumerateArray()
            .Select(a => $"{a.GetProperty("agentId").GetString()}:{a.GetProperty("interactions").GetInt32()}:{a.GetProperty("longestSeconds").GetDouble()}").ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(3000, json.GetProperty("longInteractionSeconds").GetDouble());
    }

    [Fact]
    public async Task Json_ResolutionBandsAndDurationPerAgent_AgreeWithLoops()
    {
        var (interactions, _, json) = await GeneratedJsonAsync();
        var bands = new int[5];
        var perAgent = new Dictionary<string, (int Count, double Total)>(StringComparer.Ordinal);
        foreach (var i in interactions)
        {
            if (i.Outcome == Outcome.Resolved)
            {
                double minutes = i.DurationSeconds / 60;
                bands[minutes < 5 ? 0 : minutes < 15 ? 1 : minutes < 30 ? 2 : minutes < 60 ? 3 : 4]++;
            }
            var (count, total) = perAgent.GetValueOrDefault(i.AgentId);
            perAgent[i.AgentId] = (count + 1, total + i.DurationSeconds);
        }
        var jsonBands = json.GetProperty("resolutionBands").EnumerateArray().ToList();
        Assert.Equal([0, 5, 15, 30, 60], jsonBands.Select(b => b.GetProperty("fromMinutes").GetInt32()));
        Assert.Equal(bands, jsonBands.Select(b => b.GetProperty("interactions").GetInt32()));
        Assert.Equal("≥ 60 min", jsonBands[4].GetProperty("label").GetString());

        var expected = perAgent.OrderByDescending(p => p.Value.Total).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10).ToList();
        var actual = json.GetProperty("durationPerAgent").EnumerateArray().ToList();
        Assert.Equal(expected.Select(p => p.Key), actual.Select(a => a.GetProperty("agentId").GetString()));
        for (int n = 0; n < expected.Count; n++)
        {
            Assert.Equal(expected[n].Value.Count, actual[n].GetProperty("interactions").GetInt32());
            Near(expected[n].Value.Total, actual[n].GetProperty("totalSeconds").GetDouble(), "durationPerAgent.totalSeconds");
        }
    }

    [Fact]
    public async Task Json_Alerts_AgreeWithLoops()
    {
        var (interactions, alerts, json) = await GeneratedJsonAsync();
        var byId = interactions.ToDictionary(i => i.InteractionId, StringComparer.Ordinal);
        var byRule = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var byDay = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        var byChannel = new Dictionary<string, int>(StringComparer.Ordinal);
        var byCustomer = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in alerts)
        {
            byRule[a.Rule] = byRule.GetValueOrDefault(a.Rule) + 1;
            string day = a.TriggeredAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            if (!byDay.TryGetValue(day, out var severities))
                byDay[day] = severities = new int[3];
            severities[(int)a.Severity]++;
            var interaction = byId[a.InteractionId];
            string channel = WireNames.Name(interaction.Channel);
            byChannel[channel] = byChannel.GetValueOrDefault(channel) + 1;
            byCustomer[interaction.CustomerId] = byCustomer.GetValueOrDefault(interaction.CustomerId) + 1;
        }

        Assert.Equal(
            byRule.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"),
            json.GetProperty("alertsByRule").EnumerateArray().Select(r => $"{r.GetProperty("rule").GetString()}={r.GetProperty("alerts").GetInt32()}"));
        Assert.Equal(
            byDay.Select(p => $"{p.Key}:{p.Value[(int)Severity.Info]}/{p.Value[(int)Severity.Warning]}/{p.Value[(int)Severity.Critical]}"),
            json.GetProperty("alertsPerDay").EnumerateArray().Select(d =>
                $"{d.GetProperty("day").GetString()}:{d.GetProperty("info").GetInt32()}/{d.GetProperty("warning").GetInt32()}/{d.GetProperty("critical").GetInt32()}"));
        foreach (string name in ChannelNames)
            Assert.Equal(byChannel.GetValueOrDefault(name), json.GetProperty("alertsByChannel").GetProperty(name).GetInt32());
        Assert.Equal(
            byCustomer.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10).Select(p => $"{p.Key}={p.Value}"),
            json.GetProperty("customersWithMostAlerts").EnumerateArray().Select(c => $"{c.GetProperty("customerId").GetString()}={c.GetProperty("alerts").GetInt32()}"));

        var expectedTop = alerts
            .OrderByDescending(a => a.Severity)
            .ThenByDescending(a => a.TriggeredAt)
            .ThenBy(a => a.AlertId, StringComparer.Ordinal)
            .Take(20)
            .Select(a => a.AlertId);
        Assert.Equal(expectedTop, json.GetProperty("topAlerts").EnumerateArray().Select(a => a.GetProperty("alertId").GetString()));
    }

    [Fact]
    public async Task Json_AgentsAndDays_AgreeWithLoops()
    {
        var (interactions, _, json) = await GeneratedJsonAsync();
        var perAgent = new Dictionary<string, int[]>(StringComparer.Ordinal); // resolved, failed, problematic, rated, satisfaction sum
        var perDay = new SortedDictionary<string, (int Count, int Failed, double Seconds)>(StringComparer.Ordinal);
        foreach (var i in interactions)
        {
            if (!perAgent.TryGetValue(i.AgentId, out var a))
                perAgent[i.AgentId] = a = new int[5];
            a[(int)i.Outcome]++;
            if (i.Satisfaction is int s)
            {
                a[3]++;
                a[4] += s;
            }
            string day = i.StartTime.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var (count, failed, seconds) = perDay.GetValueOrDefault(day);
            perDay[day] = (count + 1, failed + (i.Outcome == Outcome.Failed ? 1 : 0), seconds + i.DurationSeconds);
        }

        var expectedTop = perAgent
            .OrderByDescending(p => p.Value[0])
            .ThenByDescending(p => p.Value[3] == 0 ? (double?)null : (double)p.Value[4] / p.Value[3])
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(10)
            .Select(p => $"{p.Key}:{p.Value[0]}");
        Assert.Equal(expectedTop, json.GetProperty("topAgents").EnumerateArray().Select(a => $"{a.GetProperty("agentId").GetString()}:{a.GetProperty("resolved").GetInt32()}"));

        var expectedFailing = perAgent
            .Where(p => p.Value[1] + p.Value[2] > 0)
            .OrderByDescending(p => p.Value[1] + p.Value[2])
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(10)
            .Select(p => $"{p.Key}:{p.Value[0]}/{p.Value[1]}/{p.Value[2]}");
        Assert.Equal(expectedFailing, json.GetProperty("outcomesPerAgent").EnumerateArray().Select(a =>
            $"{a.GetProperty("agentId").GetString()}:{a.GetProperty("resolved").GetInt32()}/{a.GetProperty("failed").GetInt32()}/{a.GetProperty("problematic").GetInt32()}"));

        var daily = json.GetProperty("daily").EnumerateArray().ToList();
        Assert.Equal(perDay.Keys, daily.Select(d => d.GetProperty("day").GetString()![..10]));
        int n = 0;
        foreach (var (_, (count, failed, seconds)) in perDay)
        {
            Assert.Equal(count, daily[n].GetProperty("interactions").GetInt32());
            Assert.Equal(failed, daily[n].GetProperty("failed").GetInt32());
            Near(seconds / count, daily[n].GetProperty("averageHandleSeconds").GetDouble(), "daily.averageHandleSeconds");
            n++;
        }
    }

    [Fact]
    public async Task Notes_NameWhatStandsOut_OnTheHandCheckedFixture()
    {
        var figures = await ReportSamples.FiguresAsync(DashboardFixture.Interactions, DashboardFixture.Alerts);
        string Note(string chart) => figures.Notes.Single(n => n.Chart == chart).Text;

        Assert.Equal(14, figures.Notes.Count);
        // Voice: i01, i03, i06, i07, i12 (17,220 s in all); chat: i02, i08, i10, i13 (2,205 s).
        Assert.Equal("Voice carries the most interactions: 5 of 13 (38.5%). Voice contacts last longest on average (57.4 min), chat the shortest (9.2 min).", Note("channelVolume"));
        // a2 has i03 (3600 s), i04 (3001 s) and i07 (5400 s) over 3000 s; a1 and a4 one each.
        Assert.Equal("Agent a2 has the most calls over 3,000 s: 3, the longest 5,400 s.", Note("longCalls"));
        // 13 interactions: 8 resolved, 3 failed, 2 problematic.
        Assert.Equal("61.5% of 13 interactions were resolved; 3 failed (23.1%) and 2 were problematic (15.4%): failed outnumber problematic 1.5 to 1.", Note("outcomes"));
        // long-call 3, failed-burst 2, low-csat 2, orphan 1.
        Assert.Equal("Rule long-call raised the most alerts: 3, 37.5% of 8; 4 rules fired.", Note("alertsByRule"));
        Assert.Contains("Agent a2 has the most failed or problematic interactions: 3 of 3 (100.0%)", Note("agentOutcomes"), StringComparison.Ordinal);
        Assert.Equal("a1", figures.Longest!.AgentId);
        Assert.Equal("i12", figures.Longest.InteractionId);
    }

    [Fact]
    public async Task Compute_EmptySource_GivesZerosAndSaysSo()
    {
        var figures = await InsightsReport.ComputeAsync(new InMemoryInsightsSource([]), new InsightsReportOptions { TimeProvider = new FakeTimeProvider() }, TestContext.Current.CancellationToken);

        Assert.Equal(0, figures.TotalInteractions);
        Assert.Null(figures.Longest);
        Assert.Equal(5, figures.ResolutionBands.Count);
        Assert.All(figures.Notes, n => Assert.StartsWith("No ", n.Text, StringComparison.Ordinal));
        Assert.Contains("No interactions.", ReportSamples.Html(figures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublicEntryPoints_CheckTheirArguments()
    {
        var figures = await ReportSamples.FiguresAsync(DashboardFixture.Interactions, DashboardFixture.Alerts);
        await Assert.ThrowsAsync<ArgumentNullException>(() => InsightsReport.ComputeAsync(null!, cancellationToken: TestContext.Current.CancellationToken));
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => InsightsReport.ComputeAsync(new InMemoryInsightsSource([]), new InsightsReportOptions { Top = 0 }, TestContext.Current.CancellationToken));
        Assert.Contains("InsightsReportOptions.Top", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => InsightsReport.WriteHtml(null!, Stream.Null));
        Assert.Throws<ArgumentNullException>(() => InsightsReport.WriteHtml(figures, null!));
        Assert.Throws<ArgumentNullException>(() => InsightsReport.WriteJson(null!, Stream.Null));
        Assert.Throws<ArgumentNullException>(() => InsightsReport.WriteJson(figures, null!));
    }
}
