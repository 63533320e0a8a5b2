using System.Reflection;

namespace CallStream.Insights.Tests;

/// <summary>The insights package holds the report with its chart library and needs only the model of Abstractions.</summary>
public sealed class PackageBoundaryTests
{
    private static readonly Assembly Insights = typeof(InsightsReport).Assembly;

    [Fact]
    public void Report_AndChartJs_LiveInTheInsightsAssembly()
    {
        Assert.Equal("CallStream.Insights", Insights.GetName().Name);
        Assert.Equal(
            ["CallStream.Insights.Report.chart.umd.js", "CallStream.Insights.Report.report.css", "CallStream.Insights.Report.report.js"],
            Insights.GetManifestResourceNames().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Insights_ReferencesOnlyAbstractionsOfCallStream()
    {
        Assert.Equal(
            ["CallStream.Abstractions"],
            Insights.GetReferencedAssemblies().Select(name => name.Name!).Where(name => name.StartsWith("CallStream", StringComparison.Ordinal)));
    }
}
