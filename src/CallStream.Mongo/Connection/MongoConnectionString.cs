using System.Text;

namespace CallStream.Mongo;

/// <summary>
/// Makes MongoDB connection strings safe to log and to put in messages. Never log a connection string (or the
/// driver's <c>MongoUrl.ToString()</c>, which includes the password) without passing it through <see cref="Redact"/>.
/// </summary>
public static class MongoConnectionString
{
    /// <summary>The text that stands for a hidden secret.</summary>
    public const string Mask = "****";

    /// <summary>
    /// Hides the secrets of a connection string: the password of the user information (<c>user:****@host</c>), the
    /// value of every option whose name contains <c>password</c>, <c>secret</c> or <c>token</c>, and every value of
    /// <c>authMechanismProperties</c>. The string need not be valid; when it is ambiguous, more is hidden, never less.
    /// </summary>
    /// <param name="connectionString">The connection string, valid or not.</param>
    /// <returns>The string with its secrets replaced by <see cref="Mask"/>.</returns>
    public static string Redact(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        int schemeEnd = connectionString.IndexOf("://", StringComparison.Ordinal);
        int restStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
        var result = new StringBuilder(connectionString.Length);
        result.Append(connectionString, 0, restStart);

        // Valid strings percent-encode '@', ':', '/' and '?' in credentials, but users paste raw ones: the user
        // information ends at the last '@', and everything before it except the user name is hidden.
        int at = connectionString.LastIndexOf('@');
        int afterCredentials = restStart;
        if (at >= restStart)
        {
            string userInfo = connectionString[restStart..at];
            int colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                string user = userInfo[..colon];
                result.Append(user.AsSpan().IndexOfAny('/', '?') >= 0 ? Mask : user).Append(':').Append(Mask);
            }
            else
            {
                result.Append(userInfo);
            }
            afterCredentials = at;
        }

        int query = connectionString.IndexOf('?', afterCredentials);
        if (query < 0)
        {
            result.Append(connectionString, afterCredentials, connectionString.Length - afterCredentials);
            return result.ToString();
        }
        result.Append(connectionString, afterCredentials, query + 1 - afterCredentials);
        RedactOptions(connectionString.AsSpan(query + 1), result);
        return result.ToString();
    }

    private static void RedactOptions(ReadOnlySpan<char> options, StringBuilder result)
    {
        while (true)
        {
            int end = options.IndexOfAny('&', ';');
            var pair = end < 0 ? options : options[..end];
            int equals = pair.IndexOf('=');
            if (equals < 0)
            {
                result.Append(pair);
            }
            else
            {
                var name = pair[..equals];
                var value = pair[(equals + 1)..];
                result.Append(name).Append('=');
                if (name.Equals("authMechanismProperties", StringComparison.OrdinalIgnoreCase))
                    RedactProperties(value, result);
                else if (IsSecretName(name))
                    result.Append(Mask);
                else
                    result.Append(value);
            }
            if (end < 0)
                return;
            result.Append(options[end]);
            options = options[(end + 1)..];
        }
    }

    private static void RedactProperties(ReadOnlySpan<char> properties, StringBuilder result)
    {
        // KEY:value,KEY:value (the separators may be percent-encoded: %3A and %2C).
        string decoded = Uri.UnescapeDataString(properties.ToString());
        bool first = true;
        foreach (var property in decoded.Split(','))
        {
            if (!first)
                result.Append(',');
            first = false;
            int colon = property.IndexOf(':', StringComparison.Ordinal);
            result.Append(colon < 0 ? Mask : string.Concat(property.AsSpan(0, colon + 1), Mask));
        }
    }

    private static bool IsSecretName(ReadOnlySpan<char> name) =>
        name.Contains("password", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase)
        || name.Contains("token", StringComparison.OrdinalIgnoreCase);
}
