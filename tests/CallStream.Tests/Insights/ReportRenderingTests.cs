using CallStream.Insights;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CallStream.Tests.Insights;

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
}
