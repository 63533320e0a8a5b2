using System.CommandLine;
using System.CommandLine.Parsing;

namespace CallStream.Cli;

/// <summary>
/// Turns the parser's errors into the lines the user reads: a mistyped command or option is one line naming the
/// nearest valid one (<c>unknown command 'repaly'; did you mean 'replay'?</c>), without the errors it causes (a
/// command or a required option then looks missing).
/// </summary>
internal static class ParseErrors
{
    /// <summary>Describes the errors of a parse.</summary>
    /// <param name="parseResult">The parse with errors.</param>
    /// <param name="suggested"><see langword="true"/> when every line about an unknown word names what was probably meant.</param>
    /// <returns>The error lines, without the command's name.</returns>
    public static IReadOnlyList<string> Describe(ParseResult parseResult, out bool suggested)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var unmatched = parseResult.UnmatchedTokens.Distinct(StringComparer.Ordinal).ToList();
        if (unmatched.Count == 0)
        {
            suggested = false;
            return [.. parseResult.Errors.Select(e => e.Message)];
        }

        var lines = new List<string>();
        var command = parseResult.CommandResult.Command;
        if (command.Subcommands.Count > 0 && !unmatched[0].StartsWith('-'))
        {
            // The words after an unknown command are its arguments: only the command is wrong.
            string? meant = Nearest(unmatched[0], command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
            suggested = meant is not null;
            return [$"unknown command '{unmatched[0]}'" + (meant is null ? "." : $"; did you mean '{meant}'?")];
        }

        suggested = true;
        bool afterUnknownOption = false;
        foreach (string token in unmatched)
        {
            bool isOption = token.StartsWith('-');
            if (!isOption && afterUnknownOption)
            {
                afterUnknownOption = false;
                continue; // the value of the mistyped option (--inptu x.csv)
            }
            afterUnknownOption = isOption;
            string? nearest;
            if (isOption)
            {
                nearest = Nearest(token, OptionNames(parseResult.CommandResult));
                lines.Add($"unknown option '{token}'" + (nearest is null ? "." : $"; did you mean '{nearest}'?"));
            }
            else
            {
                nearest = null;
                lines.Add($"unexpected argument '{token}'.");
            }
            suggested &= nearest is not null;
        }

        // A required option or command that looks missing follows from the unknown words ('--inptu x' leaves --input
        // missing): only the errors of values actually given stay.
        foreach (var error in parseResult.Errors)
        {
            if (error.SymbolResult is OptionResult { Tokens.Count: > 0 } or ArgumentResult { Tokens.Count: > 0 })
                lines.Add(error.Message);
        }
        return lines;
    }

    /// <summary>Finds the name nearest to a mistyped word: within a few edits (a swap of two letters is one), or the only name it starts.</summary>
    /// <param name="typed">The word as typed.</param>
    /// <param name="names">The valid names.</param>
    /// <returns>The nearest name, or <see langword="null"/> when none is near enough or two are equally near.</returns>
    public static string? Nearest(string typed, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(names);
        string word = typed.TrimStart('-').ToLowerInvariant();
        if (word.Length == 0)
            return null;
        string? best = null;
        int bestDistance = int.MaxValue;
        bool tie = false;
        var prefixed = new List<string>();
        foreach (string name in names.Distinct(StringComparer.Ordinal))
        {
            string candidate = name.TrimStart('-').ToLowerInvariant();
            if (candidate.StartsWith(word, StringComparison.Ordinal))
                prefixed.Add(name);
            int distance = EditDistance.Between(word, candidate);
            if (distance > Math.Max(1, Math.Min(word.Length, candidate.Length) / 3))
                continue;
            if (distance < bestDistance)
            {
                (best, bestDistance, tie) = (name, distance, false);
            }
            else if (distance == bestDistance)
            {
                tie = true;
            }
        }
        if (best is not null && !tie)
            return best;
        return best is null && prefixed.Count == 1 ? prefixed[0] : null;
    }

    private static IEnumerable<string> OptionNames(CommandResult commandResult)
    {
        // The command's own options and the recursive ones of its parents (--help).
        for (SymbolResult? result = commandResult; result is CommandResult current; result = current.Parent)
        {
            foreach (var option in current.Command.Options)
            {
                if (option.Hidden || (current != commandResult && !option.Recursive))
                    continue;
                yield return option.Name;
                foreach (string alias in option.Aliases)
                    yield return alias;
            }
        }
    }
}
