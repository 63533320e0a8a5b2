using System.Security.Cryptography;
using System.Text;

namespace CallStream.Testing;

/// <summary>Rule files kept verbatim as test fixtures, embedded in this assembly.</summary>
public static class RuleFixtures
{
    /// <summary>The file name of <see cref="DefaultRulesV1"/>, for diagnostics.</summary>
    public const string DefaultRulesV1FileName = "default-rules-v1.rules";

    /// <summary>The SHA-256 of <see cref="DefaultRulesV1"/>'s bytes (lowercase hex), so an edit of the fixture is noticed.</summary>
    public const string DefaultRulesV1Sha256 = "447cd8eacece247c10f24ff3b826980a0c4d006ef3ec082c73dcbc09b0b7163b";

    /// <summary>
    /// Gets the default rules before issue 12 (seven rules, with the per-failure <c>FailedCall</c>), byte for byte as
    /// they were shipped, kept so replay outputs can be compared across versions: the same file over the same log must
    /// give the same alerts (ids, contents, the SHA-256 of the NDJSON) whatever the engine's internals become.
    /// Never edit this file; a new rule set gets a new fixture.
    /// </summary>
    public static string DefaultRulesV1 => Read(DefaultRulesV1FileName);

    /// <summary>Computes the SHA-256 of a fixture's bytes as lowercase hex.</summary>
    /// <param name="text">The fixture's text.</param>
    /// <returns>The hash.</returns>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Read(string fileName)
    {
        string name = "CallStream.Testing.Fixtures." + fileName;
        using var stream = typeof(RuleFixtures).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The fixture {name} is not embedded in {typeof(RuleFixtures).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);
        return reader.ReadToEnd();
    }
}
