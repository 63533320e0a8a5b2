using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using CallStream.Cli.Commands;
using CallStream.Cli.Output;
using CallStream.Cli.Redaction;

namespace CallStream.Cli;

/// <summary>
/// The <c>callstream</c> tool: its root command with every working command registered, and the run that parses the
/// arguments, reports invalid ones with exit code 2, and invokes the chosen command.
/// </summary>
internal static class CliApplication
{
    /// <summary>Builds the root command with its subcommands.</summary>
    /// <param name="context">The surroundings the commands run in.</param>
    /// <returns>The root command.</returns>
    /// <remarks>
    /// A plain command named <c>callstream</c> rather than a <see cref="RootCommand"/>, whose name would be the
    /// executable's file name (<c>CallStream.Cli</c> when run as a tool or with <c>dotnet run</c>).
    /// </remarks>
    public static Command CreateRootCommand(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var root = new Command(
            "callstream",
            "Real-time analytics of customer-service interactions: run the demo, generate sample logs, replay them through alert rules, check rule files, "
            + "produce to and consume from Kafka, render the insights report. "
            + "Exit codes: 0 success, 1 failure at run time, 2 invalid input.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Add(DemoCommand.Create(context));
        root.Add(GenerateCommand.Create(context));
        root.Add(ReplayCommand.Create(context));
        root.Add(CheckCommand.Create(context));
        root.Add(ReportCommand.Create(context));
        root.Add(ProduceCommand.Create(context));
        root.Add(ConsumeCommand.Create(context));
        return root;
    }

    /// <summary>Parses the arguments and runs the chosen command.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="context">The surroundings: output, error, clock, environment.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The exit code (<see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        // Every line of the run passes one redactor that knows its secrets before anything is parsed or written:
        // standard error always; standard output where it carries only messages (produce and consume write no data
        // there, and are the commands that take secrets; the others' output is data and is passed on as it is).
        var redactor = OutputRedactor.ForRun(args, context.GetRawEnvironmentVariable);
        var outer = context;
        var error = new RedactingWriter(context.Error, redactor);
        var output = args.FirstOrDefault(a => !a.StartsWith('-')) is "produce" or "consume" ? new RedactingWriter(context.Out, redactor) : context.Out;
        context = context.WithWriters(output, error);
        try
        {
            return await RunRedactedAsync(args, context, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (output != outer.Out)
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunRedactedAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        var root = CreateRootCommand(context);
        var parseResult = root.Parse(args);
        if (parseResult.Action is ParseErrorAction)
        {
            string command = CommandPath(parseResult);
            var errors = ParseErrors.Describe(parseResult, out bool suggested);
            foreach (string error in errors)
                await context.Error.WriteLineAsync($"{command}: {ConsoleText.Escape(error)}").ConfigureAwait(false);
            if (!suggested)
                await context.Error.WriteLineAsync($"Run '{command} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        var configuration = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
            // Ctrl+C / SIGTERM cancel the command; consume then stops gracefully (drain, flush, commit), which may take a while.
            ProcessTerminationTimeout = context.HandlesProcessTermination ? TimeSpan.FromSeconds(30) : null,
        };
        try
        {
            int exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
            try
            {
                await context.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (OutputWriteException) when (exitCode != ExitCodes.Success)
            {
                // The command failed and said so already (perhaps for this very output): one line is enough.
            }
            return exitCode;
        }
        catch (OutputWriteException e)
        {
            // Help or version text that could not be written (the commands report their own failed writes).
            return e.IsClosedStandardOutput
                ? ExitCodes.Failure
                : await CommandAction.FailAsync(context, CommandPath(parseResult), e.Message, ExitCodes.Failure).ConfigureAwait(false);
        }
    }

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (var result = parseResult.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(result.Command.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
