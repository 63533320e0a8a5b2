using CallStream.Hosting;
using CallStream.Pipeline;

namespace CallStream.Abstractions.Tests;

public sealed class ConfigurationOptionsValidatorTests
{
    [Fact]
    public void Validate_OptionThrows_PrefixesTheConfigurationPathOfTheProperty()
    {
        var validator = new ConfigurationOptionsValidator<BatchingOptions>(null, "CallStream:Batching", o => o.Validate());

        var result = validator.Validate(null, new BatchingOptions { BatchSize = 0 });

        Assert.True(result.Failed);
        Assert.Equal("CallStream:Batching:BatchSize: BatchingOptions.BatchSize must be from 1 to 1,000,000 (was 0).", result.FailureMessage);
    }

    [Fact]
    public void Validate_MessageAlreadyNamesThePath_KeepsIt()
    {
        var validator = new ConfigurationOptionsValidator<BatchingOptions>(null, "CallStream:Kafka",
            _ => throw new ArgumentException("CallStream:Kafka:BootstrapServers is required.", "BootstrapServers"));

        Assert.Equal("CallStream:Kafka:BootstrapServers is required.", validator.Validate(null, new BatchingOptions()).FailureMessage);
    }

    [Fact]
    public void Validate_OtherName_Skips()
    {
        var validator = new ConfigurationOptionsValidator<BatchingOptions>("alerts", "CallStream:X", _ => throw new ArgumentException("no"));

        Assert.True(validator.Validate("other", new BatchingOptions()).Skipped);
        Assert.True(validator.Validate("alerts", new BatchingOptions()).Failed);
    }

    [Fact]
    public void Validate_ValidOptions_Succeeds()
    {
        var validator = new ConfigurationOptionsValidator<BatchingOptions>(null, "CallStream:Batching", o => o.Validate());

        Assert.True(validator.Validate(null, new BatchingOptions()).Succeeded);
    }

    [Fact]
    public void Constructor_BadArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => new ConfigurationOptionsValidator<BatchingOptions>(null, " ", _ => { }));
        Assert.Throws<ArgumentNullException>(() => new ConfigurationOptionsValidator<BatchingOptions>(null, "x", null!));
    }
}
