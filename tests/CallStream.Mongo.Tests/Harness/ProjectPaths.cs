using System.Reflection;

namespace CallStream.Mongo.Tests.Harness;

/// <summary>Paths in the test project's source folder (golden files, the mingo runner).</summary>
internal static class ProjectPaths
{
    public static string ProjectDirectory { get; } =
        typeof(ProjectPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!;

    public static string Golden(string name) => Path.Combine(ProjectDirectory, "Golden", name + ".json");

    public static string MingoDirectory => Path.Combine(ProjectDirectory, "Mingo");
}
