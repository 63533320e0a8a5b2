namespace CallStream.Kafka;

/// <summary>What every CallStream Kafka client needs: the brokers, and any further Confluent.Kafka (librdkafka)
/// settings such as SASL and TLS, passed through as they are.</summary>
public abstract class KafkaClientOptions
{
    /// <summary>The environment variable read when <see cref="BootstrapServers"/> is not set: <c>CALLSTREAM_KAFKA</c>.</summary>
    public const string BootstrapServersVariable = "CALLSTREAM_KAFKA";

    /// <summary>The brokers used when neither <see cref="BootstrapServers"/> nor <c>CALLSTREAM_KAFKA</c> is set.</summary>
    public const string DefaultBootstrapServers = "localhost:9092";

    /// <summary>Gets or sets the brokers to connect to first (<c>bootstrap.servers</c>), as <c>host:port</c> pairs separated by commas.</summary>
    /// <value>The default value is <see langword="null"/>: the environment variable <c>CALLSTREAM_KAFKA</c>, else <c>localhost:9092</c>.</value>
    public string? BootstrapServers { get; set; }

    /// <summary>
    /// Gets the further librdkafka settings passed to the client as they are, for example <c>security.protocol</c>,
    /// <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>sasl.password</c>, <c>ssl.ca.location</c>. They are applied after
    /// CallStream's own tuning, so they can change it, except the settings the delivery guarantees rest on, which
    /// are refused with a message naming them. Secret values are never logged (see <see cref="KafkaConfigRedactor"/>).
    /// </summary>
    /// <value>The default value is an empty dictionary.</value>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets how long a client waits for the first answer of any broker when it starts. A source that has not
    /// reached a broker by then fails (its stream throws a <c>KafkaException</c> naming the servers tried), and so does
    /// a sink's write; once a broker has answered, outages are waited out as librdkafka does.
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits for ever.
    /// </summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    /// <summary>The default of <see cref="ConnectTimeout"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Gets the name of the options class, for messages.</summary>
    private protected abstract string OptionsName { get; }

    /// <summary>Gets the brokers to use: <see cref="BootstrapServers"/>, else the environment variable <c>CALLSTREAM_KAFKA</c>,
    /// else <c>localhost:9092</c>.</summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable; <see langword="null"/> for <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <returns>The <c>bootstrap.servers</c> value.</returns>
    /// <exception cref="ArgumentException"><see cref="BootstrapServers"/> is set but blank.</exception>
    internal string ResolveBootstrapServers(Func<string, string?>? getEnvironmentVariable = null)
    {
        if (BootstrapServers is not null)
        {
            if (string.IsNullOrWhiteSpace(BootstrapServers))
                throw new ArgumentException($"{OptionsName}.BootstrapServers must not be blank; leave it unset to use the environment variable {BootstrapServersVariable} or {DefaultBootstrapServers}.", nameof(BootstrapServers));
            return BootstrapServers.Trim();
        }

        string? fromEnvironment = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(BootstrapServersVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultBootstrapServers : fromEnvironment.Trim();
    }

    /// <summary>Checks the brokers and the pass-through settings; derived classes add their own checks.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public virtual void Validate()
    {
        if (BootstrapServers is not null && string.IsNullOrWhiteSpace(BootstrapServers))
            throw new ArgumentException($"{OptionsName}.BootstrapServers must not be blank; leave it unset to use the environment variable {BootstrapServersVariable} or {DefaultBootstrapServers}.", nameof(BootstrapServers));
        foreach (var (key, value) in Settings)
        {
            if (string.IsNullOrWhiteSpace(key))
                throw new ArgumentException($"{OptionsName}.Settings has a blank setting name.", nameof(Settings));
            if (value is null)
                throw new ArgumentException($"{OptionsName}.Settings['{key}'] is null; remove the setting to use librdkafka's default.", nameof(Settings));
            if (key.Equals("bootstrap.servers", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"{OptionsName}.Settings['bootstrap.servers'] is not allowed: set {OptionsName}.BootstrapServers instead.", nameof(Settings));
        }

        if (ConnectTimeout != Timeout.InfiniteTimeSpan && (ConnectTimeout < TimeSpan.FromMilliseconds(1) || ConnectTimeout.TotalMilliseconds > int.MaxValue))
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, $"{OptionsName}.ConnectTimeout must be from 1 millisecond to {int.MaxValue} milliseconds, or Timeout.InfiniteTimeSpan (was {ConnectTimeout}).");
    }

    /// <summary>Throws when a pass-through setting would break a guarantee.</summary>
    /// <param name="key">The setting name.</param>
    /// <param name="allowed">Tells whether a value keeps the guarantee.</param>
    /// <param name="why">What the guarantee is, for the message.</param>
    private protected void RefuseSetting(string key, Func<string, bool> allowed, string why)
    {
        if (Settings.TryGetValue(key, out string? value) && !allowed(value.Trim()))
            throw new ArgumentException($"{OptionsName}.Settings['{key}'] = '{KafkaConfigRedactor.RedactValue(key, value)}' is not allowed: {why}.", nameof(Settings));
    }

    /// <summary>Adds the brokers and then the pass-through settings to a Confluent configuration.</summary>
    /// <param name="config">The configuration to complete.</param>
    /// <param name="getEnvironmentVariable">Reads an environment variable, or <see langword="null"/>.</param>
    internal void ApplyTo(Confluent.Kafka.ClientConfig config, Func<string, string?>? getEnvironmentVariable = null)
    {
        config.BootstrapServers = ResolveBootstrapServers(getEnvironmentVariable);
        foreach (var (key, value) in Settings)
            config.Set(key, value);
    }
}
