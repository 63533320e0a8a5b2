using System.Runtime.InteropServices;

namespace CallStream.Kafka.Native;

/// <summary>
/// Lists, in the order to try them, the files that may hold librdkafka for the running Linux process.
/// </summary>
/// <remarks>
/// librdkafka.redist ships three Linux builds per architecture: <c>librdkafka.so</c> (glibc, linked against
/// <c>libsasl2.so.3</c>, which Debian does not have), <c>centos8-librdkafka.so</c> (glibc, no SASL/GSSAPI
/// dependency) and <c>alpine-librdkafka.so</c> (musl). They are tried in that order, the way Confluent.Kafka
/// itself falls back; the first one that loads wins.
/// </remarks>
internal static class LibrdkafkaCandidates
{
    /// <summary>The file names of the Linux builds, in the order they are tried.</summary>
    internal static readonly IReadOnlyList<string> LinuxFileNames =
        ["librdkafka.so", "centos8-librdkafka.so", "alpine-librdkafka.so"];

    /// <summary>Gets the runtime identifier folder name of the redist package for a Linux process architecture.</summary>
    /// <param name="architecture">The process architecture.</param>
    /// <returns>For example <c>linux-x64</c> or <c>linux-arm64</c>.</returns>
    internal static string LinuxRuntimeIdentifier(Architecture architecture) =>
        "linux-" + architecture.ToString().ToLowerInvariant();

    /// <summary>
    /// Lists the directories to search: each root's <c>runtimes/{rid}/native</c> folder (where a framework-dependent
    /// build puts native assets), then the root itself (where a RID-specific publish puts them).
    /// </summary>
    /// <param name="roots">The application and Confluent.Kafka assembly directories and the runtime's native
    /// search directories, in order of preference; blanks are skipped.</param>
    /// <param name="runtimeIdentifier">The RID folder name, for example <c>linux-x64</c>.</param>
    /// <returns>The distinct directories, in order.</returns>
    internal static IReadOnlyList<string> Directories(IEnumerable<string?> roots, string runtimeIdentifier)
    {
        var nested = new List<string>();
        var flat = new List<string>();
        foreach (var root in roots)
        {
            if (string.IsNullOrWhiteSpace(root))
                continue;
            var full = Path.GetFullPath(root);
            nested.Add(Path.Combine(full, "runtimes", runtimeIdentifier, "native"));
            flat.Add(full);
        }

        var result = new List<string>();
        foreach (var dir in nested.Concat(flat))
        {
            var normalized = Path.TrimEndingDirectorySeparator(dir);
            if (!result.Contains(normalized, StringComparer.Ordinal))
                result.Add(normalized);
        }

        return result;
    }

    /// <summary>Lists the candidate files: for each file name in order, its path in each directory in order.</summary>
    /// <param name="directories">The directories to search, in order of preference.</param>
    /// <returns>The candidate paths, whether or not they exist.</returns>
    internal static IReadOnlyList<string> Files(IReadOnlyList<string> directories)
    {
        var result = new List<string>(directories.Count * LinuxFileNames.Count);
        foreach (var name in LinuxFileNames)
        {
            foreach (var dir in directories)
                result.Add(Path.Combine(dir, name));
        }

        return result;
    }

    /// <summary>Splits the runtime's <c>NATIVE_DLL_SEARCH_DIRECTORIES</c> value into directories.</summary>
    /// <param name="value">The value as <see cref="AppContext.GetData(string)"/> returns it, or <see langword="null"/>.</param>
    /// <returns>The directories, in order.</returns>
    internal static IEnumerable<string> SplitSearchDirectories(object? value) =>
        value is string text
            ? text.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}
