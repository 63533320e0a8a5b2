using System.Text.RegularExpressions;

namespace CallStream.Cli.Tests;

/// <summary>The tool's README, which is also its NuGet page.</summary>
public partial class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(FindRepositoryRoot(), "src", "CallStream.Cli", "README.md"));

    [Fact]
    public void CommandTable_IsOneTableWithARowForEveryCommand()
    {
        var lines = Readme.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int header = lines.FindIndex(l => l.StartsWith("| command |", StringComparison.Ordinal));
        Assert.True(header >= 0, "the README has no command table");
        var rows = lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).ToList();

        var root = CliApplication.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System));
        foreach (var command in root.Subcommands)
            Assert.Contains(rows, r => r.StartsWith($"| `{command.Name}", StringComparison.Ordinal));
    }

    [Fact]
    public void Links_AreAbsolute_SoTheyOpenOnTheNuGetPage()
    {
        var relative = LinkTarget().Matches(Readme).Select(m => m.Groups[1].Value)
            .Where(target => !target.StartsWith("https://", StringComparison.Ordinal) && !target.StartsWith("http://", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(relative);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "src", "CallStream.Cli", "README.md")))
                return directory.FullName;
        }
        throw new InvalidOperationException("The repository root (with src/CallStream.Cli/README.md) is not above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\]\(([^)\s]+)[^)]*\)")]
    private static partial Regex LinkTarget();
}
