using CallStream.Cli.Tests.Kafka;
using CallStream.Testing.Network;

namespace CallStream.Cli.Tests.Redaction;

/// <summary>
/// Runs the tool with secrets in every place it takes them — passwords in <c>--kafka</c>, <c>--mongo</c>,
/// <c>CALLSTREAM_KAFKA</c> and <c>CALLSTREAM_MONGO</c>, <c>--kafka-setting sasl.password=…</c>, misspelt and malformed
/// settings — against a closed port so the Kafka client logs its connection warnings, and checks that no secret
/// appears anywhere in what the runs wrote.
/// </summary>
public sealed class SecretsInOutputTests : IDisposable
{
    private const string UrlSecret = "S3cretPass";
    private const string EnvKafkaSecret = "EnvKafk4Secret";
    private const string SettingSecret = "S4slSettingSecret";
    private const string MongoSecret = "M0ngoUriSecret";
    private const string EnvMongoSecret = "EnvM0ngoSecret";
    private const string ColonSecret = "C0lonSecret";
    private const string MisspeltSecret = "M1sspeltSecret";
    private const string BareSecret = "B4reSecretToken";

    private static readonly string[] Secrets = [UrlSecret, EnvKafkaSecret, SettingSecret, MongoSecret, EnvMongoSecret, ColonSecret, MisspeltSecret, BareSecret];

    private readonly KafkaCliFiles _files = new();

    [Fact]
    public async Task KafkaPasswords_InTheBrokerUrlTheEnvironmentAndSettings_AppearInNoLine_WhileTheClientLogsConnectionWarnings()
    {
        string csv = await _files.GenerateAsync(20);
        int port = LoopbackPorts.Closed();
        // Both runs wait for the connect timeout; they run side by side.
        var produce = RunWithinAsync(
            ["produce", "--input", csv, "--kafka", $"SASL_PLAINTEXT://user:{UrlSecret}@127.0.0.1:{port}",
             "--kafka-setting", "sasl.mechanism=PLAIN", "--kafka-setting", "sasl.username=user", "--kafka-setting", $"sasl.password={SettingSecret}"]);
        var consume = RunWithinAsync(
            ["consume", "--idle-exit", "1s", "--alerts", _files.Temp(".ndjson"), "--kafka-setting", $"sasl.password={SettingSecret}"],
            new Dictionary<string, string> { [CliContext.KafkaVariable] = $"SASL_PLAINTEXT://envuser:{EnvKafkaSecret}@127.0.0.1:{port}" });
        var results = await Task.WhenAll(produce, consume);

        foreach (var result in results)
        {
            Assert.Equal(ExitCodes.Failure, result.ExitCode);
            Assert.Contains("no Kafka broker answered", result.Error, StringComparison.Ordinal);
            AssertNoSecret(result);
        }
        // The masked forms show what was used.
        Assert.Contains("user:***@127.0.0.1:" + port, results[0].Error, StringComparison.Ordinal);
        Assert.Contains("sasl.password=***", results[0].Error, StringComparison.Ordinal);
        // librdkafka's own warnings about the broker name are forwarded, redacted.
        Assert.Contains(results[0].Error.Split('\n'), line => line.StartsWith("produce: warning: librdkafka", StringComparison.Ordinal) && line.Contains("user:***@", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sasl.password:" + ColonSecret, "--kafka-setting 'sasl.password' has no '='")]
    [InlineData("sasl.password " + ColonSecret, "--kafka-setting 'sasl.password' has no '='")]
    [InlineData(BareSecret, "a --kafka-setting without '='")]
    [InlineData("=" + BareSecret, "a --kafka-setting has no key")]
    [InlineData(ColonSecret + "!:x=1", "has a key that is not a setting name")]
    public async Task MalformedSetting_IsRefusedWith2_NamingOnlyTheKey(string setting, string expected)
    {
        var result = await CliRunner.RunAsync(["consume", "--kafka", "127.0.0.1:1", "--kafka-setting", setting]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
        Assert.Contains("KEY=VALUE", result.Error, StringComparison.Ordinal);
        AssertNoSecret(result);
    }

    [Fact]
    public async Task MisspeltSecretKey_IsRefusedWith2_ByName_AndItsValueIsNeverShown()
    {
        string csv = await _files.GenerateAsync(5);

        var result = await CliRunner.RunAsync(["produce", "--input", csv, "--kafka", "127.0.0.1:1", "--kafka-setting", $"sasl.passwrd={MisspeltSecret}"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("'sasl.passwrd'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected error", result.Error, StringComparison.Ordinal);
        AssertNoSecret(result);
    }

    [Theory]
    [InlineData("fetch.max.bytes=x", "fetch.max.bytes")]
    [InlineData("session.timeout.ms=abc", "session.timeout.ms")]
    public async Task InvalidLibrdkafkaValue_IsRefusedWith2_AtOnce_NamingTheKey(string setting, string key)
    {
        var result = await CliRunner.RunAsync(["consume", "--kafka", "127.0.0.1:1", "--kafka-setting", setting, "--kafka-setting", $"sasl.password={SettingSecret}"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"'{key}'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected error", line, StringComparison.Ordinal);
        AssertNoSecret(result);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(" , ")]
    public async Task BlankKafka_IsRefusedWith2_AtOnce(string brokers)
    {
        var result = await CliRunner.RunAsync(["consume", "--kafka", brokers, "--idle-exit", "1s"]);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("--kafka needs at least one host:port", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MongoUriWithAnUnknownAuthMechanism_IsRefusedWith2_WithItsPasswordMasked_FromTheOptionAndTheEnvironment()
    {
        string csv = await _files.GenerateAsync(5);

        var fromOption = await CliRunner.RunAsync(
            ["produce", "--input", csv, "--kafka", "127.0.0.1:1", "--mongo", $"mongodb://app:{MongoSecret}@127.0.0.1:1/?authMechanism=NOPE"]);
        var fromEnvironment = await CliRunner.RunAsync(
            ["consume", "--kafka", "127.0.0.1:1", "--idle-exit", "1s"],
            environment: new Dictionary<string, string> { [CliContext.MongoVariable] = $"mongodb://app:{EnvMongoSecret}@127.0.0.1:1/?authMechanism=NOPE" });

        foreach (var (result, source) in new[] { (fromOption, "--mongo"), (fromEnvironment, CliContext.MongoVariable) })
        {
            Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
            Assert.Contains(source + " 'mongodb://app:****@127.0.0.1:1/?authMechanism=NOPE' is not a valid MongoDB connection string", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("unexpected error", result.Error, StringComparison.Ordinal);
            AssertNoSecret(result);
        }
    }

    public void Dispose() => _files.Dispose();

    private static void AssertNoSecret(CliResult result)
    {
        foreach (string secret in Secrets)
        {
            Assert.DoesNotContain(secret, result.Error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, result.Out, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>Runs the tool; a run that does not end within a generous bound fails the test instead of hanging it.</summary>
    private static async Task<CliResult> RunWithinAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var run = CliRunner.RunAsync(args, environment: environment);
        await run.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        return await run;
    }
}
