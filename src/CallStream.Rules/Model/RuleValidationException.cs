namespace CallStream.Rules;

/// <summary>
/// A rule model that breaks the rules of the language (types, clause combinations, placeholders, limits). Its
/// message is one line: line breaks and terminal escape codes in the rule's name or in the problems are written
/// as escapes (<c>\n</c>, <c>\u001b</c>), and a long name is shortened.
/// </summary>
public sealed class RuleValidationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public RuleValidationException()
        : this("rule", ["The rule is not valid."])
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RuleValidationException(string message)
        : this("rule", [message])
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RuleValidationException(string message, Exception innerException)
        : base(message is null ? null : DiagnosticText.ForMessage(message), innerException)
    {
        RuleName = "rule";
        Problems = [Message];
    }

    /// <summary>Creates the exception for a rule and its problems.</summary>
    /// <param name="ruleName">The rule's name.</param>
    /// <param name="problems">Every problem found, one sentence each.</param>
    public RuleValidationException(string ruleName, IReadOnlyList<string> problems)
        : base(Format(ruleName, Clean(problems)))
    {
        RuleName = ruleName;
        Problems = Clean(problems);
    }

    /// <summary>Gets the name of the invalid rule, as given.</summary>
    public string RuleName { get; }

    /// <summary>Gets every problem found, one line each (escaped as the message is).</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(string? ruleName, string[] problems) =>
        $"Rule '{DiagnosticText.Escape(DiagnosticText.Shorten(ruleName ?? "", RuleText.MaxNameLength))}' is not valid: " + string.Join(" ", problems);

    private static string[] Clean(IReadOnlyList<string>? problems) =>
        problems is null ? [] : [.. problems.Select(p => DiagnosticText.ForMessage(p ?? ""))];
}
