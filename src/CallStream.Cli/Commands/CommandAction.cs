using System.CommandLine;
using CallStream.Cli.Output;

namespace CallStream.Cli.Commands;

/// <summary>
/// Runs a command's work and turns its failures into the tool's exit codes: <see cref="CliException"/> by its own code,
/// a failed write (<see cref="OutputWriteException"/>), I/O and permission errors and anything unexpected as 1, each as
/// one <c>callstream COMMAND: message</c> line on standard error with its control characters escaped
/// (<see cref="ConsoleText"/>). Standard output is flushed before the command counts as done; standard output closed
/// by its reader ends the command quietly with exit code 1.
/// </summary>
internal static class CommandAction
{
    /// <summary>Sets a command's action.</summary>
    /// <param name="command">The command.</param>
    /// <param name="context">The surroundings the errors are written to.</param>
    /// <param name="run">The work; returns the exit code.</param>
    public static void Set(Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> run)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(run);
        string name = "callstream " + command.Name;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                int exitCode = await run(parseResult, cancellationToken).ConfigureAwait(false);
                await context.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                return exitCode;
            }
            catch (OutputWriteException e) when (e.IsClosedStandardOutput)
            {
                return ExitCodes.Failure; // the reader went away on purpose (| head): nothing to tell, but no success either
            }
            catch (CliException e)
            {
                return await FailAsync(context, name, e.Message, e.ExitCode).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await FailAsync(context, name, "cancelled.", ExitCodes.Failure).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return await FailAsync(context, name, e.Message, ExitCodes.Failure).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The tool's last line of defence: report anything unexpected as a failure, never a stack dump.
            catch (Exception e)
#pragma warning restore CA1031
            {
                return await FailAsync(context, name, $"unexpected error ({e.GetType().Name}): {e.Message}", ExitCodes.Failure).ConfigureAwait(false);
            }
        });
    }

    /// <summary>Writes one error line, <c>NAME: message</c>, escaped; a standard error that cannot be written changes nothing.</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="name">The line's prefix, <c>callstream COMMAND</c>.</param>
    /// <param name="message">What went wrong and where.</param>
    /// <param name="exitCode">The exit code to return.</param>
    /// <returns><paramref name="exitCode"/>.</returns>
    internal static async Task<int> FailAsync(CliContext context, string name, string message, int exitCode)
    {
        try
        {
            await context.Error.WriteLineAsync($"{name}: {ConsoleText.Escape(message)}").ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Standard error is gone as well; the exit code still says it failed.
        }
        return exitCode;
    }
}
