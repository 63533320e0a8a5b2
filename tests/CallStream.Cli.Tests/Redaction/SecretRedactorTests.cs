using CallStream.Cli.Redaction;

namespace CallStream.Cli.Tests.Redaction;

public class SecretRedactorTests
{
    [Theory]
    [InlineData("mongodb://user:secret@host", "mongodb://user:***@host")]
    [InlineData("mongodb://user:secret@host:27017/callstream", "mongodb://user:***@host:27017/callstream")]
    [InlineData("mongodb+srv://app:p%40ss@cluster0.example.net/db?retryWrites=true", "mongodb+srv://app:***@cluster0.example.net/db?retryWrites=true")]
    [InlineData("mongodb://u:pa@ss/w:rd@h1:27017,h2:27017/?replicaSet=rs0", "mongodb://u:***@h1:27017,h2:27017/?replicaSet=rs0")]
    [InlineData("mongodb://h1/?authSource=admin&password=hunter2&tls=true", "mongodb://h1/?authSource=admin&password=***&tls=true")]
    [InlineData("mongodb://onlyuser@host", "mongodb://onlyuser@host")]
    [InlineData("mongodb://host:27017", "mongodb://host:27017")]
    [InlineData("Host=db;Username=app;Password=hunter2;Timeout=5", "Host=db;Username=app;Password=***;Timeout=5")]
    [InlineData("broker1:9092,broker2:9092", "broker1:9092,broker2:9092")]
    [InlineData("", "")]
    public void RedactConnectionString_HidesPasswords(string input, string expected)
    {
        Assert.Equal(expected, SecretRedactor.RedactConnectionString(input));
    }

    [Fact]
    public void RedactConnectionString_Null_IsNull()
    {
        Assert.Null(SecretRedactor.RedactConnectionString(null));
    }

    [Fact]
    public void RedactSettings_MasksKafkaSecretsAndKeepsTheRest()
    {
        var settings = new Dictionary<string, string>
        {
            ["bootstrap.servers"] = "kafka:9092",
            ["security.protocol"] = "SASL_SSL",
            ["sasl.username"] = "app",
            ["sasl.password"] = "hunter2",
            ["ssl.key.password"] = "k3y",
            ["sasl.oauthbearer.client.secret"] = "s3cret",
            ["sasl.jaas.config"] = "org.apache.kafka... password=\"x\"",
            ["mongo"] = "mongodb://u:pw@h",
        };

        var redacted = SecretRedactor.RedactSettings(settings);

        Assert.Equal(settings.Keys, redacted.Select(s => s.Key));
        var values = redacted.ToDictionary(s => s.Key, s => s.Value);
        Assert.Equal("kafka:9092", values["bootstrap.servers"]);
        Assert.Equal("app", values["sasl.username"]);
        Assert.Equal("***", values["sasl.password"]);
        Assert.Equal("***", values["ssl.key.password"]);
        Assert.Equal("***", values["sasl.oauthbearer.client.secret"]);
        Assert.Equal("***", values["sasl.jaas.config"]);
        Assert.Equal("mongodb://u:***@h", values["mongo"]);
        string text = SecretRedactor.FormatSettings(settings);
        foreach (string secret in new[] { "hunter2", "k3y", "s3cret", "pw@" })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.StartsWith("bootstrap.servers=kafka:9092, security.protocol=SASL_SSL", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sasl.password", true)]
    [InlineData("SSL.KEYSTORE.PASSWORD", true)]
    [InlineData("ApiKey", true)]
    [InlineData("access_token", true)]
    [InlineData("sasl.passwrd", true)]
    [InlineData("sasl.pasword", true)]
    [InlineData("db.pswd", true)]
    [InlineData("oauth.secert", true)]
    [InlineData("api.tokn", true)]
    [InlineData("aws.credentail", true)]
    [InlineData("ssl.key.location", true)]
    [InlineData("security.protocol", false)]
    [InlineData("session.timeout.ms", false)]
    [InlineData("fetch.max.bytes", false)]
    [InlineData("bootstrap.servers", false)]
    [InlineData("sasl.username", false)]
    public void IsSecretKey_RecognisesSecretNames(string key, bool expected)
    {
        Assert.Equal(expected, SecretRedactor.IsSecretKey(key));
    }

    [Fact]
    public void Methods_CheckArguments()
    {
        Assert.Throws<ArgumentNullException>(() => SecretRedactor.IsSecretKey(null!));
        Assert.Throws<ArgumentNullException>(() => SecretRedactor.RedactSettings(null!));
    }
}
