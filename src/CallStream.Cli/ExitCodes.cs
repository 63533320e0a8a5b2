namespace CallStream.Cli;

/// <summary>The exit codes of every <c>callstream</c> command (spec/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed at run time; the message says what and where.</summary>
    public const int Failure = 1;

    /// <summary>The input was invalid: bad arguments, invalid rules, a bad row in strict mode.</summary>
    public const int InvalidInput = 2;
}
