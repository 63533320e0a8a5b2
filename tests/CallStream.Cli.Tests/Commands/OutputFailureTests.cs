using System.Diagnostics;
using System.Text;
using CallStream.Cli.Output;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Cli.Tests.Commands;

/// <summary>
/// A write that fails (a full disk, a closed pipe) is never reported as success: exit code 1, one line
/// <c>callstream COMMAND: cannot write OUTPUT: reason</c>, and no summary; standard output closed by its reader ends
/// the command quietly, with exit code 1 as well.
/// </summary>
public sealed class OutputFailureTests : IDisposable
{
    /// <summary>A device where every write fails with "No space left on device": /dev/full, or the one named by
    /// CALLSTREAM_TEST_FULL_DEVICE (where /dev/full is missing, `mknod PATH c 1 7` makes one); null when there is none.</summary>
    private static readonly string? Full = FindFullDevice();
    private const string Header = "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region";

    private readonly TempFiles _files = new();

    public static TheoryData<string> FailingWrites => ["write", "flush"];

    [Fact]
    public async Task Replay_RejectsToAFullDisk_FailsNamingTheRejectsFile_WithoutASummary()
    {
        Assert.SkipWhen(Full is null, "needs /dev/full (Linux)");
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 2));

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--rejects", Full!]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"callstream replay: cannot write --rejects '{Full!}': No space left on device", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("rows read", result.Out + result.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Full)); // a device is never removed as an incomplete file
    }

    [Fact]
    public async Task Replay_AlertsToAFullDisk_FailsNamingTheAlertsFile_WithoutASummary()
    {
        Assert.SkipWhen(Full is null, "needs /dev/full (Linux)");
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 0, longCalls: true));

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--alerts", Full!]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"callstream replay: cannot write --alerts '{Full!}': No space left on device", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("rows read", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FailingWrites))]
    public async Task Replay_AlertsToAFailingStandardOutput_FailsNamingStandardOutput_WithoutASummary(string failOn)
    {
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 0, longCalls: true));

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--alerts", "-"], output: new FailingWriter(failOn));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("callstream replay: cannot write standard output: disk full\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [MemberData(nameof(FailingWrites))]
    public async Task Replay_AlertsToAFailingStandardOutputStream_FailsNamingStandardOutput_WithoutASummary(string failOn)
    {
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 0, longCalls: true));
        using var stream = new FailingStream(failOn, new IOException("disk full"));
        var stderr = new StringWriter();
        var context = new CliContext(new StreamWriter(stream), stderr, new FakeTimeProvider()) { OutStream = stream };

        int exitCode = await CliApplication.RunAsync(["replay", "--input", input, "--alerts", "-"], context, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal("callstream replay: cannot write standard output: disk full\n", stderr.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Replay_AlertsToAClosedPipe_EndsQuietlyWithExitCodeOne()
    {
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 0, longCalls: true));

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--alerts", "-"], output: new FailingWriter("write", BrokenPipe()));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("", result.Error); // the reader went away on purpose: no error, and no summary either
    }

    [Fact]
    public async Task Replay_SummaryToAFailingStandardOutput_FailsNamingStandardOutput()
    {
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 0));

        var result = await CliRunner.RunAsync(["replay", "--input", input], output: new FailingWriter("flush"));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("callstream replay: cannot write standard output: disk full\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--json")]
    public async Task Report_ToAFullDisk_FailsNamingTheFile_WithoutASummary(string option)
    {
        Assert.SkipWhen(Full is null, "needs /dev/full (Linux)");
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 0));
        string[] args = option == "--output"
            ? ["report", "--input", input, "--output", Full!]
            : ["report", "--input", input, "--output", _files.Path(".html"), "--json", Full!];

        var result = await CliRunner.RunAsync(args);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"callstream report: cannot write {option} '{Full!}': No space left on device", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("report: 3 rows read", result.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Full)); // a device is never removed as an incomplete file
    }

    [Fact]
    public async Task Replay_ReportToAFullDisk_FailsNamingTheFile_WithoutTheReportSummary()
    {
        Assert.SkipWhen(Full is null, "needs /dev/full (Linux)");
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 0));

        var result = await CliRunner.RunAsync(["replay", "--input", input, "--report", Full!]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"callstream replay: cannot write --report '{Full!}': No space left on device", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("replay: report:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_ToAFullDisk_FailsNamingTheFile_AndLeavesTheDeviceAlone()
    {
        Assert.SkipWhen(Full is null, "needs /dev/full (Linux)");

        var result = await CliRunner.RunAsync(["generate", "--rows", "10", "--output", Full!]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"callstream generate: cannot write --output '{Full!}' after ", result.Error, StringComparison.Ordinal);
        Assert.Contains("No space left on device", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("interactions to", result.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Full)); // a device is never removed as an incomplete file
    }

    [Theory]
    [MemberData(nameof(FailingWrites))]
    public async Task Generate_ToAFailingStandardOutput_FailsWithoutASummary(string failOn)
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "10", "--output", "-"], output: new FailingWriter(failOn));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("callstream generate: cannot write standard output after ", result.Error, StringComparison.Ordinal);
        Assert.Contains("rows: disk full", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("interactions to", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_ToAClosedPipe_EndsQuietlyWithExitCodeOne()
    {
        var result = await CliRunner.RunAsync(["generate", "--rows", "10", "--output", "-"], output: new FailingWriter("write", BrokenPipe()));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("", result.Error);
    }

    [Theory]
    [MemberData(nameof(FailingWrites))]
    public async Task Check_ToAFailingStandardOutput_FailsWithoutSayingTheRulesAreValid(string failOn)
    {
        var result = await CliRunner.RunAsync(["check", "--rules", "default"], output: new FailingWriter(failOn));

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("callstream check: cannot write standard output: disk full\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Help_ToAFailingStandardOutput_FailsWithExitCodeOne()
    {
        var failing = await CliRunner.RunAsync(["replay", "--help"], output: new FailingWriter("write"));
        var closed = await CliRunner.RunAsync(["replay", "--help"], output: new FailingWriter("write", BrokenPipe()));

        Assert.Equal(ExitCodes.Failure, failing.ExitCode);
        Assert.Contains("cannot write standard output: disk full", failing.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, closed.ExitCode);
        Assert.Equal("", closed.Error);
    }

    [Fact]
    public async Task Consume_AlertsToAFullDisk_FailsNamingTheAlertsFile_WithoutASummary()
    {
        Assert.SkipWhen(Full is null, "needs /dev/full (Linux)");
        await using var cluster = CallStream.Kafka.InProcessKafkaCluster.Start(1);
        cluster.CreateTopic(CallStream.Kafka.KafkaSinkOptions.DefaultInteractionsTopic, 1);
        using var files = new Kafka.KafkaCliFiles();
        string csv = await files.GenerateAsync(3000);
        await Kafka.KafkaCliFiles.ProduceAsync(cluster, csv, 3000);

        var result = await CliRunner.RunAsync(["consume", "--kafka", cluster.BootstrapServers, "--group", "full", "--alerts", Full!, "--idle-exit", "1s"]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.True(result.Error.Contains($"callstream consume: cannot write --alerts '{Full!}': No space left on device (after ", StringComparison.Ordinal), result.Error);
        Assert.DoesNotContain("messages consumed", result.Out, StringComparison.Ordinal);
        // Only what needed no alert stored may be committed: the rest is consumed again by the next run.
        Assert.True(Kafka.KafkaCliFiles.CountCommitted(cluster, CallStream.Kafka.KafkaSinkOptions.DefaultInteractionsTopic, 1, "full") < 3000);
    }

    [Fact]
    public async Task Process_RejectsToAFullDisk_ExitsWithOneAndNoSummary()
    {
        Assert.SkipWhen(Full is null, "needs /dev/full (Linux)");
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 2));

        var (exitCode, output, error) = await RunProcessAsync(["replay", "--input", input, "--rejects", Full!]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains($"callstream replay: cannot write --rejects '{Full!}': No space left on device", error, StringComparison.Ordinal);
        Assert.DoesNotContain("rows read", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_AlertsToStandardOutputOnAFullDisk_ExitsWithOneAndNoSummary()
    {
        Assert.SkipWhen(Full is null || !File.Exists("/bin/sh"), "needs /dev/full and /bin/sh (Linux)");
        string input = _files.Write(".csv", Log(goodRows: 3, badRows: 0, longCalls: true));
        string dll = Path.Combine(AppContext.BaseDirectory, "CallStream.Cli.dll");

        var (exitCode, _, error) = await RunProcessAsync(
            ["-c", "exec \"$0\" \"$1\" replay --input \"$2\" --alerts - > \"$3\"", DotnetHost(), dll, input, Full!], fileName: "/bin/sh");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("callstream replay: cannot write standard output: No space left on device", error, StringComparison.Ordinal);
        Assert.DoesNotContain("rows read", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_StandardOutputClosedByItsReader_EndsQuietlyWithExitCodeOneAndNoSummary()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "a closed pipe is EPIPE on Linux and macOS");
        var start = StartInfo(["generate", "--rows", "200000", "--output", "-"]);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

        string? first = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken);
        process.StandardOutput.Close(); // as `| head -1` does
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.StartsWith("interaction_id,", first, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, process.ExitCode);
        string errors = await error;
        Assert.DoesNotContain("interactions to standard output", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("callstream generate:", errors, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();

    private static string Log(int goodRows, int badRows, bool longCalls = false)
    {
        var log = new StringBuilder(Header).Append('\n');
        for (int i = 0; i < goodRows; i++)
            log.Append($"g{i},c{i},a1,voice,2024-03-01T09:{i % 60:00}:00Z,{(longCalls ? 4000 : 60)},resolved,4,north\n");
        for (int i = 0; i < badRows; i++)
            log.Append($"b{i},c{i},a1,fax,2024-03-01T10:{i % 60:00}:00Z,60,resolved,4,north\n");
        return log.ToString();
    }

    private static string? FindFullDevice()
    {
        foreach (string? path in new[] { Environment.GetEnvironmentVariable("CALLSTREAM_TEST_FULL_DEVICE"), "/dev/full" })
        {
            if (string.IsNullOrEmpty(path) || !File.Exists(path))
                continue;
            try
            {
                using var device = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
                device.WriteByte(0);
                device.Flush();
            }
            catch (IOException)
            {
                return path;
            }
        }
        return null;
    }

    private static IOException BrokenPipe() =>
        new("Broken pipe", OperatingSystem.IsWindows() ? unchecked((int)0x8007006D) : 32);

    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments, string? fileName = null)
    {
        var start = new ProcessStartInfo(fileName ?? DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (fileName is null)
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CallStream.Cli.dll"));
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment.Remove(CliContext.KafkaVariable);
        start.Environment.Remove(CliContext.MongoVariable);
        return start;
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunProcessAsync(IEnumerable<string> arguments, string? fileName = null)
    {
        using var process = Process.Start(StartInfo(arguments, fileName))!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Standard output that fails on every write, or only when flushed.</summary>
    private sealed class FailingWriter(string failOn, IOException? failure = null) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Fail("write");

        public override void Write(char[] buffer, int index, int count) => Fail("write");

        public override void Flush() => Fail("flush");

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Fail("flush");
            return Task.CompletedTask;
        }

        public override string ToString() => string.Empty;

        private void Fail(string operation)
        {
            if (operation == failOn)
                throw failure ?? new IOException("disk full");
        }
    }

    /// <summary>Standard output as bytes that fails on every write, or only when flushed.</summary>
    private sealed class FailingStream(string failOn, IOException failure) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
            if (failOn == "flush")
                throw failure;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (failOn == "write")
                throw failure;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
