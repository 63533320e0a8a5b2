using System.CommandLine;

namespace CallStream.Cli.Commands;

/// <summary>
/// Runs a command's work and turns its failures into the tool's exit codes: <see cref="CliException"/> by its own code,
/// I/O and permission errors and anything unexpected as 1, each as one <c>callstream COMMAND: message</c> line on
/// standard error.
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
                return await run(parseResult, cancellationToken).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                await context.Error.WriteLineAsync($"{name}: {e.Message}").ConfigureAwait(false);
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await context.Error.WriteLineAsync($"{name}: cancelled.").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"{name}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
#pragma warning disable CA1031 // The tool's last line of defence: report anything unexpected as a failure, never a stack dump.
            catch (Exception e)
#pragma warning restore CA1031
            {
                await context.Error.WriteLineAsync($"{name}: unexpected error ({e.GetType().Name}): {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
    }
}
