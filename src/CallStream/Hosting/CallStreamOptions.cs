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
