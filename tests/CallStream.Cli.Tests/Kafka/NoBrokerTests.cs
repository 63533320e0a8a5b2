using CallStream.Testing.Network;

namespace CallStream.Cli.Tests.Kafka;

/// <summary><c>produce</c> and <c>consume</c> pointed at a port where no broker listens: one clear failure, exit code 1.</summary>
public sealed class NoBrokerTests : IDisposable
{
    private readonly KafkaCliFiles _files = new();

    [Fact]
    public async Task Produce_WithNoBrokerListening_FailsWith1_InOneLineNamingTheServers()
    {
        string csv = await _files.GenerateAsync(50);
        string servers = "127.0.0.1:" + LoopbackPorts.Closed();

        var result = await RunWithinAsync(["produce", "--input", csv, "--kafka", servers]);

        AssertOneClearFailure(result, "produce", servers);
        Assert.DoesNotContain(" produced to ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consume_WithNoBrokerListening_FailsWith1_InOneLineNamingTheServers_DespiteIdleExit()
    {
        string servers = "127.0.0.1:" + LoopbackPorts.Closed();

        var result = await RunWithinAsync(["consume", "--kafka", servers, "--idle-exit", "1s", "--alerts", _files.Temp(".ndjson")]);

        AssertOneClearFailure(result, "consume", servers);
        Assert.DoesNotContain("messages consumed", result.Out, StringComparison.Ordinal);
    }

    public void Dispose() => _files.Dispose();

    /// <summary>Runs the tool; a run that does not end within a generous bound fails the test instead of hanging it.</summary>
    private static async Task<CliResult> RunWithinAsync(string[] args)
    {
        var run = CliRunner.RunAsync(args);
        await run.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        return await run;
    }

    private static void AssertOneClearFailure(CliResult result, string command, string servers)
    {
        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var failure = Assert.Single(result.Error.Split('\n'), line => line.StartsWith("callstream " + command + ":", StringComparison.Ordinal));
        Assert.Contains("no Kafka broker answered at " + servers + " within ", failure, StringComparison.Ordinal);
        Assert.Contains("Connection refused", failure, StringComparison.Ordinal);
        Assert.True(failure.Length < 300, failure);
        // Each client warning at most once, without error-code or property names.
        var warnings = result.Error.Split('\n').Where(line => line.StartsWith(command + ": warning:", StringComparison.Ordinal)).ToList();
        Assert.Equal(warnings.Count, warnings.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain("Local_", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Failures", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(": error:", result.Error, StringComparison.Ordinal);
    }
}
