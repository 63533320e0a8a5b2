namespace CallStream.Mongo.Tests;

public class MongoConnectionStringTests
{
    [Theory]
    [InlineData("mongodb://alice:s3cret@db1:27017,db2:27018/callstream?authSource=admin", "mongodb://alice:****@db1:27017,db2:27018/callstream?authSource=admin")]
    [InlineData("mongodb+srv://alice:s3cret@cluster0.example.net/?retryWrites=true", "mongodb+srv://alice:****@cluster0.example.net/?retryWrites=true")]
    [InlineData("mongodb://alice:p%40ss%3Aword@localhost", "mongodb://alice:****@localhost")]
    [InlineData("mongodb://alice:pa@ss@localhost/db", "mongodb://alice:****@localhost/db")]
    [InlineData("mongodb://alice:pa/ss?x@localhost:27017/db", "mongodb://alice:****@localhost:27017/db")]
    [InlineData("mongodb://alice@localhost/?authMechanism=MONGODB-X509", "mongodb://alice@localhost/?authMechanism=MONGODB-X509")]
    [InlineData("mongodb://localhost:27017", "mongodb://localhost:27017")]
    [InlineData("mongodb://localhost/?appName=a@b", "mongodb://localhost/?appName=a@b")]
    public void Redact_HidesThePasswordOfTheUserInformation(string connectionString, string expected)
    {
        Assert.Equal(expected, MongoConnectionString.Redact(connectionString));
    }

    [Theory]
    [InlineData("mongodb://db/?password=hunter2&w=majority", "mongodb://db/?password=****&w=majority")]
    [InlineData("mongodb://db/?tlsCertificateKeyFilePassword=hunter2;ssl=true", "mongodb://db/?tlsCertificateKeyFilePassword=****;ssl=true")]
    [InlineData("mongodb://db/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:hunter2,SERVICE_NAME:mongo",
        "mongodb://db/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:****,SERVICE_NAME:****")]
    [InlineData("mongodb://db/?authMechanismProperties=AWS_SESSION_TOKEN%3Ahunter2", "mongodb://db/?authMechanismProperties=AWS_SESSION_TOKEN:****")]
    [InlineData("mongodb://db/?clientSecret=hunter2&accessToken=hunter2", "mongodb://db/?clientSecret=****&accessToken=****")]
    public void Redact_HidesSecretOptions(string connectionString, string expected)
    {
        string redacted = MongoConnectionString.Redact(connectionString);
        Assert.Equal(expected, redacted);
        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice:hunter2@db", "alice:****@db")]
    [InlineData("not a connection string", "not a connection string")]
    [InlineData("", "")]
    [InlineData("mongodb://alice:hunter2@", "mongodb://alice:****@")]
    [InlineData("mongodb://:hunter2@db", "mongodb://:****@db")]
    [InlineData("mongodb://db/?password", "mongodb://db/?password")]
    [InlineData("mongodb://u:hunter2@db/?appName=x@y", "mongodb://u:****@y")]
    public void Redact_InvalidOrAmbiguousStrings_HideMoreNeverLess(string connectionString, string expected)
    {
        string redacted = MongoConnectionString.Redact(connectionString);
        Assert.Equal(expected, redacted);
        Assert.DoesNotContain("hunter2", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_RejectsNull()
    {
        Assert.Throws<ArgumentNullException>(() => MongoConnectionString.Redact(null!));
    }
}
