using System.Text.RegularExpressions;

namespace CallStream.Samples.Tests;

/// <summary>
/// The repository's Markdown documents as a reader meets them: in a fresh clone every relative link opens a file of
/// the clone, and a package README (the page NuGet shows) links only to what a NuGet user can open.
/// </summary>
public sealed partial class DocumentationTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(SampleProcess.SamplesDirectory, ".."));

    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string>();
        foreach (string path in Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
            .Where(p => !p.Split('/').Any(part => part is "bin" or "obj" or "node_modules" or "artifacts" or "TestResults" or "BenchmarkDotNet.Artifacts" or "callstream-demo" or "callstream-samples" || part.StartsWith('.')))
            .Order(StringComparer.Ordinal))
        {
            documents.Add(path);
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void RelativeLinks_OpenAFileInsideTheRepository(string document)
    {
        string directory = Path.GetDirectoryName(Path.Combine(Root, document))!;
        foreach (string target in RelativeTargets(document))
        {
            string full = Path.GetFullPath(Path.Combine(directory, target));
            Assert.True(full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"{document}: the link '{target}' leaves the repository");
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{document}: the link '{target}' opens nothing");
        }
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void PackageReadme_LinksOnlyToAddressesOrAnchors(string document)
    {
        // Relative links do not resolve on the package's NuGet page.
        if (!PackageReadme().IsMatch(document))
            return;
        Assert.Empty(RelativeTargets(document));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Tables_HaveNoBlankLineBetweenRows(string document)
    {
        // A blank line ends a Markdown table: the rows after it render as raw text.
        string[] lines = File.ReadAllLines(Path.Combine(Root, document));
        bool inCode = false;
        for (int i = 1; i + 1 < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                inCode = !inCode;
            if (!inCode && lines[i].Trim().Length == 0 && lines[i - 1].StartsWith('|') && lines[i + 1].StartsWith('|'))
                Assert.Fail($"{document}:{i + 1}: a blank line inside a table");
        }
    }

    private static IEnumerable<string> RelativeTargets(string document)
    {
        string text = File.ReadAllText(Path.Combine(Root, document));
        text = CodeBlock().Replace(text, string.Empty);
        return Link().Matches(text).Select(m => m.Groups["target"].Value.Split('#')[0])
            .Where(t => t.Length > 0 && !t.Contains("://", StringComparison.Ordinal) && !t.StartsWith("mailto:", StringComparison.Ordinal))
            .ToList();
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^src/[^/]+/README\.md$")]
    private static partial Regex PackageReadme();
}
