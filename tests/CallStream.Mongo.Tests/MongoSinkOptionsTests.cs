namespace CallStream.Mongo.Tests;

public class MongoSinkOptionsTests
{
    [Fact]
    public void Defaults_AreThoseOfTheReadme()
    {
        var options = new MongoSinkOptions();
        Assert.Null(options.ConnectionString);
        Assert.Equal("callstream", options.Database);
        Assert.Equal("interactions", options.InteractionsCollection);
        Assert.Equal("alerts", options.AlertsCollection);
        Assert.Equal("majority", options.WriteConcern);
        Assert.True(options.CreateIndexes);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ServerSelectionTimeout);
        options.Validate();
    }

    public static TheoryData<Action<MongoSinkOptions>, string, string> Invalid => new()
    {
        { o => o.Database = "", "Database", "MongoSinkOptions.Database must not be empty" },
        { o => o.Database = "call.stream", "Database", "contains '.'" },
        { o => o.Database = "call stream", "Database", "contains ' '" },
        { o => o.Database = new string('d', 64), "Database", "63 characters" },
        { o => o.InteractionsCollection = " ", "InteractionsCollection", "MongoSinkOptions.InteractionsCollection must not be empty" },
        { o => o.AlertsCollection = "al$erts", "AlertsCollection", "contains '$'" },
        { o => o.AlertsCollection = "system.alerts", "AlertsCollection", "starts with 'system.'" },
        { o => o.AlertsCollection = "interactions", "AlertsCollection", "must differ from InteractionsCollection" },
        { o => o.WriteConcern = "0", "WriteConcern", "must not be 0" },
        { o => o.WriteConcern = "all", "WriteConcern", "'majority' or a number of members" },
        { o => o.ServerSelectionTimeout = TimeSpan.Zero, "ServerSelectionTimeout", "MongoSinkOptions.ServerSelectionTimeout must be more than 0" },
        { o => o.ServerSelectionTimeout = TimeSpan.FromHours(1), "ServerSelectionTimeout", "at most 10 minutes" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_NamesTheOptionThatIsWrong(Action<MongoSinkOptions> change, string option, string message)
    {
        var options = new MongoSinkOptions();
        change(options);
        var ex = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(option, ex.ParamName);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("majority")]
    [InlineData("MAJORITY")]
    [InlineData("1")]
    [InlineData("3")]
    public void Validate_AcceptsMajorityOrAPositiveMemberCount(string writeConcern)
    {
        new MongoSinkOptions { WriteConcern = writeConcern }.Validate();
    }

    [Fact]
    public void ParseWriteConcern_GivesTheDriversConcern()
    {
        Assert.Equal(MongoDB.Driver.WriteConcern.WMajority, MongoSinkOptions.ParseWriteConcern("majority"));
        Assert.Equal(new MongoDB.Driver.WriteConcern(2), MongoSinkOptions.ParseWriteConcern("2"));
    }

    [Fact]
    public void ResolveConnectionString_PrefersTheOption()
    {
        var options = new MongoSinkOptions { ConnectionString = " mongodb://option " };
        Assert.Equal("mongodb://option", options.ResolveConnectionString(_ => "mongodb://environment"));
    }

    [Fact]
    public void ResolveConnectionString_FallsBackToCallstreamMongo()
    {
        string? asked = null;
        var options = new MongoSinkOptions();
        Assert.Equal("mongodb://environment", options.ResolveConnectionString(name => (asked = name) == "CALLSTREAM_MONGO" ? "mongodb://environment" : null));
        Assert.Equal("CALLSTREAM_MONGO", asked);
    }

    [Fact]
    public void ResolveConnectionString_WithNeither_SaysWhatToSet()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MongoSinkOptions().ResolveConnectionString(_ => null));
        Assert.Equal("ConnectionString", ex.ParamName);
        Assert.Contains("CALLSTREAM_MONGO", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveConnectionString_Blank_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MongoSinkOptions { ConnectionString = "  " }.ResolveConnectionString(_ => "mongodb://x"));
        Assert.Contains("must not be blank", ex.Message, StringComparison.Ordinal);
    }
}
