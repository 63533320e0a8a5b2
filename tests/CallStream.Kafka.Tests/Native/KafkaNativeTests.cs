using System.Runtime.InteropServices;
using CallStream.Kafka.Native;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Native;

/// <summary>Loading librdkafka once and binding this package and Confluent.Kafka to that one copy.</summary>
public sealed class KafkaNativeTests
{
    [Fact]
    public void EnsureLoaded_CalledConcurrently_LoadsOnceAndReturnsTheSameLibrary()
    {
        var results = new KafkaNative.LoadedLibrary[16];
        Parallel.For(0, results.Length, i => results[i] = KafkaNative.EnsureLoaded());

        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.NotEqual(0, results[0].Handle);
    }

    [Fact]
    public void EnsureLoaded_OnLinux_LoadsARedistBuildAndRoutesConfluentToIt()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Skip("The redist file probing and Confluent.Kafka resolver are Linux-only.");

        var loaded = KafkaNative.EnsureLoaded();

        Assert.Contains(Path.GetFileName(loaded.Path), LibrdkafkaCandidates.LinuxFileNames);
        Assert.True(File.Exists(loaded.Path), loaded.Path);
        Assert.True(loaded.ConfluentResolverInstalled);
        Assert.Equal(MockNative.PinnedVersion, Library.Version);
        Assert.Equal(MockNative.PinnedVersionText, Library.VersionString);
    }

    [Fact]
    public void ClusterAndConfluentClients_ShareOneMappedCopyOfLibrdkafka()
    {
        if (!File.Exists("/proc/self/maps"))
            Assert.Skip("Needs /proc/self/maps (Linux) to list the mapped native libraries.");

        using var cluster = InProcessKafkaCluster.Start(1);
        using var producer = new ProducerBuilder<Null, string>(cluster.CreateProducerConfig()).SetLogHandler((_, _) => { }).Build();
        using var consumer = new ConsumerBuilder<Null, string>(cluster.CreateConsumerConfig("g")).SetLogHandler((_, _) => { }).Build();

        var mapped = File.ReadAllLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].Contains("librdkafka", StringComparison.Ordinal))
            .Select(fields => fields[5].Trim())
            .Distinct()
            .ToList();

        var only = Assert.Single(mapped);
        Assert.Equal(Path.GetFullPath(KafkaNative.EnsureLoaded().Path), only);
    }

    [Fact]
    public void EnsureMockApi_TheShippedLibrary_ExportsEveryMockFunctionAndIsThePinnedVersion()
    {
        var loaded = MockNative.EnsureMockApi();

        Assert.All(MockNative.MockSymbols, name => Assert.True(NativeLibrary.TryGetExport(loaded.Handle, name, out _), name));
        Assert.Same(loaded, MockNative.EnsureMockApi());
    }

    [Fact]
    public void VerifyMockApi_LibraryWithoutTheMockApi_SaysWhatIsMissingAndWhichVersionToUse()
    {
        if (!OperatingSystem.IsLinux())
            Assert.Skip("Uses the C library of Linux as a library without librdkafka's exports.");

        var libc = NativeLibrary.Load("libc.so.6");
        try
        {
            var ex = Assert.Throws<PlatformNotSupportedException>(() => MockNative.VerifyMockApi(libc, "libc.so.6"));
            Assert.Contains("libc.so.6", ex.Message, StringComparison.Ordinal);
            Assert.Contains("rd_kafka_mock_cluster_new", ex.Message, StringComparison.Ordinal);
            Assert.Contains("librdkafka.redist 2.16.0", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            NativeLibrary.Free(libc);
        }
    }

    [Theory]
    [InlineData(0x021000ff)]
    [InlineData(0x02100000)]
    public void CheckVersion_PinnedVersion_Passes(int version) => MockNative.CheckVersion(version, "x");

    [Theory]
    [InlineData(0x020c01ff, "2.12.1")]
    [InlineData(0x021001ff, "2.16.1")]
    [InlineData(0x031000ff, "3.16.0")]
    public void CheckVersion_OtherVersion_ThrowsNamingBoth(int version, string text)
    {
        var ex = Assert.Throws<PlatformNotSupportedException>(() => MockNative.CheckVersion(version, "/x/librdkafka.so"));
        Assert.Contains(text, ex.Message, StringComparison.Ordinal);
        Assert.Contains("2.16.0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/x/librdkafka.so", ex.Message, StringComparison.Ordinal);
    }
}
