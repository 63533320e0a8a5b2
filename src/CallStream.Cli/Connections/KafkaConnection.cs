using System.CommandLine;
using System.CommandLine.Parsing;
using CallStream.Cli.Redaction;
using CallStream.Kafka;

namespace CallStream.Cli.Connections;

/// <summary>
/// The Kafka options shared by <c>produce</c> and <c>consume</c>: <c>--kafka HOSTS</c> (else <c>CALLSTREAM_KAFKA</c>,
/// else <c>localhost:9092</c>), <c>--topic</c> and repeatable <c>--kafka-setting KEY=VALUE</c> passed through to
/// librdkafka (SASL, TLS, tuning); and how they are shown: secrets always masked.
/// </summary>
internal sealed class KafkaConnection
{
    private KafkaConnection(string bootstrapServers, string topic, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        BootstrapServers = bootstrapServers;
        Topic = topic;
        Settings = settings;
    }

    /// <summary>Gets the brokers (<c>bootstrap.servers</c>).</summary>
    public string BootstrapServers { get; }

    /// <summary>Gets the topic.</summary>
    public string Topic { get; }

    /// <summary>Gets the pass-through librdkafka settings, in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; }

    /// <summary>Creates the <c>--kafka</c> option.</summary>
    /// <returns>The option.</returns>
    public static Option<string?> CreateBrokersOption() => new("--kafka")
    {
        Description = $"The Kafka bootstrap servers, host:port[,host:port…]. [default: ${CliContext.KafkaVariable}, else {KafkaClientOptions.DefaultBootstrapServers}]",
        HelpName = "HOSTS",
    };

    /// <summary>Creates the <c>--topic</c> option.</summary>
    /// <returns>The option.</returns>
    /// <remarks>The default is applied by <see cref="Resolve"/>: with a DefaultValueFactory, --help would print it twice.</remarks>
    public static Option<string?> CreateTopicOption() => new("--topic")
    {
        Description = $"The interactions topic. [default: {KafkaSinkOptions.DefaultInteractionsTopic}]",
        HelpName = "TOPIC",
    };

    /// <summary>Creates the repeatable <c>--kafka-setting KEY=VALUE</c> option.</summary>
    /// <returns>The option.</returns>
    public static Option<string[]> CreateSettingsOption()
    {
        var option = new Option<string[]>("--kafka-setting")
        {
            Description = "A librdkafka setting passed through to the client, e.g. security.protocol=SASL_SSL or sasl.password=…; repeat for more. Secret values are never printed.",
            HelpName = "KEY=VALUE",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (DescribeMalformed(token.Value) is { } error)
                    result.AddError(error);
            }
        });
        return option;
    }

    /// <summary>Describes what is wrong with a <c>--kafka-setting</c> without ever showing its value: only the key, when
    /// what comes before the separator looks like one.</summary>
    /// <param name="setting">The setting as given.</param>
    /// <returns>The error, or <see langword="null"/> when it is <c>KEY=VALUE</c>.</returns>
    internal static string? DescribeMalformed(string setting)
    {
        int equals = setting.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0 && setting[..equals].Trim().Length > 0)
        {
            string key = setting[..equals].Trim();
            return SecretRedactor.LooksLikeKey(key) ? null : "a --kafka-setting has a key that is not a setting name (letters, digits, '.', '_', '-'); it must be KEY=VALUE.";
        }
        if (equals >= 0 || setting.Trim().Length == 0)
            return "a --kafka-setting has no key; it must be KEY=VALUE.";
        int separator = setting.IndexOfAny([':', ' ', '\t']);
        string before = separator > 0 ? setting[..separator].Trim() : string.Empty;
        return SecretRedactor.LooksLikeKey(before)
            ? $"--kafka-setting '{before}' has no '=' (its value is not shown); it must be KEY=VALUE, e.g. {before}=..."
            : "a --kafka-setting without '=' (not shown); it must be KEY=VALUE.";
    }

    /// <summary>Resolves the connection from the parsed options and the environment.</summary>
    /// <param name="context">The surroundings (environment variables).</param>
    /// <param name="brokers">The <c>--kafka</c> value, or <see langword="null"/>.</param>
    /// <param name="topic">The <c>--topic</c> value, or <see langword="null"/> for the default topic.</param>
    /// <param name="settings">The <c>--kafka-setting</c> values.</param>
    /// <returns>The connection.</returns>
    public static KafkaConnection Resolve(CliContext context, string? brokers, string? topic, IReadOnlyList<string>? settings)
    {
        topic ??= KafkaSinkOptions.DefaultInteractionsTopic;
        // A blank --kafka (an unset shell variable) must not fall back to localhost and wait for a broker.
        if (brokers is not null && brokers.Split(',').All(string.IsNullOrWhiteSpace))
            throw CliException.InvalidInput("--kafka needs at least one host:port.");
        string bootstrap = context.GetSetting(brokers, CliContext.KafkaVariable)?.Trim() ?? KafkaClientOptions.DefaultBootstrapServers;
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (string setting in settings ?? [])
        {
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            pairs.Add(new(setting[..equals].Trim(), setting[(equals + 1)..]));
        }
        CheckSettings(pairs);
        return new KafkaConnection(bootstrap, topic, pairs);
    }

    /// <summary>Refuses, before anything is read or connected, a setting librdkafka would refuse when the client is built
    /// (an unknown name, <c>fetch.max.bytes=x</c>): exit code 2, naming the key, never a secret value.</summary>
    private static void CheckSettings(IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        if (settings.Count == 0)
            return;
        try
        {
            KafkaSettingsCheck.Check(settings);
        }
        catch (ArgumentException e)
        {
            var refused = settings.FirstOrDefault(s => e.Message.Contains($"'{s.Key}'", StringComparison.Ordinal));
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            if (refused.Key is not null && refused.Value.Length > 0 && SecretRedactor.IsSecretKey(refused.Key))
                message = message.Replace(refused.Value, SecretRedactor.Mask, StringComparison.Ordinal);
            throw CliException.InvalidInput("--kafka-setting: " + message + ".");
        }
        catch (DllNotFoundException)
        {
            // Without librdkafka the client fails when it is built, with the reason; nothing to check here.
        }
    }

    /// <summary>Copies the brokers and settings into a client's options.</summary>
    /// <param name="options">The sink or source options.</param>
    /// <param name="baseSettings">Settings applied before the user's (the demo's tuning for the in-process cluster), or <see langword="null"/>.</param>
    public void ApplyTo(KafkaClientOptions options, IEnumerable<KeyValuePair<string, string>>? baseSettings = null)
    {
        options.BootstrapServers = BootstrapServers;
        foreach (var (key, value) in baseSettings ?? [])
            options.Settings[key] = value;
        foreach (var (key, value) in Settings)
            options.Settings[key] = value;
    }

    /// <summary>Describes the connection for the progress output, with secrets masked.</summary>
    /// <returns>For example <c>topic consumerdata at broker:9092 (sasl.password=***)</c>.</returns>
    public string Describe()
    {
        string hosts = SecretRedactor.RedactConnectionString(BootstrapServers) ?? string.Empty;
        return Settings.Count == 0
            ? $"topic {Topic} at {hosts}"
            : $"topic {Topic} at {hosts} ({KafkaConfigRedactor.Redact(SecretRedactor.RedactSettings(Settings))})";
    }

    /// <summary>Turns an invalid option reported by the Kafka package into exit code 2 (its message masks secrets).</summary>
    /// <param name="error">The exception thrown when the options were checked.</param>
    /// <returns>The exception to throw.</returns>
    public static CliException InvalidOption(ArgumentException error) =>
        CliException.InvalidInput("Kafka settings: " + error.Message);
}
