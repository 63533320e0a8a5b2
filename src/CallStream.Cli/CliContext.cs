using System.Text;

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
    /// <param name="output">Standard output: results and summaries.</param>
    /// <param name="error">Standard error: progress, warnings and errors.</param>
    /// <param name="time">The clock, for progress and throughput.</param>
    /// <param name="errorIsTerminal"><see langword="true"/> when standard error is a terminal (progress is drawn as a bar).</param>
    /// <param name="environment">Reads an environment variable; <see langword="null"/> for none set.</param>
    public CliContext(TextWriter output, TextWriter error, TimeProvider time, bool errorIsTerminal = false, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(time);
        Out = output;
        Error = error;
        Time = time;
        ErrorIsTerminal = errorIsTerminal;
        _environment = environment ?? (_ => null);
    }

    /// <summary>Gets standard output.</summary>
    public TextWriter Out { get; }

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
        var output = new StreamWriter(Console.OpenStandardOutput(), utf8, bufferSize: 1 << 16) { AutoFlush = false };
        var error = new StreamWriter(Console.OpenStandardError(), utf8, bufferSize: 4096) { AutoFlush = true };
        return new CliContext(output, error, TimeProvider.System, !Console.IsErrorRedirected, Environment.GetEnvironmentVariable)
        {
            HandlesProcessTermination = true,
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
