namespace CallStream.Rules;

/// <summary>
/// An error found in rule text, with its place (<c>FILE:LINE:COLUMN</c>, 1-based), what is wrong and, where one
/// helps, a hint (the nearest known name, the allowed values, where the first definition is). A diagnostic is
/// always one line of printable text: line breaks, terminal escape codes and characters that reorder a line
/// (bidirectional overrides, U+2028) in its file name, message or hint are written as escapes (<c>\n</c>,
/// <c>\u001b</c>), and a message or hint longer than 1,000 characters is cut, so a rule file cannot forge or
/// hide an error line.
/// </summary>
public sealed record Diagnostic
{
    /// <summary>Creates a diagnostic.</summary>
    /// <param name="file">The file name shown in messages, for example <c>alerts.rules</c> (escaped as the message is).</param>
    /// <param name="line">The line, from 1.</param>
    /// <param name="column">The column, from 1.</param>
    /// <param name="message">What is wrong; control and line-reordering characters are escaped, and it is cut after 1,000 characters.</param>
    /// <param name="hint">How to fix it, or <see langword="null"/>; escaped and cut as the message is.</param>
    /// <exception cref="ArgumentNullException"><paramref name="file"/> or <paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="line"/> or <paramref name="column"/> is less than 1.</exception>
    public Diagnostic(string file, int line, int column, string message, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(line, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(column, 1);
        File = DiagnosticText.Escape(file);
        Line = line;
        Column = column;
        Message = DiagnosticText.ForMessage(message);
        Hint = hint is null ? null : DiagnosticText.ForMessage(hint);
    }

    /// <summary>Gets the file name shown in messages.</summary>
    public string File { get; }

    /// <summary>Gets the 1-based line.</summary>
    public int Line { get; }

    /// <summary>Gets the 1-based column (characters; a surrogate pair counts once, a tab once).</summary>
    public int Column { get; }

    /// <summary>Gets what is wrong, for example <c>unknown field 'agnet_id'</c>.</summary>
    public string Message { get; }

    /// <summary>Gets how to fix it, for example <c>did you mean 'agent_id'?</c>, or <see langword="null"/>.</summary>
    public string? Hint { get; }

    /// <summary>Formats the diagnostic as <c>FILE:LINE:COLUMN: message</c>, followed by the hint in parentheses when there is one.</summary>
    /// <returns>The text, for example <c>alerts.rules:3:9: unknown field 'agnet_id' (did you mean 'agent_id'?)</c>.</returns>
    public override string ToString() =>
        Hint is null ? $"{File}:{Line}:{Column}: {Message}" : $"{File}:{Line}:{Column}: {Message} ({Hint})";
}
