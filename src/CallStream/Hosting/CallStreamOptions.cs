namespace CallStream.Hosting;

/// <summary>
/// The host settings of CallStream, bound from the <c>CallStream</c> configuration section by
/// <c>services.AddCallStream(configuration)</c> and validated when the host starts.
/// </summary>
public sealed class CallStreamOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "CallStream";

    /// <summary>Gets the rule settings (<c>CallStream:Rules</c>).</summary>
    public CallStreamRulesOptions Rules { get; } = new();

    /// <summary>Gets the health-check settings (<c>CallStream:Health</c>).</summary>
    public CallStreamHealthOptions Health { get; } = new();

    /// <summary>Checks the options; the messages name the configuration setting at fault.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        Rules.Validate();
        Health.Validate();
    }
}

/// <summary>Where the rules come from, bound from <c>CallStream:Rules</c>; added to those given in code.</summary>
public sealed class CallStreamRulesOptions
{
    /// <summary>Gets or sets the path of a rule file (spec rules.md), relative to the working directory.</summary>
    /// <value>The default value is <see langword="null"/>: no file.</value>
    public string? File { get; set; }

    /// <summary>Gets or sets a value indicating whether the built-in default rules are added.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool UseDefaults { get; set; }

    /// <summary>Gets or sets a value indicating whether the rule file is reloaded when it changes; an invalid edit is
    /// logged with its diagnostics and the running rules stay.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ReloadOnChange { get; set; } = true;

    internal void Validate()
    {
        if (File is not null && string.IsNullOrWhiteSpace(File))
            throw new ArgumentException("CallStream:Rules:File must not be blank; remove the setting for no rule file.", nameof(File));
    }
}

/// <summary>Thresholds of the CallStream health checks, bound from <c>CallStream:Health</c>.</summary>
public sealed class CallStreamHealthOptions
{
    /// <summary>Gets or sets the total consumer lag (records not yet read, over all partitions) above which the
    /// pipeline reports itself degraded.</summary>
    /// <value>The default value is 100,000 records.</value>
    public long MaxConsumerLag { get; set; } = 100_000;

    /// <summary>Gets or sets how long a reachability check (Kafka metadata, MongoDB ping) may take.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (MaxConsumerLag < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxConsumerLag), MaxConsumerLag, $"CallStream:Health:MaxConsumerLag must not be negative (was {MaxConsumerLag}).");
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, $"CallStream:Health:Timeout must be more than 0 and at most 10 minutes (was {Timeout}).");
    }
}
