using System.Reflection;
using System.Runtime.InteropServices;

namespace CallStream.Kafka.Native;

/// <summary>
/// Loads librdkafka once per process and makes both this assembly and Confluent.Kafka bind to that one copy.
/// </summary>
/// <remarks>
/// <para>
/// Every part of CallStream.Kafka that touches Kafka (and CallStream.Kafka.Testing's in-process cluster) calls <see cref="EnsureLoaded"/> before its first native or
/// Confluent.Kafka call. On Linux it finds librdkafka.redist's native builds (see <see cref="LibrdkafkaCandidates"/>),
/// loads the first one that the system can load, and installs a <see cref="NativeLibrary.SetDllImportResolver"/>
/// on this assembly and on Confluent.Kafka's that resolves <c>librdkafka</c> (and the <c>centos8-</c>/<c>alpine-</c>
/// names Confluent.Kafka falls back to) to that handle. Confluent.Kafka's own <c>Library.Load(path)</c> is not used:
/// it looks for <c>libdl.so</c>, which Debian 12 does not have.
/// </para>
/// <para>
/// On other platforms, or when no redist file is found, Confluent.Kafka keeps its default resolution and this
/// assembly binds to whatever the runtime resolves for Confluent.Kafka's assembly, so there is still one copy.
/// </para>
/// <para>Thread-safe and idempotent: the first call does the work, later calls return the same result.</para>
/// </remarks>
internal static class KafkaNative
{
    /// <summary>The library name P/Invoke declarations use.</summary>
    internal const string LibraryName = "librdkafka";

    private static readonly Lock Gate = new();
    private static LoadedLibrary? _loaded;

    /// <summary>Loads librdkafka and installs the resolvers, once; later calls return at once.</summary>
    /// <returns>What was loaded, and from where.</returns>
    /// <exception cref="DllNotFoundException">No librdkafka build could be loaded; the message lists what was tried and why it failed.</exception>
    internal static LoadedLibrary EnsureLoaded()
    {
        var loaded = Volatile.Read(ref _loaded);
        if (loaded is not null)
            return loaded;

        lock (Gate)
        {
            if (_loaded is null)
                Volatile.Write(ref _loaded, Load());
            return _loaded;
        }
    }

    private static LoadedLibrary Load()
    {
        var confluent = typeof(Confluent.Kafka.Library).Assembly;
        var ours = typeof(KafkaNative).Assembly;

        var failures = new List<string>();
        if (OperatingSystem.IsLinux() && TryLoadRedistFile(confluent, failures, out var handle, out var path))
        {
            var resolver = new Resolver(handle);
            NativeLibrary.SetDllImportResolver(ours, resolver.Resolve);
            var confluentBound = TrySetResolver(confluent, resolver.Resolve);
            return new LoadedLibrary(handle, path, ConfluentResolverInstalled: confluentBound);
        }

        if (failures.Count > 0)
        {
            throw new DllNotFoundException(
                "Could not load librdkafka from the librdkafka.redist files found: " + string.Join("; ", failures) +
                ". On Linux the centos8-librdkafka.so build only needs glibc; the plain librdkafka.so also needs libsasl2.so.3.");
        }

        // Elsewhere (Windows, macOS, or a Linux layout without the redist files): let the runtime resolve the name as
        // it would for Confluent.Kafka, and bind this assembly to the very same handle.
        if (!NativeLibrary.TryLoad(LibraryName, confluent, searchPath: null, out var fallback))
        {
            throw new DllNotFoundException(
                $"Could not load librdkafka: no librdkafka.redist native file was found next to the application or " +
                $"Confluent.Kafka ({RuntimeInformation.RuntimeIdentifier}), and the runtime could not resolve '{LibraryName}'. " +
                "Reference the librdkafka.redist package (Confluent.Kafka brings it).");
        }

        NativeLibrary.SetDllImportResolver(ours, new Resolver(fallback).Resolve);
        return new LoadedLibrary(fallback, LibraryName, ConfluentResolverInstalled: false);
    }

    private static bool TryLoadRedistFile(Assembly confluent, List<string> failures, out nint handle, out string path)
    {
        var roots = new List<string?> { AppContext.BaseDirectory, Path.GetDirectoryName(confluent.Location) };
        roots.AddRange(LibrdkafkaCandidates.SplitSearchDirectories(AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES")));
        var rid = LibrdkafkaCandidates.LinuxRuntimeIdentifier(RuntimeInformation.ProcessArchitecture);
        var directories = LibrdkafkaCandidates.Directories(roots, rid);

        foreach (var candidate in LibrdkafkaCandidates.Files(directories))
        {
            if (!File.Exists(candidate))
                continue;
            try
            {
                handle = NativeLibrary.Load(candidate);
                path = candidate;
                return true;
            }
            catch (DllNotFoundException ex)
            {
                failures.Add($"{candidate}: {ex.Message}");
            }
            catch (BadImageFormatException ex)
            {
                failures.Add($"{candidate}: {ex.Message}");
            }
        }

        handle = 0;
        path = string.Empty;
        return false;
    }

    private static bool TrySetResolver(Assembly assembly, DllImportResolver resolver)
    {
        try
        {
            NativeLibrary.SetDllImportResolver(assembly, resolver);
            return true;
        }
        catch (InvalidOperationException)
        {
            // The application installed its own resolver for Confluent.Kafka first; keep it. If it resolves to the same
            // file, the loader still maps a single copy.
            return false;
        }
    }

    /// <summary>Resolves librdkafka's names to one loaded handle; anything else goes to the default resolution.</summary>
    private sealed class Resolver(nint handle)
    {
        public nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
            libraryName is LibraryName or "centos8-librdkafka" or "alpine-librdkafka"
                || libraryName.StartsWith("librdkafka.", StringComparison.Ordinal)
                ? handle
                : 0;
    }

    /// <summary>The librdkafka handle the process uses.</summary>
    /// <param name="Handle">The native library handle.</param>
    /// <param name="Path">The file it was loaded from, or the library name when the runtime resolved it.</param>
    /// <param name="ConfluentResolverInstalled">Whether Confluent.Kafka's imports are routed to this handle by this class.</param>
    internal sealed record LoadedLibrary(nint Handle, string Path, bool ConfluentResolverInstalled);
}
