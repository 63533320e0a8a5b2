using CallStream.Insights;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CallStream.Insights.Tests;

/// <summary>The page's markup: self-contained, small, every value from the data escaped in the text and in the embedded JSON.</summary>
public partial class ReportHtmlTests
{
    [GeneratedRegex("<script id=\"report-data\" type=\"application/json\">(?<json>.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataBlock();

    private static async Task<(InsightsReportFigures Figures, string Html)> HostileAsync()
    {
        var (interactions, alerts) = ReportSamples.Hostile();
        var figures = await ReportSamples.FiguresAsync(interactions, alerts);
        return (figures, ReportSamples.Html(figures));
    }

    [Fact]
    public async Task HostileValues_AppearOnlyEncoded_InTheMarkup()
    {
        var (figures, html) = await HostileAsync();

        // The hostile agent leads the long-call chart, so its id is in a note; the hostile rule and customer are in the alert table.
        Assert.Equal(ReportSamples.HostileAgent, figures.AgentsWithLongInteractions[0].AgentId);
        Assert.Equal(ReportSamples.HostileRule, figures.TopAlerts[0].Rule);
        Assert.DoesNotContain(ReportSamples.HostileAgent, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("alert(2)</script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain('\u2028', html);
        Assert.DoesNotContain('\u2029', html);
        Assert.Contains("Agent &lt;img src=x onerror=alert(1)&gt; has the most calls over 3,000 s", html, StringComparison.Ordinal);
        Assert.Contains("<td>&lt;b&gt;bold&lt;/b&gt;&amp;&lt;!--</td>", html, StringComparison.Ordinal);
        // Exactly the page's own three script elements, and every one closed by the page itself.
        Assert.Equal(3, Regex.Count(html, "<script", RegexOptions.IgnoreCase));
        Assert.Equal(3, Regex.Count(html, "</script", RegexOptions.IgnoreCase));
        Assert.Equal(0, Regex.Count(html, "<!--", RegexOptions.None));
    }

    [Fact]
    public async Task HostileValues_InTheDataBlock_AreEscapedForScript_AndRoundTrip()
    {
        var (figures, html) = await HostileAsync();
        string block = DataBlock().Match(html).Groups["json"].Value;

        Assert.NotEmpty(block);
        foreach (char c in "<>&\u2028\u2029")
            Assert.DoesNotContain(c, block);
        Assert.Contains("\\u003Cimg src=x onerror=alert(1)\\u003E", block, StringComparison.Ordinal);
        using var data = JsonDocument.Parse(block);
        var root = data.RootElement;
        Assert.Equal(ReportSamples.HostileAgent, root.GetProperty("agentsWithLongInteractions")[0].GetProperty("agentId").GetString());
        Assert.Equal(ReportSamples.HostileCustomer, root.GetProperty("customersWithMostAlerts")[0].GetProperty("customerId").GetString());
        Assert.Equal(ReportSamples.HostileRule, root.GetProperty("topAlerts")[0].GetProperty("rule").GetString());
        Assert.Equal(figures.TotalInteractions, root.GetProperty("totalInteractions").GetInt32());
    }

    [Fact]
    public async Task Page_IsSelfContained_Small_AndHasAChartPerNote()
    {
        var (interactions, alerts) = ReportSamples.Generated;
        var figures = await ReportSamples.FiguresAsync(interactions, alerts);
        string html = ReportSamples.Html(figures);

        Assert.DoesNotContain(" src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Chart.js v4.6.1", html, StringComparison.Ordinal); // the library's own licence header
        Assert.True(html.Length < 400_000, $"the page is {html.Length} characters; it must stay small enough to mail");
        Assert.Contains($"data-charts-expected=\"{figures.Notes.Count}\"", html, StringComparison.Ordinal);
        foreach (var note in figures.Notes)
            Assert.Contains($"<canvas id=\"chart-{note.Chart}\"", html, StringComparison.Ordinal);
        Assert.Equal(
            figures.Notes.Select(n => n.Text),
            Regex.Matches(html, "<figcaption>(.*?)</figcaption>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)));
        foreach (string label in new[] { "Interactions", "Agents", "Customers", "Failure rate", "Average handle time", "CSAT", "Alerts" })
            Assert.Contains($"<div class=\"label\">{label}</div>", html, StringComparison.Ordinal);
    }
}
