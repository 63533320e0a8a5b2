namespace CallStream.Cli.Commands;

/// <summary>
/// Checks the files named by options before a command starts work, so that a mistyped path is one line naming the
/// option and the path (exit code 2) instead of an I/O error halfway through: a missing file, or a directory where
/// a file is expected (and the other way round). A file to write that cannot be created for another reason fails
/// when it is created (exit code 1).
/// </summary>
internal static class CommandFiles
{
    /// <summary>Checks that a file to read exists and is a file.</summary>
    /// <param name="path">The path as given.</param>
    /// <param name="option">The option that named it, for example <c>--input</c>.</param>
    /// <param name="hint">Appended to the message when the file does not exist, for example what to give instead; or <see langword="null"/>.</param>
    /// <exception cref="CliException">The file does not exist or is a directory (exit code 2).</exception>
    public static void RequireInput(string path, string option, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
            return;
        if (Directory.Exists(path))
            throw CliException.InvalidInput($"{option}: '{path}' is a directory, not a file.");
        throw CliException.InvalidInput($"{option}: the file '{path}' does not exist{hint}.");
    }

    /// <summary>Checks that a file to write is not a directory.</summary>
    /// <param name="path">The path as given.</param>
    /// <param name="option">The option that named it, for example <c>--output</c>.</param>
    /// <exception cref="CliException">The path is a directory (exit code 2).</exception>
    /// <remarks>A file that cannot be created for another reason (no such directory, no permission) fails when it is
    /// created, with exit code 1 and the system's reason.</remarks>
    public static void RequireOutput(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw CliException.InvalidInput($"{option}: '{path}' is a directory, not a file; name the file to write.");
    }

    /// <summary>Checks that a directory to write into is not a file (it is created when missing).</summary>
    /// <param name="path">The path as given.</param>
    /// <param name="option">The option that named it.</param>
    /// <exception cref="CliException">The path is a file (exit code 2).</exception>
    public static void RequireOutputDirectory(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
            throw CliException.InvalidInput($"{option}: '{path}' is a file, not a directory.");
    }

    /// <summary>
    /// Tells whether nothing is at a path yet, checked before a file is created there: only a file the command
    /// created itself is removed when writing it fails. What was there before — a device (<c>/dev/full</c>), a pipe, a
    /// link (<c>/dev/stdout</c>) or a file being replaced — is never removed (a device can even look like a file).
    /// </summary>
    /// <param name="path">The path as given.</param>
    /// <returns><see langword="true"/> when nothing, not even a dangling link, is there.</returns>
    public static bool IsFree(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return !File.Exists(path) && !Directory.Exists(path) && new FileInfo(path).LinkTarget is null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }
}
