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
        ["password", "passwd", "pwd", "pswd", "pass", "secret", "token", "credential", "key", "jaas.config"];

    /// <summary>Words a part of a key may be a misspelling of (within one edit, two for the long ones).</summary>
    private static readonly string[] SecretWords = ["password", "passwd", "secret", "token", "credential", "credentials", "apikey"];

    /// <summary>
    /// Tells whether a setting's key looks like it names a secret (case-insensitive, fuzzy): it contains
    /// <c>pass</c>, <c>pwd</c>, <c>secret</c>, <c>token</c>, <c>credential</c> or <c>key</c>, or one of its
    /// parts (split at <c>.</c>, <c>_</c>, <c>-</c>) is a misspelling of password, secret, token or credential
    /// (<c>sasl.passwrd</c>, <c>sasl.secert</c>, <c>tokn</c>). Masking a harmless value costs little; showing a secret
    /// under a misspelt key is what this guards against.
    /// </summary>
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
        foreach (string segment in key.ToLowerInvariant().Split(['.', '_', '-', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string word in SecretWords)
            {
                if (Math.Abs(segment.Length - word.Length) <= 2 && EditDistance.Between(segment, word) <= (word.Length >= 8 ? 2 : 1))
                    return true;
            }
        }
        return false;
    }

    /// <summary>Tells whether a text looks like a setting's key (<c>sasl.password</c>, <c>fetch.max.bytes</c>): a letter,
    /// then letters, digits, <c>.</c>, <c>_</c> or <c>-</c>, at most 100 characters.</summary>
    /// <param name="text">The text.</param>
    /// <returns><see langword="true"/> when it may be shown as a key.</returns>
    public static bool LooksLikeKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length is 0 or > 100 || !char.IsAsciiLetter(text[0]))
            return false;
        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
                return false;
        }
        return true;
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
