using System.Text;
using CallStream.Cli.Output;
using Microsoft.Win32.SafeHandles;

namespace CallStream.Cli;

/// <summary>
/// What a command may touch of its surroundings: standard output and error, the clock, the environment. The real
/// console in <c>Program</c>; string writers, a fake clock and a dictionary in tests, so commands run in-process.
/// </summary>
internal sealed class CliContext
{
    /// <summary>The environment variable with the Kafka bootstrap servers (the default of <c>--kafka</c>).</summary>
    public const string KafkaVariable = "CALLSTREAM_KAFKA";

    /// <summary>The environment variable with the MongoDB connection string (the default of <c>--mongo</c>).</summary>
    public const string MongoVariable = "CALLSTREAM_MONGO";

    private readonly Func<string, string?> _environment;

    /// <summary>Creates a context.</summary>
    /// <param name="output">Standard output: results and summaries. Its failures reach the commands as <see cref="OutputWriteException"/>.</param>
    /// <param name="error">Standard error: progress, warnings and errors.</param>
    /// <param name="time">The clock, for progress and throughput.</param>
    /// <param name="errorIsTerminal"><see langword="true"/> when standard error is a terminal (progress is drawn as a bar).</param>
    /// <param name="environment">Reads an environment variable; <see langword="null"/> for none set.</param>
    public CliContext(TextWriter output, TextWriter error, TimeProvider time, bool errorIsTerminal = false, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(time);
        Out = output as StandardOutputWriter ?? new StandardOutputWriter(output);
        Error = error;
        Time = time;
        ErrorIsTerminal = errorIsTerminal;
        _environment = environment ?? (_ => null);
    }

    /// <summary>Gets standard output; a failed write or flush throws <see cref="OutputWriteException"/>.</summary>
    public TextWriter Out { get; }

    /// <summary>Gets standard output as bytes, for results written as bytes (flush <see cref="Out"/> first), or
    /// <see langword="null"/> when standard output is only a text writer (in tests).</summary>
    public Stream? OutStream { get; init; }

    /// <summary>Gets standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Gets the clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Gets a value indicating whether standard error is a terminal.</summary>
    public bool ErrorIsTerminal { get; }

    /// <summary>Gets or sets a value indicating whether Ctrl+C cancels the running command (the real console only).</summary>
    public bool HandlesProcessTermination { get; init; }

    /// <summary>Creates the context of the real console: buffered UTF-8 standard output, unbuffered standard error.</summary>
    /// <returns>The context; flush <see cref="Out"/> before the process ends.</returns>
    public static CliContext CreateForConsole()
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var outStream = OpenStandardOutput();
        var output = new StreamWriter(outStream, utf8, bufferSize: 1 << 16) { AutoFlush = false };
        var error = new StreamWriter(Console.OpenStandardError(), utf8, bufferSize: 4096) { AutoFlush = true };
        return new CliContext(output, error, TimeProvider.System, !Console.IsErrorRedirected, Environment.GetEnvironmentVariable)
        {
            HandlesProcessTermination = true,
            OutStream = outStream,
        };
    }

    /// <summary>Creates the same surroundings with other writers (the redacting ones of a run).</summary>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <returns>The context.</returns>
    public CliContext WithWriters(TextWriter output, TextWriter error) =>
        new(output, error, Time, ErrorIsTerminal, _environment) { HandlesProcessTermination = HandlesProcessTermination };

    /// <summary>Reads an environment variable as it is set (possibly blank), or <see langword="null"/>.</summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>The value.</returns>
    public string? GetRawEnvironmentVariable(string name) => _environment(name);

    /// <summary>
    /// Opens standard output. The console's stream ignores a closed pipe (every write "succeeds", so <c>| head -1</c>
    /// would let a command report success); a pipe, socket or device is therefore written through a plain file
    /// stream, which reports it. A terminal or a regular file keeps the console's stream: a file shared with standard
    /// error (<c>&gt; log 2&gt;&amp;1</c>) must be written at the shared position, which a seekable file stream would not.
    /// </summary>
    private static Stream OpenStandardOutput()
    {
        if (OperatingSystem.IsWindows() || !Console.IsOutputRedirected)
            return Console.OpenStandardOutput();
        FileStream? stream = null;
        try
        {
            stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (!stream.CanSeek)
                return stream;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or NotSupportedException)
        {
            // A standard output the file stream refuses (closed, read-only): the console's stream copes.
        }
        stream?.Dispose();
        return Console.OpenStandardOutput();
    }

    /// <summary>Gets an environment variable, or <see langword="null"/> when it is not set or empty.</summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public string? GetEnvironmentVariable(string name)
    {
        string? value = _environment(name);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>Gets a setting: the option's value when given, otherwise the environment variable's.</summary>
    /// <param name="optionValue">The value of the command-line option, or <see langword="null"/>.</param>
    /// <param name="variable">The environment variable to fall back on (<see cref="KafkaVariable"/>, <see cref="MongoVariable"/>).</param>
    /// <returns>The setting, or <see langword="null"/> when neither is set.</returns>
    public string? GetSetting(string? optionValue, string variable) =>
        string.IsNullOrWhiteSpace(optionValue) ? GetEnvironmentVariable(variable) : optionValue;
}
