using System.Text;

namespace CallStream.Kafka;

/// <summary>
/// Makes Kafka client configurations safe to log: the values of secret settings (passwords, secrets, private keys,
/// tokens, SASL/OAUTHBEARER configuration) are shown as <see cref="Mask"/>. CallStream.Kafka logs configurations
/// only through this class; do the same in applications.
/// </summary>
public static class KafkaConfigRedactor
{
    /// <summary>The text that stands for a hidden value.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretFragments = ["password", "secret", "passphrase", "private.key", "token", "credential", "jaas"];

    private static readonly string[] SecretKeys = ["ssl.key.pem", "sasl.oauthbearer.config", "ssl_key"];

    /// <summary>Tells whether a setting holds a secret: its name contains <c>password</c>, <c>secret</c>,
    /// <c>passphrase</c>, <c>private.key</c>, <c>token</c>, <c>credential</c> or <c>jaas</c>, or it is
    /// <c>ssl.key.pem</c> or <c>sasl.oauthbearer.config</c> (case-insensitive).</summary>
    /// <param name="key">The setting name, for example <c>sasl.password</c>.</param>
    /// <returns><see langword="true"/> when its value must not be shown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    internal static bool IsSecret(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (string fragment in SecretFragments)
        {
            if (key.Contains(fragment, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        foreach (string secret in SecretKeys)
        {
            if (key.Equals(secret, StringComparison.OrdinalIgnoreCase))
                return true;
        }

        return false;
    }

    /// <summary>Returns the value to show for a setting: <see cref="Mask"/> for a secret (see <see cref="IsSecret"/>), the value otherwise.</summary>
    /// <param name="key">The setting name.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The value to show.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    internal static string? RedactValue(string key, string? value) => IsSecret(key) && value is not null ? Mask : value;

    /// <summary>Formats a configuration for a log line, <c>key=value</c> pairs sorted by key and separated by <c>", "</c>,
    /// with secret values shown as <see cref="Mask"/>.</summary>
    /// <param name="config">The settings, for example a Confluent <c>ProducerConfig</c> or <c>ConsumerConfig</c>.</param>
    /// <returns>The text, for example <c>bootstrap.servers=broker:9092, sasl.password=***, sasl.username=app</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="config"/> is <see langword="null"/>.</exception>
    public static string Redact(IEnumerable<KeyValuePair<string, string>> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var text = new StringBuilder();
        foreach (var (key, value) in config.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (text.Length > 0)
                text.Append(", ");
            text.Append(key).Append('=').Append(RedactValue(key, value));
        }

        return text.ToString();
    }
}
