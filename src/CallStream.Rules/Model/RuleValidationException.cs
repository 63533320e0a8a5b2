namespace CallStream.Rules;

/// <summary>A rule model that breaks the rules of the language (types, clause combinations, placeholders).</summary>
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
        : base(message, innerException)
    {
        RuleName = "rule";
        Problems = [message];
    }

    /// <summary>Creates the exception for a rule and its problems.</summary>
    /// <param name="ruleName">The rule's name.</param>
    /// <param name="problems">Every problem found, one sentence each.</param>
    public RuleValidationException(string ruleName, IReadOnlyList<string> problems)
        : base($"Rule '{ruleName}' is not valid: " + string.Join(" ", problems ?? []))
    {
        RuleName = ruleName;
        Problems = problems ?? [];
    }

    /// <summary>Gets the name of the invalid rule.</summary>
    public string RuleName { get; }

    /// <summary>Gets every problem found.</summary>
    public IReadOnlyList<string> Problems { get; }
}
