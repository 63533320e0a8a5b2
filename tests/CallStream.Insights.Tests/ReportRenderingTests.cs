using CallStream.Insights;
using CallStream.Rules;
using CallStream.Testing;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CallStream.Insights.Tests;

/// <summary>
/// The page in headless Chromium: every chart draws (the page's own count after the scripts ran), the screenshot has
/// coloured marks inside every chart's box, and without the charting library the same boxes stay blank (so the check
/// can fail). Skipped, with the reason, when Chromium is not installed.
/// </summary>
public partial class ReportRenderingTests
{
    private const int MinColouredPixelsPerChart = 300;

    [GeneratedRegex("<body([^>]*)>")]
    private static partial Regex BodyTag();

    private static string BodyAttribute(string dom, string name)
    {
        var body = BodyTag().Match(dom);
        Assert.True(body.Success, "the DOM has no body element");
        var attribute = Regex.Match(body.Groups[1].Value, $"{name}=\"([^\"]*)\"");
        Assert.True(attribute.Success, $"the body has no {name} attribute: {body.Value[..Math.Min(300, body.Value.Length)]}");
        return WebUtility.HtmlDecode(attribute.Groups[1].Value);
    }

    private sealed record Box(string Id, int X, int Y, int Width, int Height);

    private static string TempFile(string extension) => Path.Combine(Path.GetTempPath(), "callstream-report-" + Guid.NewGuid().ToString("N") + extension);

    [Fact]
    public async Task Page_InChromium_DrawsEveryChart_AndTheScreenshotShowsThem()
    {
        string browser = ReportBrowser.FindOrSkip();
        var (interactions, alerts) = ReportSamples.Hostile();
        var figures = await ReportSamples.FiguresAsync(interactions, alerts);
        string html = ReportSamples.Html(figures);
        string page = TempFile(".html");
        string png = Path.ChangeExtension(page, ".png");
        string blankPage = TempFile(".html");
        string blankPng = Path.ChangeExtension(blankPage, ".png");
        await File.WriteAllTextAsync(page, html, TestContext.Current.CancellationToken);
        try
        {
            string dom = ReportBrowser.DumpDom(browser, page, 4000);
            Assert.Equal(figures.Notes.Count.ToString(CultureInfo.InvariantCulture), BodyAttribute(dom, "data-charts-expected"));
            Assert.Equal(figures.Notes.Count.ToString(CultureInfo.InvariantCulture), BodyAttribute(dom, "data-charts-rendered"));
            // The hostile agent id is text in the page, never an element.
            Assert.DoesNotContain("<img", dom, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", dom, StringComparison.Ordinal);

            var boxes = JsonSerializer.Deserialize<Box[]>(BodyAttribute(dom, "data-chart-boxes"), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            Assert.Equal(figures.Notes.Select(n => "chart-" + n.Chart), boxes.Select(b => b.Id));
            int height = int.Parse(BodyAttribute(dom, "data-page-height"), CultureInfo.InvariantCulture);
            Assert.All(boxes, b => Assert.True(b.Width > 100 && b.Height > 100, $"{b.Id} is {b.Width}×{b.Height}"));

            ReportBrowser.Screenshot(browser, page, height, png);
            var shot = ReportPng.Read(png);
            Assert.Equal(ReportBrowser.Width, shot.Width);
            foreach (var box in boxes)
            {
                Assert.True(box.Y + box.Height <= shot.Height, $"{box.Id} is below the screenshot ({shot.Height} px)");
                int coloured = shot.CountColoured(box.X, box.Y, box.Width, box.Height);
                Assert.True(coloured >= MinColouredPixelsPerChart, $"{box.Id}: only {coloured} coloured pixels in its box; the chart did not draw (screenshot {png}).");
            }

            // The same page without Chart.js: the page says so, and the same boxes stay blank.
            string blank = Regex.Replace(html, @"<script>\s*/\*!\s*\* Chart\.js.*?</script>", "<script></script>", RegexOptions.Singleline);
            Assert.NotEqual(html.Length, blank.Length);
            await File.WriteAllTextAsync(blankPage, blank, TestContext.Current.CancellationToken);
            string blankDom = ReportBrowser.DumpDom(browser, blankPage, 4000);
            Assert.Equal("0", BodyAttribute(blankDom, "data-charts-rendered"));
            Assert.Equal("Chart.js is not available", BodyAttribute(blankDom, "data-charts-error"));
            ReportBrowser.Screenshot(browser, blankPage, height, blankPng);
            var blankShot = ReportPng.Read(blankPng);
            Assert.All(boxes, box => Assert.True(
                blankShot.CountColoured(box.X, box.Y, box.Width, box.Height) < MinColouredPixelsPerChart,
                $"{box.Id}: coloured pixels without a chart; the screenshot check cannot tell a drawn chart from a blank one"));
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("CALLSTREAM_KEEP_REPORT") != "1")
            {
                foreach (string file in new[] { page, png, blankPage, blankPng })
                    File.Delete(file);
            }
        }
    }

    private sealed record Axis(string Chart, string Axis_, string Type, bool Counts, double Max, double[] Ticks);

    private static async Task<Axis[]> DrawnAxesAsync(InsightsReportFigures figures)
    {
        string browser = ReportBrowser.FindOrSkip();
        string page = TempFile(".html");
        await File.WriteAllTextAsync(page, ReportSamples.Html(figures), TestContext.Current.CancellationToken);
        try
        {
            string dom = ReportBrowser.DumpDom(browser, page, 4000);
            Assert.Equal(figures.Notes.Count.ToString(CultureInfo.InvariantCulture), BodyAttribute(dom, "data-charts-rendered"));
            using var json = JsonDocument.Parse(BodyAttribute(dom, "data-chart-axes"));
            return [.. json.RootElement.EnumerateArray().Select(a => new Axis(
                a.GetProperty("chart").GetString()!,
                a.GetProperty("axis").GetString()!,
                a.GetProperty("type").GetString()!,
                a.GetProperty("counts").GetBoolean(),
                a.GetProperty("max").GetDouble(),
                [.. a.GetProperty("ticks").EnumerateArray().Select(t => t.GetDouble())]))];
        }
        finally
        {
            File.Delete(page);
        }
    }

    [Fact]
    public async Task Page_InChromium_CountAxesShowWholeNumbersOnly()
    {
        // The hand-checked fixture's counts are small (1 to 3), where a plain linear axis ticks 0, 0.5, 1, 1.5, ...
        var axes = await DrawnAxesAsync(await ReportSamples.FiguresAsync(DashboardFixture.Interactions, DashboardFixture.Alerts));

        var counting = axes.Where(a => a.Counts).ToList();
        Assert.Superset(
            new HashSet<string> { "chart-channelVolume", "chart-volume", "chart-bands", "chart-longCalls", "chart-topAgents", "chart-agentOutcomes",
                "chart-alertsOverTime", "chart-alertsByRule", "chart-alertsByChannel", "chart-customerAlerts" },
            counting.Select(a => a.Chart).ToHashSet());
        Assert.All(counting, a => Assert.All(a.Ticks, t => Assert.True(t == Math.Floor(t), $"{a.Chart} {a.Axis_} ticks {string.Join(", ", a.Ticks)}")));
        Assert.Contains(counting, a => a.Chart == "chart-longCalls" && a.Max <= 4);
    }

    [Fact]
    public async Task Page_InChromium_AlertsByRule_TurnsLogarithmicWhenOneRuleDominates_AndEachSeverityHasItsOwnScale()
    {
        // The default rules before issue 12: FailedCall raised nearly all alerts and hid the others' bars.
        var (interactions, _) = ReportSamples.Generated;
        var v1 = ReportSamples.Replay(interactions, RuleSet.Parse(RuleFixtures.DefaultRulesV1, RuleFixtures.DefaultRulesV1FileName));
        var dominated = await ReportSamples.FiguresAsync(interactions, v1);
        Assert.True(dominated.AlertsByRule[0].Alerts >= 20 * dominated.AlertsByRule[^1].Alerts, "the sample must have a dominant rule");

        var axes = await DrawnAxesAsync(dominated);
        Assert.Equal("logarithmic", Assert.Single(axes, a => a.Chart == "chart-alertsByRule" && a.Axis_ == "x").Type);
        var bands = axes.Where(a => a.Chart == "chart-alertsOverTime" && a.Axis_ != "x").ToDictionary(a => a.Axis_);
        Assert.Equal(["ycritical", "yinfo", "ywarning"], bands.Keys.Order(StringComparer.Ordinal));
        int critical = dominated.AlertsPerDay.Max(d => d.Critical);
        int info = dominated.AlertsPerDay.Max(d => d.Info);
        Assert.True(critical > 0 && info >= 20 * critical, $"critical {critical}, info {info}");
        // Each band scales to its own severity: the busiest day's critical alerts reach half its height or more.
        Assert.InRange(bands["ycritical"].Max, critical, 2 * critical);
        Assert.InRange(bands["yinfo"].Max, info, 2 * info);

        // With the default rules no rule dominates: a linear axis of whole numbers.
        var balanced = await ReportSamples.FiguresAsync(interactions, ReportSamples.Generated.Alerts);
        var byRule = Assert.Single(await DrawnAxesAsync(balanced), a => a.Chart == "chart-alertsByRule" && a.Axis_ == "x");
        Assert.Equal("linear", byRule.Type);
        Assert.True(byRule.Counts);
    }
}
