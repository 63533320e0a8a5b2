using Microsoft.Extensions.Time.Testing;

namespace CallStream.Cli.Tests;

/// <summary>Runs the tool in-process with captured output, a fake clock and a fake environment.</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(
        string[] args,
        TimeProvider? time = null,
        bool errorIsTerminal = false,
        IReadOnlyDictionary<string, string>? environment = null,
        TextWriter? output = null)
    {
        var stdout = output ?? new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, time ?? new FakeTimeProvider(), errorIsTerminal, name => environment?.GetValueOrDefault(name));
        int exitCode = await CliApplication.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, stdout.ToString() ?? string.Empty, stderr.ToString());
    }

    public static string TempPath(string extension = ".csv") =>
        Path.Combine(Path.GetTempPath(), "callstream-cli-" + Guid.NewGuid().ToString("N") + extension);

    /// <summary>Reads an NDJSON alert file strictly.</summary>
    public static List<Alert> ReadAlerts(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = CallStream.Ndjson.NdjsonReader.ForAlerts(stream, new CallStream.Ndjson.NdjsonReaderOptions { Strict = true });
        return reader.ReadAll().ToList();
    }
}

/// <summary>Temporary files of one test class, deleted when it is disposed.</summary>
internal sealed class TempFiles : IDisposable
{
    private readonly List<string> _files = [];

    /// <summary>Gets a new temporary path (the file is not created).</summary>
    public string Path(string extension)
    {
        string path = CliRunner.TempPath(extension);
        _files.Add(path);
        return path;
    }

    /// <summary>Writes a new temporary file and gives its path.</summary>
    public string Write(string extension, string content)
    {
        string path = Path(extension);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose()
    {
        foreach (string file in _files)
            File.Delete(file);
    }
}

internal sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>A clock that moves forward by a fixed step every time it is read.</summary>
internal sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks += step.Ticks;
}
