namespace CallStream.Cli.Output;

/// <summary>
/// A write, flush or close of one of a command's outputs failed (a full disk, a closed pipe): reported as one line,
/// <c>callstream COMMAND: cannot write OUTPUT: reason</c>, with exit code 1 and no summary. Standard output closed by
/// its reader (<c>| head -1</c>) ends the command quietly, also with exit code 1.
/// </summary>
internal sealed class OutputWriteException : IOException
{
    private const string StandardOutputName = "standard output";

    private OutputWriteException(string output, string reason, bool closedStandardOutput, Exception innerException)
        : base($"cannot write {output}: {reason}", innerException)
    {
        Output = output;
        Reason = reason;
        IsClosedStandardOutput = closedStandardOutput;
    }

    /// <summary>Gets the output as shown, for example <c>--rejects 'bad.csv'</c> or <c>standard output</c>.</summary>
    public string Output { get; }

    /// <summary>Gets why the write failed, the system's words without the path repeated.</summary>
    public string Reason { get; }

    /// <summary>Gets a value indicating whether standard output's reader went away (a broken pipe): nothing to say to anyone.</summary>
    public bool IsClosedStandardOutput { get; }

    /// <summary>Describes a failed write to a file named by an option.</summary>
    /// <param name="option">The option, for example <c>--rejects</c>.</param>
    /// <param name="path">The file as given.</param>
    /// <param name="cause">What the write threw.</param>
    /// <returns>The exception to throw; <paramref name="cause"/> itself when it already is one.</returns>
    public static OutputWriteException ForFile(string option, string path, Exception cause) =>
        cause as OutputWriteException ?? new($"{option} '{path}'", ReasonOf(cause, path), closedStandardOutput: false, cause);

    /// <summary>Describes a failed write to standard output.</summary>
    /// <param name="cause">What the write threw.</param>
    /// <returns>The exception to throw; <paramref name="cause"/> itself when it already is one.</returns>
    public static OutputWriteException ForStandardOutput(Exception cause) =>
        cause as OutputWriteException ?? new(StandardOutputName, ReasonOf(cause, null), IsBrokenPipe(cause), cause);

    /// <summary>Tells whether an exception is the system's "broken pipe": the reader of a pipe closed its end.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns><see langword="true"/> for EPIPE (Linux, macOS) or ERROR_BROKEN_PIPE / ERROR_NO_DATA (Windows).</returns>
    public static bool IsBrokenPipe(Exception exception) =>
        exception is IOException { HResult: var code }
        && (OperatingSystem.IsWindows() ? code is unchecked((int)0x8007006D) or unchecked((int)0x800700E8) : code == 32);

    private static string ReasonOf(Exception cause, string? path)
    {
        string message = cause.Message.Trim();
        // On Linux and macOS the system's message ends with " : 'PATH'", which the line already names.
        if (path is not null && message.EndsWith($" : '{path}'", StringComparison.Ordinal))
            message = message[..^($" : '{path}'".Length)];
        return message.TrimEnd('.');
    }
}
