using System.Diagnostics;

namespace CallStream.Cli.Demo;

/// <summary>How to start this tool again as a child process: its own executable when it runs as one (the published
/// <c>callstream</c>), otherwise the <c>dotnet</c> host with <c>CallStream.Cli.dll</c> beside this assembly.</summary>
internal static class CliProcess
{
    /// <summary>Creates the start information of a child running this tool, without arguments yet.</summary>
    /// <returns>The start information.</returns>
    public static ProcessStartInfo StartInfo()
    {
        string? self = Environment.ProcessPath;
        string name = Path.GetFileName(self ?? string.Empty);
        if (name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase))
            name = name[..^4];
        if (self is not null && (name.Equals("callstream", StringComparison.OrdinalIgnoreCase) || name.Equals("CallStream.Cli", StringComparison.OrdinalIgnoreCase)))
            return new ProcessStartInfo(self) { UseShellExecute = false };
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "CallStream.Cli.dll"));
        return start;
    }
}
