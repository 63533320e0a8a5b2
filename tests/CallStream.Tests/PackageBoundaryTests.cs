using System.Reflection;
using CallStream.Hosting;
using CallStream.Pipeline;

namespace CallStream.Tests;

/// <summary>What the core package carries: the runner without the insights report, and no plumbing in its public surface.</summary>
public sealed class PackageBoundaryTests
{
    private static readonly Assembly Core = typeof(InteractionPipeline).Assembly;

    [Fact]
    public void Core_CarriesNeitherTheReportNorChartJs()
    {
        Assert.DoesNotContain(Core.GetManifestResourceNames(), name => name.Contains("chart", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Core.GetTypes(), type => type.Namespace == "CallStream.Insights");
        Assert.DoesNotContain(Core.GetReferencedAssemblies(), name => name.Name == "CallStream.Insights");
    }

    [Fact]
    public void PipelinePlumbing_IsNotPublic()
    {
        Type[] plumbing = [typeof(BatchingSink<>), typeof(CheckpointTracker), typeof(RecordTicket), typeof(CallStreamHealthCheck)];
        Assert.Empty(plumbing.Where(type => type.IsPublic).Select(type => type.Name));
    }
}
