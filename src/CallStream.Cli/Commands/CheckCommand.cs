using System.CommandLine;
using CallStream.Rules;

namespace CallStream.Cli.Commands;

/// <summary>
/// <c>callstream check --rules FILE</c>: validates a rule file; prints each rule's canonical text on standard output,
/// or every error as <c>FILE:LINE:COLUMN: message</c> on standard error with exit code 2.
/// </summary>
internal static class CheckCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="context">The surroundings it runs in.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var rules = new Option<string>("--rules")
        {
            Description = $"The rule file to check, or '{RuleLoader.DefaultName}' to print the built-in rules (a starting point to copy).",
            HelpName = "FILE",
            Required = true,
        };
        var command = new Command("check", "Validates a rule file: prints each rule's canonical text, or every error as FILE:LINE:COLUMN: message.")
        {
            rules,
        };
        CommandAction.Set(command, context, (parseResult, cancellationToken) => RunAsync(context, parseResult.GetValue(rules)!, cancellationToken));
        return command;
    }

    /// <summary>Checks the rules and prints them or their errors.</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="path">The rule file or <c>default</c>.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>0 when valid, 2 when not.</returns>
    public static async Task<int> RunAsync(CliContext context, string path, CancellationToken cancellationToken)
    {
        var result = await RuleLoader.ParseAsync(context, path, cancellationToken).ConfigureAwait(false);
        string fileName = ConsoleText.Escape(result.FileName); // a file named with a line break must not forge a line
        if (result.RuleSet is not { } ruleSet)
        {
            await context.Error.WriteLineAsync($"check: {fileName}: {result.Diagnostics.Count} error(s); the file is rejected as a whole.").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }
        await context.Out.WriteAsync(RuleText.Print(ruleSet)).ConfigureAwait(false);
        await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        int windowed = ruleSet.Count(r => r.IsWindowed);
        await context.Error.WriteLineAsync($"check: {fileName}: {ruleSet.Count} rule(s) valid ({windowed} windowed).").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
