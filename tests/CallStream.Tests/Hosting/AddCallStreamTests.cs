using CallStream.Hosting;
using CallStream.Rules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CallStream.Tests.Hosting;

public sealed class AddCallStreamTests
{
    [Theory]
    [InlineData("Health:MaxConsumerLag", "-1", "CallStream:Health:MaxConsumerLag must not be negative (was -1).")]
    [InlineData("Health:Timeout", "00:00:00", "CallStream:Health:Timeout must be more than 0")]
    [InlineData("Rules:File", " ", "CallStream:Rules:File must not be blank")]
    [InlineData("Pipeline:AllowedLateness", "-00:00:01", "CallStream:Pipeline:AllowedLateness: InteractionPipelineOptions.AllowedLateness must not be negative")]
    [InlineData("Pipeline:EventTime", "middle", "CallStream:Pipeline:EventTime must be start or end, not 'middle'.")]
    [InlineData("Pipeline:EventTime", "1", "CallStream:Pipeline:EventTime must be start or end, not '1'.")]
    [InlineData("Pipeline:IdleTimeout", "-00:00:01", "CallStream:Pipeline:IdleTimeout: InteractionPipelineOptions.IdleTimeout must not be negative")]
    [InlineData("Pipeline:WarmUpHorizon", "-00:00:01", "CallStream:Pipeline:WarmUpHorizon: InteractionPipelineOptions.WarmUpHorizon must not be negative")]
    public async Task Start_InvalidSetting_FailsWithAMessageNamingTheSetting(string key, string value, string expected)
    {
        using var host = BuildHost(new() { ["CallStream:" + key] = value, ["CallStream:Rules:UseDefaults"] = "true" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_NoSource_SaysWhichMethodAddsOne()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddCallStream(cs => cs.AddDefaultRules());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("UseKafkaSource()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidRuleFile_FailsWithItsDiagnostics()
    {
        string path = Path.Combine(Path.GetTempPath(), "callstream-" + Guid.NewGuid().ToString("N") + ".rules");
        await File.WriteAllTextAsync(path, "rule X\n  where nope > 1\n", TestContext.Current.CancellationToken);
        try
        {
            using var host = BuildHost(new() { ["CallStream:Rules:File"] = path });

            var error = await Assert.ThrowsAsync<RuleParseException>(() => host.StartAsync(TestContext.Current.CancellationToken));

            Assert.Contains(path + ":2:9:", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task SourceFails_HostStops_AndTheHealthCheckReportsTheFailure()
    {
        using var host = BuildHost(new() { ["CallStream:Rules:UseDefaults"] = "true" });
        var service = host.Services.GetRequiredService<CallStreamHostedService>();

        await host.StartAsync(TestContext.Current.CancellationToken);
        // The deadline only bounds a host that never stops (the failure under test).
        await host.WaitForShutdownAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.IsType<InvalidOperationException>(service.Failure);
        Assert.False(service.IsRunning);
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        var entry = report.Entries[CallStreamHealthCheck.Name];
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("The source is not read in these tests.", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_BoundFromTheCallStreamSection()
    {
        using var host = BuildHost(new()
        {
            ["CallStream:Rules:UseDefaults"] = "true",
            ["CallStream:Rules:File"] = "alerts.rules",
            ["CallStream:Rules:ReloadOnChange"] = "false",
            ["CallStream:Health:MaxConsumerLag"] = "42",
            ["CallStream:Pipeline:AllowedLateness"] = "00:00:30",
            ["CallStream:Pipeline:IdleTimeout"] = "00:00:02",
            ["CallStream:Pipeline:WarmUp"] = "false",
        });

        var options = host.Services.GetRequiredService<IOptions<CallStreamOptions>>().Value;
        Assert.True(options.Rules.UseDefaults);
        Assert.Equal("alerts.rules", options.Rules.File);
        Assert.False(options.Rules.ReloadOnChange);
        Assert.Equal(42, options.Health.MaxConsumerLag);
        var pipeline = host.Services.GetRequiredService<IOptions<InteractionPipelineOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(30), pipeline.AllowedLateness);
        Assert.Equal(TimeSpan.FromSeconds(2), pipeline.IdleTimeout);
        Assert.False(pipeline.WarmUp);
    }

    [Theory]
    [InlineData("end", EventTimeMode.End)]
    [InlineData("End", EventTimeMode.End)]
    [InlineData("START", EventTimeMode.Start)]
    [InlineData(null, EventTimeMode.Start)]
    public void PipelineEventTime_IsBoundFromStartOrEndInAnyCase(string? value, EventTimeMode expected)
    {
        var settings = new Dictionary<string, string?> { ["CallStream:Rules:UseDefaults"] = "true" };
        if (value is not null)
            settings["CallStream:Pipeline:EventTime"] = value;
        using var host = BuildHost(settings);

        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<InteractionPipelineOptions>>().Value.EventTime);
    }

    [Fact]
    public void AddCallStream_Twice_RegistersOneHostedServiceAndOneHealthCheck()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddCallStream(cs => cs.AddDefaultRules());
        services.AddCallStream(cs => cs.AddDefaultRules());
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IHostedService>().OfType<CallStreamHostedService>());
        var checks = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Single(checks, c => c.Name == CallStreamHealthCheck.Name);
        Assert.Single(provider.GetServices<IRuleSource>());
    }

    [Fact]
    public void AddAlertSink_SameNameTwice_KeepsTheLast()
    {
        var services = new ServiceCollection();
        var first = new ListSink();
        var second = new ListSink();
        services.AddCallStream(cs => cs.AddAlertSink("list", _ => first).AddAlertSink("list", _ => second));
        using var provider = services.BuildServiceProvider();

        var registration = Assert.Single(provider.GetServices<SinkRegistration<Alert>>());
        Assert.Same(second, registration.Resolve(provider));
    }

    [Fact]
    public void AddRules_Fluent_AreTheRunningRules()
    {
        var services = new ServiceCollection();
        services.AddCallStream(cs => cs.AddRules(
            Rule.Named("LongCall").Where(i => i.DurationSeconds > 3000).Warning().Build(),
            Rule.Named("Failed").Where(i => i.Outcome == Outcome.Failed).Build()));
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<RuleSetMonitor>();

        monitor.Start();

        Assert.Equal(["LongCall", "Failed"], monitor.Current.Select(r => r.Name));
    }

    [Fact]
    public void BuilderMethods_NullArguments_Throw()
    {
        var services = new ServiceCollection();
        ICallStreamBuilder? captured = null;
        services.AddCallStream(cs => captured = cs);
        var cs = captured!;

        Assert.Throws<ArgumentNullException>(() => services.AddCallStream((Action<ICallStreamBuilder>)null!));
        Assert.Throws<ArgumentNullException>(() => services.AddCallStream((IConfiguration)null!));
        Assert.Throws<ArgumentNullException>(() => cs.UseSource(null!));
        Assert.Throws<ArgumentNullException>(() => cs.AddRules((RuleSet)null!));
        Assert.Throws<ArgumentException>(() => cs.AddRuleFile(" "));
        Assert.Throws<ArgumentNullException>(() => cs.AddRuleSource(null!));
        Assert.Throws<ArgumentException>(() => cs.AddAlertSink(" ", _ => new ListSink()));
        Assert.Throws<ArgumentNullException>(() => cs.AddAlertSink("x", null!));
        Assert.Throws<ArgumentException>(() => cs.AddInteractionSink<NullInteractionSink>(""));
        Assert.Null(cs.GetConfigurationSection("Kafka"));
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddCallStream(builder.Configuration.GetSection(CallStreamOptions.SectionName),
            cs => cs.UseSource(_ => throw new InvalidOperationException("The source is not read in these tests.")));
        return builder.Build();
    }

    private sealed class ListSink : IBatchedSink<Alert>
    {
        public List<Alert> Items { get; } = [];

        public ValueTask WriteBatchAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
        {
            Items.AddRange(batch);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NullInteractionSink : IBatchedSink<Interaction>
    {
        public ValueTask WriteBatchAsync(IReadOnlyList<Interaction> batch, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
