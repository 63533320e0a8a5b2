using System.CommandLine;
using CallStream.Cli.Commands;
using Microsoft.Extensions.Time.Testing;

namespace CallStream.Cli.Tests.Commands;

public class CommandActionTests
{
    private static async Task<(int ExitCode, string Error)> RunAsync(Func<CancellationToken, Task<int>> work, CancellationToken? cancellationToken = null)
    {
        var error = new StringWriter();
        var context = new CliContext(TextWriter.Null, error, new FakeTimeProvider());
        var command = new Command("probe");
        CommandAction.Set(command, context, (_, ct) => work(ct));
        int exitCode = await command.Parse([]).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancellationToken ?? TestContext.Current.CancellationToken);
        return (exitCode, error.ToString());
    }

    [Fact]
    public async Task Success_ReturnsTheCommandsExitCode()
    {
        var (exitCode, error) = await RunAsync(_ => Task.FromResult(0));
        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
    }

    [Fact]
    public async Task InvalidInput_ExitsWithTwoAndTheMessage()
    {
        var (exitCode, error) = await RunAsync(_ => throw CliException.InvalidInput("--x must be positive."));
        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Equal("callstream probe: --x must be positive.\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Failure_ExitsWithOneAndTheMessage()
    {
        var (exitCode, error) = await RunAsync(_ => throw CliException.Failure("cannot reach kafka:9092."));
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("callstream probe: cannot reach kafka:9092.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IOException_ExitsWithOne()
    {
        var (exitCode, error) = await RunAsync(_ => throw new IOException("Access to the path '/x' is denied."));
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("'/x'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnexpectedException_ExitsWithOneWithoutAStackTrace()
    {
        var (exitCode, error) = await RunAsync(_ => throw new InvalidOperationException("boom"));
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal("callstream probe: unexpected error (InvalidOperationException): boom\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Cancelled_ExitsWithOne()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var (exitCode, error) = await RunAsync(ct => Task.FromException<int>(new OperationCanceledException(ct)), cts.Token);
        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("cancelled", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_ChecksArguments()
    {
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        Assert.Throws<ArgumentNullException>(() => CommandAction.Set(null!, context, (_, _) => Task.FromResult(0)));
        Assert.Throws<ArgumentNullException>(() => CommandAction.Set(new Command("x"), null!, (_, _) => Task.FromResult(0)));
        Assert.Throws<ArgumentNullException>(() => CommandAction.Set(new Command("x"), context, null!));
    }
}
