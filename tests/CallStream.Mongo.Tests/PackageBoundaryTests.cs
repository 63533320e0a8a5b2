namespace CallStream.Mongo.Tests;

/// <summary>The MongoDB adapter runs the dashboard's queries from the insights package, without the core runtime.</summary>
public sealed class PackageBoundaryTests
{
    [Fact]
    public void Mongo_ReferencesInsightsAndAbstractions_NotCore()
    {
        Assert.Equal(
            ["CallStream.Abstractions", "CallStream.Insights"],
            typeof(MongoStore).Assembly.GetReferencedAssemblies().Select(name => name.Name!)
                .Where(name => name.StartsWith("CallStream", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }
}
