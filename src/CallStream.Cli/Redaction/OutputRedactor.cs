using System.Text.RegularExpressions;

namespace CallStream.Cli.Redaction;

/// <summary>
/// The one redactor every line of a run passes before it is written (<see cref="RedactingWriter"/>): it knows the
/// secrets of this run — the passwords of the <c>--kafka</c> and <c>--mongo</c> values and of <c>CALLSTREAM_KAFKA</c>
/// and <c>CALLSTREAM_MONGO</c>, the values of secret-looking <c>--kafka-setting</c> keys, and whatever follows the
/// key of a malformed setting — and masks them wherever they appear, in the tool's own lines, in forwarded client
/// logs and in exception messages alike. It also masks, whatever their value, the password of a
/// <c>scheme://user:password@</c> and the value of a secret-looking <c>key=value</c>.
/// </summary>
internal sealed partial class OutputRedactor
{
    /// <summary>Known secrets shorter than this are masked only where a pattern shows them (a URL's password, a
    /// secret key's value): masking every "ab" in every line would garble the output and protect next to nothing.</summary>
    public const int MinimumKnownLength = 4;

    private static readonly string[] SecretOptions = ["--kafka", "--mongo", "--kafka-setting"];

    private readonly string[] _secrets;

    /// <summary>Creates a redactor for known secrets.</summary>
    /// <param name="secrets">The secret texts; blank and short ones are ignored (see <see cref="MinimumKnownLength"/>).</param>
    public OutputRedactor(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = [.. secrets
            .Where(s => !string.IsNullOrWhiteSpace(s) && s.Trim().Length >= MinimumKnownLength && s != SecretRedactor.Mask)
            .SelectMany(s => new[] { s, s.Trim() })
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(s => s.Length)];
    }

    /// <summary>Gets how many secret texts are known.</summary>
    public int KnownSecrets => _secrets.Length;

    /// <summary>Creates the redactor of a run from its arguments and environment, before anything is parsed or written.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <returns>The redactor.</returns>
    public static OutputRedactor ForRun(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var secrets = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            foreach (string option in SecretOptions)
            {
                string arg = args[i];
                string? value = null;
                if (arg == option && i + 1 < args.Count)
                    value = args[i + 1];
                else if (arg.Length > option.Length + 1 && arg.StartsWith(option, StringComparison.Ordinal) && arg[option.Length] is '=' or ':')
                    value = arg[(option.Length + 1)..];
                if (value is null)
                    continue;
                if (option == "--kafka-setting")
                    secrets.AddRange(SettingSecrets(value));
                else
                    secrets.AddRange(ConnectionSecrets(value));
            }
        }
        foreach (string variable in new[] { CliContext.KafkaVariable, CliContext.MongoVariable })
        {
            if (environment(variable) is { } value)
                secrets.AddRange(ConnectionSecrets(value));
        }
        return new OutputRedactor(secrets);
    }

    /// <summary>The secrets of a <c>--kafka-setting</c> value: the value of a secret-looking key; for a setting without
    /// <c>=</c>, everything after its key (or all of it when no key can be told apart).</summary>
    /// <param name="setting">The setting as given.</param>
    /// <returns>The secret texts.</returns>
    public static IEnumerable<string> SettingSecrets(string setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        int equals = setting.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            string key = setting[..equals].Trim();
            string value = setting[(equals + 1)..];
            if (SecretRedactor.IsSecretKey(key) || !SecretRedactor.LooksLikeKey(key))
                yield return value;
            if (!SecretRedactor.LooksLikeKey(key))
                yield return key;
            yield break;
        }
        int separator = setting.IndexOfAny([':', ' ', '\t']);
        if (separator > 0)
        {
            yield return setting[(separator + 1)..];
            if (!SecretRedactor.LooksLikeKey(setting[..separator]))
                yield return setting[..separator];
        }
        else
        {
            yield return setting;
        }
    }

    /// <summary>The secrets of a connection string or broker list: each password of a <c>user:password@</c> and each
    /// value of a secret-looking query parameter, as written and percent-decoded.</summary>
    /// <param name="value">The connection string, for example <c>SASL_SSL://app:pw@broker:9092,broker2:9092</c>.</param>
    /// <returns>The secret texts.</returns>
    public static IEnumerable<string> ConnectionSecrets(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var found = new List<string>();
        // A password may hold ',' (a broker list's separator), so the whole string is read once as one authority
        // and then item by item.
        foreach (string item in value.Split(',').Prepend(value))
        {
            string text = item.Trim();
            int scheme = text.IndexOf("://", StringComparison.Ordinal);
            int start = scheme < 0 ? 0 : scheme + 3;
            int query = text.IndexOf('?', start);
            int end = query < 0 ? text.Length : query;
            int at = end > start ? text.LastIndexOf('@', end - 1, end - start) : -1;
            if (at > start)
            {
                int colon = text.IndexOf(':', start, at - start);
                if (colon >= 0 && colon + 1 < at)
                    found.Add(text[(colon + 1)..at]);
            }
            if (query >= 0)
            {
                foreach (string pair in text[(query + 1)..].Split('&', ';'))
                {
                    int equals = pair.IndexOf('=', StringComparison.Ordinal);
                    if (equals > 0 && SecretRedactor.IsSecretKey(pair[..equals]))
                        found.Add(pair[(equals + 1)..]);
                }
            }
        }
        foreach (string secret in found)
        {
            yield return secret;
            string decoded;
            try
            {
                decoded = Uri.UnescapeDataString(secret);
            }
            catch (UriFormatException)
            {
                continue;
            }
            if (decoded != secret)
                yield return decoded;
        }
    }

    /// <summary>Masks the secrets in a text.</summary>
    /// <param name="text">A line, or part of one.</param>
    /// <returns>The text with every known secret, URL password and secret setting value replaced by <c>***</c>.</returns>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (string secret in _secrets)
        {
            // Ignoring case: librdkafka writes broker names in lower case.
            if (text.Contains(secret, StringComparison.OrdinalIgnoreCase))
                text = text.Replace(secret, SecretRedactor.Mask, StringComparison.OrdinalIgnoreCase);
        }
        if (text.Contains("://", StringComparison.Ordinal))
            text = UrlPassword().Replace(text, m => IsMasked(m.Groups[2].Value) ? m.Value : m.Groups[1].Value + SecretRedactor.Mask + "@");
        if (text.Contains('=', StringComparison.Ordinal) || text.Contains(':', StringComparison.Ordinal))
            text = KeyValue().Replace(text, m => IsSecretInText(m.Groups[1].Value) && !IsMasked(m.Groups[3].Value) && !IsPosition(m) ? m.Groups[1].Value + m.Groups[2].Value + SecretRedactor.Mask : m.Value);
        return text;
    }

    /// <summary>Tells whether a value is already a mask (<c>***</c>, or the MongoDB package's <c>****</c>) or a placeholder
    /// (<c>…</c>, as in the help's <c>sasl.password=…</c>).</summary>
    private static bool IsMasked(string value) =>
        value is "…" or "..." || (value.Length > 0 && value.AsSpan().IndexOfAnyExcept('*') < 0);

    /// <summary>Tells whether a <c>name:value</c> is a file position (<c>secrets.csv:12:3</c>), not a setting.</summary>
    private static bool IsPosition(Match match) =>
        match.Groups[2].Value.Contains(':', StringComparison.Ordinal) && match.Groups[3].Value.AsSpan().IndexOfAnyExcept("0123456789:") < 0;

    /// <summary>Tells whether a key found in free text names a secret: as <see cref="SecretRedactor.IsSecretKey"/>, but
    /// not the placeholder <c>KEY</c> of <c>KEY=VALUE</c>.</summary>
    private static bool IsSecretInText(string key) =>
        !key.Equals("key", StringComparison.OrdinalIgnoreCase) && SecretRedactor.IsSecretKey(key);

    /// <summary><c>scheme://user:</c>, then the password up to the last <c>@</c> before the next space.</summary>
    [GeneratedRegex(@"([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)(\S+?)@(?=[^\s@]*(?:\s|$))", RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    /// <summary><c>key=value</c>, or <c>dotted.key:value</c> (a setting written with a colon), the value up to a space,
    /// comma, semicolon, ampersand or quote, or a quoted value.</summary>
    [GeneratedRegex("""(?<![\w.\-])([A-Za-z][\w\-]*(?:\.[\w\-]+)*)(\s*=\s*|(?<=\.[\w\-]+):\s*)("[^"]*"|'[^']*'|[^\s,;&'"()]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex KeyValue();
}
