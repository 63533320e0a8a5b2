using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace CallStream.Samples.Tests;

/// <summary>Runs a sample app as a child process (<c>dotnet Sample.dll args</c>) from its project folder, with a deadline.</summary>
internal static class SampleProcess
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    public static string SamplesDirectory { get; } = Path.GetFullPath(Metadata("SamplesDirectory"));

    public static Task<(int ExitCode, string Output)> RunAsync(string sample, params string[] args) =>
        RunAsync(sample, contentRoot: true, args);

    /// <summary>Runs a sample; without <paramref name="contentRoot"/> it is started as <c>dotnet run</c> starts it: from
    /// another working directory and with no <c>--contentRoot</c>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string sample, bool contentRoot, params string[] args)
    {
        string project = Path.Combine(SamplesDirectory, sample);
        string dll = Path.Combine(project, "bin", Metadata("Configuration"), "net10.0", sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the sample first.");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        if (contentRoot)
        {
            start.ArgumentList.Add("--contentRoot");
            start.ArgumentList.Add(project);
        }
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        // The in-process runs must not reach for servers named in the test machine's environment.
        start.Environment.Remove("CALLSTREAM_MONGO");
        start.Environment.Remove("CALLSTREAM_KAFKA");
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{sample} did not end within {Deadline}.");
        }

        output.Append(await stdout).Append(await stderr);
        return (process.ExitCode, output.ToString());
    }

    private static string Metadata(string key) =>
        typeof(SampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
