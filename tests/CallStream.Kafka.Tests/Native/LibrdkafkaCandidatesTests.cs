using System.Runtime.InteropServices;
using CallStream.Kafka.Native;

namespace CallStream.Kafka.Tests.Native;

/// <summary>Where librdkafka's Linux builds are looked for, and in which order.</summary>
public sealed class LibrdkafkaCandidatesTests
{
    [Theory]
    [InlineData(Architecture.X64, "linux-x64")]
    [InlineData(Architecture.Arm64, "linux-arm64")]
    public void LinuxRuntimeIdentifier_MatchesTheRedistFolders(Architecture architecture, string expected) =>
        Assert.Equal(expected, LibrdkafkaCandidates.LinuxRuntimeIdentifier(architecture));

    [Fact]
    public void Directories_NestedRuntimeFoldersFirst_ThenRoots_WithoutDuplicatesOrBlanks()
    {
        var directories = LibrdkafkaCandidates.Directories(["/app/", null, "/app", " ", "/lib/confluent"], "linux-x64");

        Assert.Equal(
            [
                "/app/runtimes/linux-x64/native",
                "/lib/confluent/runtimes/linux-x64/native",
                "/app",
                "/lib/confluent",
            ],
            directories);
    }

    [Fact]
    public void Files_FullBuildFirst_ThenCentos8_ThenAlpine_EachInEveryDirectory()
    {
        var files = LibrdkafkaCandidates.Files(["/a", "/b"]);

        Assert.Equal(
            [
                "/a/librdkafka.so", "/b/librdkafka.so",
                "/a/centos8-librdkafka.so", "/b/centos8-librdkafka.so",
                "/a/alpine-librdkafka.so", "/b/alpine-librdkafka.so",
            ],
            files);
    }

    [Fact]
    public void SplitSearchDirectories_SplitsOnPathSeparatorAndIgnoresOtherValues()
    {
        var sep = Path.PathSeparator;
        Assert.Equal(["/x", "/y"], LibrdkafkaCandidates.SplitSearchDirectories($"/x{sep}{sep} /y {sep}"));
        Assert.Empty(LibrdkafkaCandidates.SplitSearchDirectories(null));
        Assert.Empty(LibrdkafkaCandidates.SplitSearchDirectories(42));
    }
}
