using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using static CallStream.Insights.ReportFormat;

namespace CallStream.Insights;

/// <summary>
/// Writes the report's HTML page: markup built here with every data value HTML-encoded, the figures embedded as a JSON
/// data block escaped for a <c>&lt;script&gt;</c> element, the vendored Chart.js and the page's own script and style
/// (embedded resources of this assembly), so the page needs no network.
/// </summary>
/// <remarks>
/// The page's script reads the data block, draws one chart per canvas, and marks the body with
/// <c>data-charts-rendered</c> (how many charts have drawn) so that a headless browser can check the page;
/// <c>data-charts-expected</c> says how many there are.
/// </remarks>
internal static class ReportPage
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);
    private static readonly Lazy<string> ChartJs = new(() => Resource("chart.umd.js"));
    private static readonly Lazy<string> Script = new(() => Resource("report.js"));
    private static readonly Lazy<string> Style = new(() => Resource("report.css"));

    /// <summary>Gets the Chart.js version embedded in the page.</summary>
    public const string ChartJsVersion = "4.6.1";

    /// <summary>Writes the page.</summary>
    public static void Write(InsightsReportFigures f, Stream stream)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        // Nothing is fetched: scripts and styles are inline, and nothing else may load (defence in depth; the values are escaped anyway).
        w.Write("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n");
        w.Write($"<title>{E(f.Title)}</title>\n<style>\n{Style.Value}</style>\n</head>\n");
        w.Write($"<body data-charts-expected=\"{f.Notes.Count}\" data-charts-rendered=\"0\">\n<header>\n<h1>{E(f.Title)}</h1>\n<p class=\"meta\">");
        if (f.Source is not null)
            w.Write($"Source: {E(f.Source)} · ");
        w.Write($"generated {E(Instant(f.GeneratedAt))}</p>\n</header>\n");

        WriteHeadline(w, f);
        w.Write("<main class=\"charts\">\n");
        foreach (var note in f.Notes)
        {
            string wide = note.Chart switch
            {
                ReportNotes.AlertsOverTime => " wide tall",
                ReportNotes.Volume or ReportNotes.AgentOutcomes or ReportNotes.CustomerAlerts => " wide",
                _ => "",
            };
            w.Write($"<figure class=\"chart{wide}\" id=\"figure-{E(note.Chart)}\">\n<h2>{E(note.Heading)}</h2>\n");
            w.Write($"<div class=\"plot\"><canvas id=\"chart-{E(note.Chart)}\" role=\"img\" aria-label=\"{E(note.Heading)}\"></canvas></div>\n");
            w.Write($"<figcaption>{E(note.Text)}</figcaption>\n</figure>\n");
        }
        w.Write("</main>\n");
        WriteTopAlerts(w, f);
        w.Write($"<footer>Charts drawn with <a href=\"https://www.chartjs.org\">Chart.js</a> {ChartJsVersion} (MIT License), embedded in this page; figures computed by CallStream.</footer>\n");

        w.Write("<script id=\"report-data\" type=\"application/json\">");
        w.Write(ForScript(JsonSerializer.Serialize(f, ReportJson.Compact.InsightsReportFigures)));
        w.Write("</script>\n<script>\n");
        w.Write(ChartJs.Value);
        w.Write("\n</script>\n<script>\n");
        w.Write(Script.Value);
        w.Write("</script>\n</body>\n</html>\n");
    }

    /// <summary>
    /// Escapes JSON text for a <c>&lt;script&gt;</c> element: <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, U+2028 and U+2029
    /// become <c>\uXXXX</c> escapes (they can only occur inside JSON strings, where the escape means the same character),
    /// so no value can close the element, open a comment, or end a line in script.
    /// </summary>
    public static string ForScript(string json)
    {
        var sb = new StringBuilder(json.Length + 64);
        foreach (char c in json)
        {
            switch (c)
            {
                case '<': sb.Append("\\u003C"); break;
                case '>': sb.Append("\\u003E"); break;
                case '&': sb.Append("\\u0026"); break;
                case '\u2028': sb.Append("\\u2028"); break;
                case '\u2029': sb.Append("\\u2029"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    private static string E(string? text) => Html.Encode(text ?? "");

    private static void WriteHeadline(StreamWriter w, InsightsReportFigures f)
    {
        w.Write("<section class=\"headline\" aria-label=\"Headline figures\">\n");
        Card(w, "Interactions", Count(f.TotalInteractions), $"{Duration(f.TotalSeconds)} in all");
        Card(w, "Agents", Count(f.TotalAgents), null);
        Card(w, "Customers", Count(f.TotalCustomers), null);
        Card(w, "Failure rate", Percent(f.FailureRate), $"{Count(f.Outcomes.Failed)} failed, {Count(f.Outcomes.Problematic)} problematic");
        Card(w, "Average handle time", Duration(f.AverageHandleSeconds), null);
        Card(w, "CSAT", f.AverageSatisfaction is double csat ? Number(csat, "0.00") : "–", f.AverageSatisfaction is null ? "no ratings" : "average of 1–5");
        Card(w, "Alerts", Count(f.TotalAlerts), $"{f.AlertsByRule.Count} rule{(f.AlertsByRule.Count == 1 ? "" : "s")}");
        if (f.Longest is { } l)
            Card(w, "Longest interaction", Duration(l.DurationSeconds), $"{l.InteractionId} · agent {l.AgentId} · {l.Channel}");
        w.Write("</section>\n");
    }

    private static void Card(StreamWriter w, string label, string value, string? detail)
    {
        w.Write($"<div class=\"card\"><div class=\"label\">{E(label)}</div><div class=\"value\">{E(value)}</div>");
        if (detail is not null)
            w.Write($"<div class=\"detail\">{E(detail)}</div>");
        w.Write("</div>\n");
    }

    private static void WriteTopAlerts(StreamWriter w, InsightsReportFigures f)
    {
        w.Write("<section class=\"alerts\">\n<h2>Top alerts</h2>\n");
        if (f.TopAlerts.Count == 0)
        {
            w.Write("<p>No alerts.</p>\n</section>\n");
            return;
        }
        w.Write($"<p class=\"note\">The {f.TopAlerts.Count} most severe alerts, the latest first within a severity.</p>\n");
        w.Write("<table>\n<thead><tr><th>Severity</th><th>Triggered (UTC)</th><th>Rule</th><th>Key</th><th>Interaction</th><th>Message</th></tr></thead>\n<tbody>\n");
        foreach (var a in f.TopAlerts)
        {
            w.Write($"<tr class=\"sev-{E(a.Severity)}\"><td>{E(a.Severity)}</td><td>{E(Instant(a.TriggeredAt))}</td><td>{E(a.Rule)}</td>");
            w.Write($"<td>{E(a.Key)}</td><td>{E(a.InteractionId)}</td><td>{E(a.Message)}</td></tr>\n");
        }
        w.Write("</tbody>\n</table>\n</section>\n");
    }

    private static string Resource(string name)
    {
        var assembly = typeof(ReportPage).Assembly;
        using var stream = assembly.GetManifestResourceStream("CallStream.Insights.Report." + name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string text = reader.ReadToEnd();
        // Inlined in a <script> or <style> element: the text must not be able to close it.
        if (text.Contains("</script", StringComparison.OrdinalIgnoreCase) || text.Contains("</style", StringComparison.OrdinalIgnoreCase) || text.Contains("<!--", StringComparison.Ordinal))
            throw new InvalidOperationException($"The embedded resource {name} contains '</script', '</style' or '<!--' and cannot be inlined.");
        return text;
    }
}
