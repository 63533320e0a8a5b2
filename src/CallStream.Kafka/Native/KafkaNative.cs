using System.Reflection;
using System.Runtime.InteropServices;

namespace CallStream.Kafka.Native;

/// <summary>
/// Loads librdkafka once per process and makes both this assembly and Confluent.Kafka bind to that one copy.
/// </summary>
/// <remarks>
/// <para>
/// Every part of CallStream.Kafka that touches Kafka calls <see cref="EnsureLoaded"/> before its first native or
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

    /// <summary>The librdkafka version the mock cluster bindings are built against, as <c>rd_kafka_version()</c> reports it.</summary>
    internal const int PinnedVersion = 0x021000ff;

    /// <summary>The pinned version as text.</summary>
    internal const string PinnedVersionText = "2.16.0";

    /// <summary>The librdkafka exports the in-process cluster calls; checked before the first call.</summary>
    internal static readonly IReadOnlyList<string> MockSymbols =
    [
        "rd_kafka_version", "rd_kafka_conf_new", "rd_kafka_conf_destroy", "rd_kafka_conf_set",
        "rd_kafka_new", "rd_kafka_destroy",
        "rd_kafka_mock_cluster_new", "rd_kafka_mock_cluster_destroy", "rd_kafka_mock_cluster_bootstraps",
        "rd_kafka_mock_topic_create", "rd_kafka_mock_topic_set_error",
        "rd_kafka_mock_partition_set_leader", "rd_kafka_mock_coordinator_set",
        "rd_kafka_mock_broker_set_down", "rd_kafka_mock_broker_set_up", "rd_kafka_mock_broker_set_rtt",
        "rd_kafka_mock_push_request_errors_array", "rd_kafka_mock_clear_request_errors",
        "rd_kafka_mock_group_initial_rebalance_delay_ms",
        "rd_kafka_mock_start_request_tracking", "rd_kafka_mock_stop_request_tracking",
        "rd_kafka_mock_get_requests", "rd_kafka_mock_clear_requests", "rd_kafka_mock_request_destroy_array",
        "rd_kafka_mock_request_id", "rd_kafka_mock_request_api_key", "rd_kafka_mock_request_timestamp",
    ];

    private static readonly Lock Gate = new();
    private static LoadedLibrary? _loaded;
    private static bool _mockApiVerified;

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

    /// <summary>
    /// Loads librdkafka (see <see cref="EnsureLoaded"/>) and checks that it is the pinned version and exports every
    /// mock-cluster function the in-process cluster calls.
    /// </summary>
    /// <returns>What was loaded.</returns>
    /// <exception cref="DllNotFoundException">No librdkafka build could be loaded.</exception>
    /// <exception cref="PlatformNotSupportedException">The loaded librdkafka is another version or lacks the mock API.</exception>
    internal static LoadedLibrary EnsureMockApi()
    {
        var loaded = EnsureLoaded();
        if (Volatile.Read(ref _mockApiVerified))
            return loaded;

        VerifyMockApi(loaded.Handle, loaded.Path);
        Volatile.Write(ref _mockApiVerified, true);
        return loaded;
    }

    /// <summary>Checks that a loaded library exports every mock-cluster function and is the pinned librdkafka version.</summary>
    /// <param name="handle">The native library handle.</param>
    /// <param name="path">Where it was loaded from, for the message.</param>
    /// <exception cref="PlatformNotSupportedException">It lacks a function or is another version; the message says which and what to do.</exception>
    internal static unsafe void VerifyMockApi(nint handle, string path)
    {
        var missing = MockSymbols.Where(name => !NativeLibrary.TryGetExport(handle, name, out _)).ToList();
        if (missing.Count > 0)
        {
            throw new PlatformNotSupportedException(
                $"The librdkafka loaded from '{path}' does not export the mock-cluster API the in-process Kafka " +
                $"cluster needs (missing: {string.Join(", ", missing)}). CallStream.Kafka is built against librdkafka " +
                $"{PinnedVersionText} (package librdkafka.redist {PinnedVersionText}); the mock API is not ABI-stable " +
                "across versions, so reference exactly that version.");
        }

        var version = ((delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "rd_kafka_version"))();
        CheckVersion(version, path);
    }

    /// <summary>Checks a <c>rd_kafka_version()</c> value against the pinned version (major, minor and revision; the
    /// pre-release byte is ignored).</summary>
    /// <param name="version">The version as 0xMMmmrrxx.</param>
    /// <param name="path">Where the library was loaded from, for the message.</param>
    /// <exception cref="PlatformNotSupportedException">It is another version.</exception>
    internal static void CheckVersion(int version, string path)
    {
        if ((version & ~0xff) == (PinnedVersion & ~0xff))
            return;
        throw new PlatformNotSupportedException(
            $"The librdkafka loaded from '{path}' is version {(version >> 24) & 0xff}.{(version >> 16) & 0xff}." +
            $"{(version >> 8) & 0xff}, but the in-process Kafka cluster is built against {PinnedVersionText}: " +
            $"librdkafka's mock API is not ABI-stable, so reference librdkafka.redist {PinnedVersionText} exactly.");
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
                $"Reference the librdkafka.redist {PinnedVersionText} package.");
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
