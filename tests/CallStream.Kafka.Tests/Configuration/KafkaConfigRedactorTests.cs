using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Configuration;

/// <summary>Secrets never reach a log line.</summary>
public sealed class KafkaConfigRedactorTests
{
    [Theory]
    [InlineData("sasl.password")]
    [InlineData("ssl.key.password")]
    [InlineData("ssl.keystore.password")]
    [InlineData("ssl.truststore.password")]
    [InlineData("sasl.oauthbearer.client.secret")]
    [InlineData("sasl.oauthbearer.config")]
    [InlineData("sasl.oauthbearer.assertion.private.key.passphrase")]
    [InlineData("sasl.oauthbearer.assertion.private.key.pem")]
    [InlineData("ssl.key.pem")]
    [InlineData("SASL.PASSWORD")]
    [InlineData("my.custom.secret.value")]
    [InlineData("sasl.jaas.config")]
    public void IsSecret_SecretSettings_AreSecret(string key) => Assert.True(KafkaConfigRedactor.IsSecret(key));

    [Theory]
    [InlineData("bootstrap.servers")]
    [InlineData("sasl.username")]
    [InlineData("sasl.mechanism")]
    [InlineData("security.protocol")]
    [InlineData("ssl.ca.location")]
    [InlineData("ssl.certificate.pem")]
    [InlineData("group.id")]
    public void IsSecret_OrdinarySettings_AreShown(string key) => Assert.False(KafkaConfigRedactor.IsSecret(key));

    [Fact]
    public void Redact_ConfluentConfig_MasksSecretValues_SortsByKey_KeepsTheRest()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = "broker:9092",
            SecurityProtocol = SecurityProtocol.SaslSsl,
            SaslMechanism = SaslMechanism.Plain,
            SaslUsername = "app",
            SaslPassword = "hunter2",
            SslKeyPassword = "key-pass",
            SaslOauthbearerClientSecret = "oauth-secret",
        };

        string text = KafkaConfigRedactor.Redact(config);

        Assert.Equal(
            "bootstrap.servers=broker:9092, sasl.mechanism=PLAIN, sasl.oauthbearer.client.secret=***, sasl.password=***, " +
            "sasl.username=app, security.protocol=sasl_ssl, ssl.key.password=***",
            text);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("key-pass", text, StringComparison.Ordinal);
        Assert.DoesNotContain("oauth-secret", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RedactValue_MasksOnlySecrets_AndKeepsNull()
    {
        Assert.Equal("***", KafkaConfigRedactor.RedactValue("sasl.password", "p"));
        Assert.Equal("plain", KafkaConfigRedactor.RedactValue("sasl.mechanism", "plain"));
        Assert.Null(KafkaConfigRedactor.RedactValue("sasl.password", null));
    }

    [Fact]
    public void Members_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => KafkaConfigRedactor.IsSecret(null!));
        Assert.Throws<ArgumentNullException>(() => KafkaConfigRedactor.RedactValue(null!, "x"));
        Assert.Throws<ArgumentNullException>(() => KafkaConfigRedactor.Redact(null!));
    }

    [Fact]
    public async Task Sink_LogsItsConfiguration_WithSecretsMasked()
    {
        using var cluster = InProcessKafkaCluster.Start(1);
        var log = new Support.ListLoggerFactory();
        var options = Support.KafkaOptions.Sink(cluster, "t");
        options.Settings["sasl.password"] = "hunter2"; // ignored without a SASL protocol, but configured
        await using (var sink = new KafkaInteractionSink(options, log))
            await sink.WriteBatchAsync([Support.TestData.Interaction(1)], TestContext.Current.CancellationToken);

        var created = Assert.Single(log.Entries, e => e.EventId == 4001);
        Assert.Contains("sasl.password=***", created.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("hunter2", StringComparison.Ordinal));
    }
}
