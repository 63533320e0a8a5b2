namespace CallStream.Cli.Tests;

public class CliContextTests
{
    private static CliContext Create(Dictionary<string, string> environment) =>
        new(TextWriter.Null, TextWriter.Null, TimeProvider.System, environment: name => environment.GetValueOrDefault(name));

    [Fact]
    public void GetSetting_OptionGiven_WinsOverTheEnvironment()
    {
        var context = Create(new() { [CliContext.KafkaVariable] = "env:9092" });
        Assert.Equal("cli:9092", context.GetSetting("cli:9092", CliContext.KafkaVariable));
    }

    [Fact]
    public void GetSetting_NoOption_FallsBackOnTheEnvironmentVariable()
    {
        var context = Create(new() { ["CALLSTREAM_MONGO"] = "mongodb://db" });
        Assert.Equal("mongodb://db", context.GetSetting(null, CliContext.MongoVariable));
        Assert.Equal("mongodb://db", context.GetSetting("  ", CliContext.MongoVariable));
        Assert.Null(context.GetSetting(null, CliContext.KafkaVariable));
    }

    [Fact]
    public void GetEnvironmentVariable_BlankValue_IsNull()
    {
        var context = Create(new() { ["X"] = " " });
        Assert.Null(context.GetEnvironmentVariable("X"));
    }

    [Fact]
    public void Constructor_ChecksArguments()
    {
        Assert.Throws<ArgumentNullException>(() => new CliContext(null!, TextWriter.Null, TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new CliContext(TextWriter.Null, null!, TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new CliContext(TextWriter.Null, TextWriter.Null, null!));
        var context = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        Assert.Null(context.GetEnvironmentVariable("PATH"));
        Assert.False(context.ErrorIsTerminal);
        Assert.False(context.HandlesProcessTermination);
    }
}
