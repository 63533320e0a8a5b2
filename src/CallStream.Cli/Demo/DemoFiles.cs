using CallStream.Cli.Commands;

namespace CallStream.Cli.Demo;

/// <summary>The files the demo writes.</summary>
internal sealed record DemoFiles(string Directory, string Interactions, string Rules, string Alerts, string Report, string Summary)
{
    /// <summary>Gets the demo's files that already exist (a previous demo's, which this one replaces).</summary>
    public IEnumerable<string> Existing() => new[] { Interactions, Rules, Alerts, Report, Summary }.Where(File.Exists);

    public static DemoFiles Create(string directory)
    {
        CommandFiles.RequireOutputDirectory(directory, "--output");
        try
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CliException.Failure($"--output: cannot create the directory '{directory}': {e.Message}", e);
        }
        return new DemoFiles(
            directory,
            Path.Combine(directory, "interactions.csv"),
            Path.Combine(directory, "default.rules"),
            Path.Combine(directory, "alerts.ndjson"),
            Path.Combine(directory, "report.html"),
            Path.Combine(directory, "summary.json"));
    }
}
