using CallStream.Kafka;

namespace CallStream.Kafka.Tests;

/// <summary>What a Kafka user ships: the production package builds on the contracts only, and carries no test cluster.</summary>
public sealed class PackageBoundaryTests
{
    [Fact]
    public void KafkaAssembly_ReferencesAbstractionsButNotTheCoreRuntimeOrTheTestingPackage()
    {
        var references = typeof(KafkaInteractionSource).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();

        Assert.Contains("CallStream.Abstractions", references);
        Assert.DoesNotContain("CallStream", references);
        Assert.DoesNotContain("CallStream.Kafka.Testing", references);
    }

    [Fact]
    public void InProcessCluster_LivesInTheTestingAssembly()
    {
        Assert.Equal("CallStream.Kafka.Testing", typeof(InProcessKafkaCluster).Assembly.GetName().Name);
        Assert.Null(typeof(KafkaInteractionSource).Assembly.GetType("CallStream.Kafka.InProcessKafkaCluster"));
    }
}
