using CallStream.Rules;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace CallStream.Hosting;

/// <summary>
/// Rules read from a rule file (spec rules.md); with <c>reloadOnChange</c>, a file watcher tells the host when the
/// file changes so that it loads it again.
/// </summary>
public sealed class RuleFileSource : IRuleSource, IDisposable
{
    private readonly PhysicalFileProvider? _watcher;
    private readonly string _fileName;

    /// <summary>Creates the source; nothing is read until <see cref="Load"/>.</summary>
    /// <param name="path">The rule file's path, absolute or relative to the working directory.</param>
    /// <param name="reloadOnChange">Whether to watch the file for changes.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or blank.</exception>
    public RuleFileSource(string path, bool reloadOnChange = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _fileName = System.IO.Path.GetFileName(Path);
        if (reloadOnChange)
        {
            string directory = System.IO.Path.GetDirectoryName(Path)!;
            // The watcher needs the directory; a missing one is reported by Load, with the file's path.
            if (Directory.Exists(directory))
                _watcher = new PhysicalFileProvider(directory, Microsoft.Extensions.FileProviders.Physical.ExclusionFilters.None);
        }
    }

    /// <summary>Gets the rule file's full path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public string Name => Path;

    /// <inheritdoc/>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public RuleSet Load() => RuleText.ParseFile(Path).GetRuleSetOrThrow();

    /// <inheritdoc/>
    public IChangeToken? Watch() => _watcher?.Watch(_fileName);

    /// <summary>Stops watching the file.</summary>
    public void Dispose() => _watcher?.Dispose();
}
