using CallStream.Cli.Redaction;

namespace CallStream.Cli.Tests.Redaction;

public class OutputRedactorTests
{
    [Fact]
    public void ForRun_KnowsThePasswordsOfUrlsSettingsAndTheEnvironment_AndMasksThemAnywhere()
    {
        var redactor = OutputRedactor.ForRun(
            ["consume", "--kafka", "SASL_PLAINTEXT://user:S3cretPass@127.0.0.1:1", "--kafka-setting", "sasl.passwrd=Missp3lt", "--kafka-setting=sasl.password:Col0nValue", "--mongo", "mongodb://a:p%40ssw0rd@h/?x=1"],
            name => name == CliContext.KafkaVariable ? "user:EnvK4fka@broker:9092" : null);

        string line = "warning: sasl_plaintext://user:s3cretpass@127.0.0.1:1/bootstrap: Connect failed; Missp3lt Col0nValue p@ssw0rd p%40ssw0rd EnvK4fka";

        Assert.Equal("warning: sasl_plaintext://user:***@127.0.0.1:1/bootstrap: Connect failed; *** *** *** *** ***", redactor.Redact(line));
    }

    [Theory]
    [InlineData("at mongodb://app:unknownPw@db:27017/x failed", "at mongodb://app:***@db:27017/x failed")]
    [InlineData("settings: sasl.password=hunter2, linger.ms=5", "settings: sasl.password=***, linger.ms=5")]
    [InlineData("sasl.passwrd=hunter2 ssl.key.password = 'a b'", "sasl.passwrd=*** ssl.key.password = ***")]
    [InlineData("given sasl.password:hunter2", "given sasl.password:***")]
    [InlineData("consume: 12 messages; rule 'x': token 'y' at 3:4", "consume: 12 messages; rule 'x': token 'y' at 3:4")]
    [InlineData("topic consumerdata at broker:9092 (sasl.password=***)", "topic consumerdata at broker:9092 (sasl.password=***)")]
    [InlineData("mongodb://app:****@db:27017/", "mongodb://app:****@db:27017/")]
    [InlineData("secrets.csv:12:3: bad value", "secrets.csv:12:3: bad value")]
    [InlineData("it must be KEY=VALUE, e.g. sasl.password=…", "it must be KEY=VALUE, e.g. sasl.password=…")]
    public void Redact_MasksUnknownSecretsByPattern(string text, string expected)
    {
        Assert.Equal(expected, new OutputRedactor([]).Redact(text));
    }

    [Fact]
    public void ShortSecrets_AreMaskedOnlyByPattern()
    {
        var redactor = new OutputRedactor(["ab", "abc"]);

        Assert.Equal(0, redactor.KnownSecrets);
        Assert.Equal("tab abc", redactor.Redact("tab abc"));
    }

    [Fact]
    public void Writer_MasksASecretWrittenInPieces_AndKeepsProgressLive()
    {
        var inner = new StringWriter();
        using var writer = new RedactingWriter(inner, new OutputRedactor(["S3cretPass"]));

        writer.Write("user:S3cr");
        writer.Write('e');
        writer.Write("tPass@host");
        writer.WriteLine();
        writer.Write("\rprogress 10");
        writer.Flush();

        Assert.Equal("user:***@host" + Environment.NewLine + "\rprogress 10", inner.ToString());
    }
}
