namespace CallStream.Rules;

/// <summary>
/// Rule text is not valid; <see cref="Diagnostics"/> holds every error, each <c>FILE:LINE:COLUMN: message</c>. The
/// message is a heading followed by one line per error; text taken from the rules never breaks a line (it is
/// escaped as in <see cref="Diagnostic"/>).
/// </summary>
public sealed class RuleParseException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public RuleParseException()
        : this("The rule text is not valid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RuleParseException(string message)
        : base((message is null ? null : DiagnosticText.ForMessage(message)))
    {
        Diagnostics = [];
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RuleParseException(string message, Exception innerException)
        : base((message is null ? null : DiagnosticText.ForMessage(message)), innerException)
    {
        Diagnostics = [];
    }

    /// <summary>Creates the exception for the errors of a file.</summary>
    /// <param name="fileName">The file name.</param>
    /// <param name="diagnostics">Every error found.</param>
    public RuleParseException(string fileName, IReadOnlyList<Diagnostic> diagnostics)
        : base(Format(fileName, diagnostics))
    {
        Diagnostics = diagnostics ?? [];
    }

    /// <summary>Gets every error found, in order of position.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    private static string Format(string? fileName, IReadOnlyList<Diagnostic>? diagnostics)
    {
        int count = diagnostics?.Count ?? 0;
        string header = $"The rules in {DiagnosticText.Escape(fileName ?? RuleText.DefaultFileName)} are not valid ({count} error{(count == 1 ? "" : "s")}):";
        return diagnostics is null ? header : header + Environment.NewLine + string.Join(Environment.NewLine, diagnostics);
    }
}
