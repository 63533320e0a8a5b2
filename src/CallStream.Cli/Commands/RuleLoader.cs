using CallStream.Rules;

namespace CallStream.Cli.Commands;

/// <summary>
/// Loads the rules a command runs: a <c>.rules</c> file, or the built-in default set for no file or the word
/// <c>default</c>. An invalid file is reported on standard error, every error as <c>FILE:LINE:COLUMN: message</c>,
/// and becomes exit code 2.
/// </summary>
internal static class RuleLoader
{
    /// <summary>The <c>--rules</c> value that names the built-in default rule set.</summary>
    public const string DefaultName = "default";

    /// <summary>Parses the rules, reporting every diagnostic.</summary>
    /// <param name="context">Where diagnostics go (standard error).</param>
    /// <param name="path">The file, <see cref="DefaultName"/> or <see langword="null"/> for the default set.</param>
    /// <param name="cancellationToken">Cancels reading the file.</param>
    /// <returns>The parse result; <see cref="RuleParseResult.RuleSet"/> is set when the rules are valid.</returns>
    /// <exception cref="CliException">The file cannot be read (exit code 2, it is an argument).</exception>
    public static async Task<RuleParseResult> ParseAsync(CliContext context, string? path, CancellationToken cancellationToken)
    {
        RuleParseResult result;
        if (path is null || path == DefaultName)
        {
            result = RuleText.Parse(DefaultRules.Text, DefaultRules.FileName);
        }
        else
        {
            CommandFiles.RequireInput(path, "--rules", $" (use '{DefaultName}' for the built-in rules)");
            try
            {
                result = await RuleText.ParseFileAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CliException.Failure($"cannot read the rules file '{path}': {e.Message}", e);
            }
        }
        foreach (var diagnostic in result.Diagnostics)
            await context.Error.WriteLineAsync(diagnostic.ToString()).ConfigureAwait(false);
        return result;
    }

    /// <summary>Parses the rules and fails with exit code 2 when they are invalid.</summary>
    /// <param name="context">Where diagnostics go (standard error).</param>
    /// <param name="path">The file, <see cref="DefaultName"/> or <see langword="null"/> for the default set.</param>
    /// <param name="cancellationToken">Cancels reading the file.</param>
    /// <returns>The rule set.</returns>
    /// <exception cref="CliException">The rules are invalid (exit code 2) or unreadable.</exception>
    public static async Task<RuleSet> LoadAsync(CliContext context, string? path, CancellationToken cancellationToken)
    {
        var result = await ParseAsync(context, path, cancellationToken).ConfigureAwait(false);
        return result.RuleSet
            ?? throw CliException.InvalidInput($"{ConsoleText.Escape(result.FileName)}: {result.Diagnostics.Count} error(s); the rules were not loaded.");
    }
}
