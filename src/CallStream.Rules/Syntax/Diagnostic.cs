namespace CallStream.Rules;

/// <summary>
/// An error found in rule text, with its place (<c>FILE:LINE:COLUMN</c>, 1-based), what is wrong and, where one
/// helps, a hint (the nearest known name, the allowed values, where the first definition is).
/// </summary>
public sealed record Diagnostic
{
    /// <summary>Creates a diagnostic.</summary>
    /// <param name="file">The file name shown in messages, for example <c>alerts.rules</c>.</param>
    /// <param name="line">The line, from 1.</param>
    /// <param name="column">The column, from 1.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="hint">How to fix it, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="file"/> or <paramref name="message"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="line"/> or <paramref name="column"/> is less than 1.</exception>
    public Diagnostic(string file, int line, int column, string message, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(line, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(column, 1);
        File = file;
        Line = line;
        Column = column;
        Message = message;
        Hint = hint;
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
