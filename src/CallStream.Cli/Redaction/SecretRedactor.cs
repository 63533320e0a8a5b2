using System.Text;

namespace CallStream.Cli.Redaction;

/// <summary>
/// Hides secrets before settings are printed or logged: the password of a connection string's user information
/// (<c>mongodb://user:secret@host</c> → <c>mongodb://user:***@host</c>) and the value of every secret-looking key
/// (<c>sasl.password</c>, <c>ssl.key.password</c>, <c>password</c>, <c>*secret*</c>, <c>*token*</c>, …) in query strings,
/// <c>key=value;</c> lists and configuration dictionaries.
/// </summary>
internal static class SecretRedactor
{
    /// <summary>What a secret is replaced with.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretKeyParts =
        ["password", "passwd", "pwd", "secret", "token", "credential", "jaas.config", "apikey", "api.key", "api_key"];

    /// <summary>Tells whether a setting's key names a secret (case-insensitive).</summary>
    /// <param name="key">The key, for example <c>sasl.password</c>.</param>
    /// <returns><see langword="true"/> when the value must not be shown.</returns>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        foreach (string part in SecretKeyParts)
        {
            if (key.Contains(part, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    /// <summary>Redacts a connection string: a URI's password and secret query parameters, or secret <c>key=value</c> pairs.</summary>
    /// <param name="connectionString">The connection string, a list of hosts, or <see langword="null"/>.</param>
    /// <returns>The text with secrets replaced by <see cref="Mask"/>; <see langword="null"/> stays <see langword="null"/>.</returns>
    public static string? RedactConnectionString(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
            return connectionString;

        int scheme = connectionString.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
            return RedactPairs(connectionString, 0);

        int authority = scheme + 3;
        int query = connectionString.IndexOf('?', authority);
        int end = query < 0 ? connectionString.Length : query;
        // The user information ends at the last '@' before the query: a password may itself hold '/', ':' or '@'.
        int at = end > authority ? connectionString.LastIndexOf('@', end - 1, end - authority) : -1;
        string result = connectionString;
        if (at >= 0)
        {
            int colon = connectionString.IndexOf(':', authority, at - authority);
            if (colon >= 0)
                result = string.Concat(connectionString.AsSpan(0, colon + 1), Mask, connectionString.AsSpan(at));
        }
        if (query >= 0)
        {
            int shift = result.Length - connectionString.Length;
            result = RedactPairs(result, query + shift + 1);
        }
        return result;
    }

    /// <summary>Redacts a configuration: each value whose key names a secret becomes <see cref="Mask"/>.</summary>
    /// <param name="settings">The settings, for example a Kafka client configuration.</param>
    /// <returns>The settings in the same order, secrets masked and connection strings redacted.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> RedactSettings(IEnumerable<KeyValuePair<string, string>> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. settings.Select(s => new KeyValuePair<string, string>(
            s.Key,
            IsSecretKey(s.Key) ? Mask : RedactConnectionString(s.Value) ?? string.Empty))];
    }

    /// <summary>Formats a redacted configuration as <c>key=value, key=value</c>, for messages.</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The text, with secrets masked.</returns>
    public static string FormatSettings(IEnumerable<KeyValuePair<string, string>> settings) =>
        string.Join(", ", RedactSettings(settings).Select(s => s.Key + "=" + s.Value));

    /// <summary>Masks the values of secret keys in <c>key=value</c> pairs separated by <c>;</c> or <c>&amp;</c>, from a position on.</summary>
    private static string RedactPairs(string text, int start)
    {
        var result = new StringBuilder(text.Length);
        result.Append(text, 0, start);
        int position = start;
        while (position <= text.Length)
        {
            int separator = text.IndexOfAny([';', '&'], position);
            int end = separator < 0 ? text.Length : separator;
            string pair = text[position..end];
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && IsSecretKey(pair[..equals].Trim()))
                result.Append(pair, 0, equals + 1).Append(Mask);
            else
                result.Append(pair);
            if (separator < 0)
                break;
            result.Append(text[separator]);
            position = separator + 1;
        }
        return result.ToString();
    }
}
