using CallStream.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CallStream.Mongo.Tests.Hosting;

public sealed class MongoHostingTests
{
    [Fact]
    public async Task Start_NoConnectionString_SaysTheSettingIsRequired()
    {
        Assert.SkipWhen(Environment.GetEnvironmentVariable(MongoSinkOptions.ConnectionStringVariable) is { Length: > 0 }, "CALLSTREAM_MONGO is set, so the connection string is not missing.");
        using var host = BuildHost([]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("CallStream:Mongo:ConnectionString is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Database", "a/b", "CallStream:Mongo:Database: MongoSinkOptions.Database 'a/b' contains '/'")]
    [InlineData("WriteConcern", "0", "CallStream:Mongo:WriteConcern: MongoSinkOptions.WriteConcern must not be 0")]
    [InlineData("AlertsCollection", "interactions", "CallStream:Mongo:AlertsCollection: MongoSinkOptions.AlertsCollection must differ")]
    [InlineData("ConnectionString", "http://nope", "CallStream:Mongo:ConnectionString")]
    public async Task Start_InvalidSetting_FailsWithAMessageNamingTheSetting(string key, string value, string expected)
    {
        using var host = BuildHost(new() { ["CallStream:Mongo:ConnectionString"] = "mongodb://localhost:27017", ["CallStream:Mongo:" + key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMongoSinks_RegistersBothSinksOneStoreAndOneHealthCheck()
    {
        using var host = BuildHost(new() { ["CallStream:Mongo:ConnectionString"] = "mongodb://localhost:27017", ["CallStream:Mongo:Database"] = "demo" },
            cs => cs.AddMongoSinks().AddMongoAlertSink());

        var store = host.Services.GetRequiredService<MongoStore>();
        Assert.Equal("demo", store.DatabaseName);
        var checks = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Single(checks, c => c.Name == MongoCallStreamBuilderExtensions.HealthCheckName);
        Assert.Contains(checks, c => c.Tags.Contains(CallStreamHealthOptions.Tag));
    }

    [Fact]
    public void BuilderMethods_NullBuilder_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => MongoCallStreamBuilderExtensions.AddMongoSinks(null!));
        Assert.Throws<ArgumentNullException>(() => MongoCallStreamBuilderExtensions.AddMongoAlertSink(null!));
        Assert.Throws<ArgumentNullException>(() => MongoCallStreamBuilderExtensions.AddMongoInteractionSink(null!));
    }

    private static IHost BuildHost(Dictionary<string, string?> settings, Action<ICallStreamBuilder>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs =>
        {
            cs.UseSource(_ => throw new InvalidOperationException("The source is not read in these tests.")).AddDefaultRules();
            (configure ?? (b => b.AddMongoAlertSink()))(cs);
        });
        return builder.Build();
    }
}
