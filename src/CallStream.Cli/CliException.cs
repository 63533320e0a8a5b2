namespace CallStream.Cli;

/// <summary>
/// A failure a command reports to the user as one line on standard error, with the exit code it maps to: thrown by
/// commands, caught by <see cref="Commands.CommandAction"/>.
/// </summary>
internal sealed class CliException : Exception
{
    private CliException(int exitCode, string message, Exception? innerException)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>Gets the process exit code: <see cref="ExitCodes.InvalidInput"/> or <see cref="ExitCodes.Failure"/>.</summary>
    public int ExitCode { get; }

    /// <summary>Creates the exception for invalid input (exit code 2).</summary>
    /// <param name="message">What is wrong and where, for example the option and its value.</param>
    /// <returns>The exception.</returns>
    public static CliException InvalidInput(string message) => new(ExitCodes.InvalidInput, message, null);

    /// <summary>Creates the exception for a run-time failure (exit code 1).</summary>
    /// <param name="message">What failed and where, for example the file.</param>
    /// <param name="innerException">The cause, if any.</param>
    /// <returns>The exception.</returns>
    public static CliException Failure(string message, Exception? innerException = null) => new(ExitCodes.Failure, message, innerException);
}
