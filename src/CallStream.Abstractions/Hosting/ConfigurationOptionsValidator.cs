using Microsoft.Extensions.Options;

namespace CallStream.Hosting;

/// <summary>
/// Validates options bound from a configuration section with the options' own check (which throws
/// <see cref="ArgumentException"/>), and reports a failure with the configuration path of the setting at fault, for
/// example <c>CallStream:Kafka:GroupId: KafkaSourceOptions.GroupId must not be empty.</c>
/// </summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal sealed class ConfigurationOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly string? _name;
    private readonly string _sectionPath;
    private readonly Action<TOptions> _validate;

    /// <summary>Creates the validator.</summary>
    /// <param name="name">The options name to validate, or <see langword="null"/> for every name.</param>
    /// <param name="sectionPath">The configuration path the options are bound from, for example <c>CallStream:Kafka</c>.</param>
    /// <param name="validate">The check; throws <see cref="ArgumentException"/> whose parameter name is the property at fault.</param>
    public ConfigurationOptionsValidator(string? name, string sectionPath, Action<TOptions> validate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionPath);
        ArgumentNullException.ThrowIfNull(validate);
        _name = name;
        _sectionPath = sectionPath;
        _validate = validate;
    }

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_name is not null && !string.Equals(_name, name, StringComparison.Ordinal))
            return ValidateOptionsResult.Skip;
        try
        {
            _validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException exception)
        {
            return ValidateOptionsResult.Fail(Describe(_sectionPath, exception));
        }
    }

    /// <summary>Describes an option's failure with the configuration path of the setting at fault.</summary>
    /// <param name="sectionPath">The configuration path of the options.</param>
    /// <param name="exception">The failure.</param>
    /// <returns>The message, for example <c>CallStream:Kafka:GroupId: KafkaSourceOptions.GroupId must not be empty.</c></returns>
    internal static string Describe(string sectionPath, ArgumentException exception)
    {
        string message = exception.Message;
        int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        if (cut >= 0)
            message = message[..cut];
        int newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
            message = message[..newline];
        if (message.StartsWith(sectionPath + ":", StringComparison.Ordinal) || string.IsNullOrEmpty(exception.ParamName))
            return message.StartsWith(sectionPath, StringComparison.Ordinal) ? message : $"{sectionPath}: {message}";
        string property = exception.ParamName[(exception.ParamName.LastIndexOf('.') + 1)..];
        return $"{sectionPath}:{property}: {message}";
    }
}
