using System.Collections.Concurrent;
using CallStream.Hosting;
using Confluent.Kafka;
using CallStream.Kafka.Tests.Support;
using CallStream.Rules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace CallStream.Kafka.Tests.Hosting;

/// <summary>The hosted pipeline end to end: a Generic Host with AddCallStream + UseKafkaSource on the in-process cluster.</summary>
public sealed class KafkaHostTests : IDisposable
{
    private const string Topic = "interactions";
    private const int Partitions = 2;
    private readonly InProcessKafkaCluster _cluster = InProcessKafkaCluster.Start(1);
    private readonly string _group = "host-" + Guid.NewGuid().ToString("N");

    public KafkaHostTests() => _cluster.CreateTopic(Topic, Partitions);

    public void Dispose() => _cluster.Dispose();

    private static Rule FailedRule => Rule.Named("Failed").Where(i => i.Outcome == Outcome.Failed).Critical().WithMessage("failed {interaction_id}").Build();

    [Fact]
    public async Task StopAsync_DrainsAndCommits_NextRunResumesAfterTheCommittedRecords()
    {
        var all = SeedHalves(200);
        var first = new RecordingSink();
        using (var host = BuildHost(first, cs => cs.AddRules(FailedRule)))
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
            var service = host.Services.GetRequiredService<CallStreamHostedService>();
            Eventually.Holds(() => service.GetStatistics()?.Consumed == all.Count, Eventually.Generous, "reading every record");

            await host.StopAsync(TestContext.Current.CancellationToken);
            Assert.False(service.IsRunning);
            Assert.Null(service.Failure);
        }

        // Every failed interaction below the committed offsets has its alert in the sink: the stop drained the sink
        // before committing, and committed what was durable.
        var committed = Seed.Committed(_cluster, Topic, _group, Partitions);
        Assert.True(committed.Values.Sum() > 0, "the stop committed nothing");
        var durable = all.Where(r => r.Offset < committed[r.Partition] && r.Interaction.Outcome == Outcome.Failed).Select(r => r.Interaction.InteractionId);
        Assert.Subset(first.InteractionIds.ToHashSet(), durable.ToHashSet());

        // A second run resumes from the commits and, with the input completed, ends with every alert written once.
        var second = new RecordingSink();
        using (var host = BuildHost(second, cs => cs.AddRules(FailedRule)))
        {
            await RunToCompletionAsync(host, all.Count - (int)committed.Values.Sum());
        }

        var expected = all.Where(r => r.Interaction.Outcome == Outcome.Failed).Select(r => r.Interaction.InteractionId).Order().ToList();
        Assert.Equal(expected, first.InteractionIds.Union(second.InteractionIds).Order().ToList());
        Assert.DoesNotContain(second.InteractionIds, id => all.Single(r => r.Interaction.InteractionId == id) is var r && r.Offset < committed[r.Partition]);
    }

    [Fact]
    public async Task Run_EmitsAlertsByRuleAndSeverityAndSinkBatchMetrics()
    {
        var all = SeedHalves(60);
        var sink = new RecordingSink();
        using var host = BuildHost(sink, cs => cs.AddRules(FailedRule));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var alerts = new MetricCollector<long>(meters, "CallStream", "callstream.rules.alerts");
        using var batchSizes = new MetricCollector<int>(meters, "CallStream", "callstream.sink.batch.size");
        using var durations = new MetricCollector<double>(meters, "CallStream", "callstream.sink.write.duration");

        await RunToCompletionAsync(host, all.Count);

        int failed = all.Count(r => r.Interaction.Outcome == Outcome.Failed);
        Assert.Equal(failed, sink.InteractionIds.Count);
        var measured = alerts.GetMeasurementSnapshot();
        Assert.Equal(failed, measured.EvaluateAsCounter());
        Assert.All(measured, m =>
        {
            Assert.Equal("Failed", m.Tags["rule"]);
            Assert.Equal("critical", m.Tags["severity"]);
        });
        Assert.Equal(failed, batchSizes.GetMeasurementSnapshot().Where(m => Equals(m.Tags["sink"], "list")).Sum(m => m.Value));
        Assert.Contains(durations.GetMeasurementSnapshot(), m => Equals(m.Tags["sink"], "list") && Equals(m.Tags["outcome"], "ok"));
    }

    [Fact]
    public async Task RuleFile_BadEditIsLoggedAndIgnored_GoodEditRestartsThePipelineWithTheNewRules()
    {
        string directory = Directory.CreateTempSubdirectory("callstream-host-").FullName;
        string path = Path.Combine(directory, "alerts.rules");
        await File.WriteAllTextAsync(path, "rule Failed\n  where outcome = 'failed'\n", TestContext.Current.CancellationToken);
        var logs = new FakeLogCollector();
        try
        {
            SeedHalves(40);
            using var host = BuildHost(new RecordingSink(), cs => cs.AddRuleFile(path), logs);
            await host.StartAsync(TestContext.Current.CancellationToken);
            var service = host.Services.GetRequiredService<CallStreamHostedService>();
            Eventually.Holds(() => service.GetStatistics()?.Consumed == 40, Eventually.Generous, "reading every record");

            await SaveAsync(path, "rule Failed\n  where outcom = 'failed'\n");
            Eventually.Holds(() => service.RejectedRuleChanges >= 1, Eventually.Generous, "the bad edit being seen");
            Assert.Equal(["Failed"], service.Rules.Select(r => r.Name));
            Assert.Equal(1, service.Runs);
            Assert.True(logs.GetSnapshot().Any(r => r.Level == LogLevel.Error && r.Message.Contains(path + ":2:9:", StringComparison.Ordinal)),
                string.Join(Environment.NewLine, logs.GetSnapshot().Select(r => r.Message)));

            await SaveAsync(path, "rule Resolved\n  where outcome = 'resolved'\n");
            Eventually.Holds(() => service.Runs == 2 && service.IsRunning, Eventually.Generous, "the pipeline restarting with the new rules");
            Assert.Equal(["Resolved"], service.Rules.Select(r => r.Name));

            await host.StopAsync(TestContext.Current.CancellationToken);
            Assert.Null(service.Failure);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Saves a file as editors do: write a temporary file, then rename it over the old one.</summary>
    private static async Task SaveAsync(string path, string text)
    {
        string temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, text, TestContext.Current.CancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    [Theory]
    [InlineData("GroupId", " ", "CallStream:Kafka:GroupId: KafkaSourceOptions.GroupId must not be empty.")]
    [InlineData("Topic", "bad topic", "CallStream:Kafka:Topic: ")]
    [InlineData("InProcessPartitions", "0", "CallStream:Kafka:InProcessPartitions: InProcessPartitions must be from 1 to 1000 (was 0).")]
    [InlineData("Alerts:Linger", "-00:00:01", "CallStream:Kafka:Alerts:Linger: KafkaSinkOptions.Linger must be from 0 to 15 minutes")]
    [InlineData("PoisonRecords", "skip", "CallStream:Kafka:PoisonRecords: 'skip' is not a poison-record policy; use DeadLetter, SkipAndCount or Stop.")]
    [InlineData("PoisonRecords", "7", "CallStream:Kafka:PoisonRecords: KafkaSourceOptions.PoisonRecords must be DeadLetter, SkipAndCount or Stop (was 7).")]
    public async Task Start_InvalidKafkaSetting_FailsWithAMessageNamingTheSetting(string key, string value, string expected)
    {
        using var host = BuildHost(new RecordingSink(), cs => cs.AddDefaultRules().AddKafkaAlertSink(), extra: new() { ["CallStream:Kafka:" + key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InProcessWithoutTheTestingPackagesCluster_SaysWhatIsMissing()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["CallStream:Kafka:InProcess"] = "true" });
        builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs => cs.UseKafkaSource().AddDefaultRules());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("CallStream:Kafka:InProcess is true, but no in-process cluster is available: reference the CallStream.Kafka.Testing package and call cs.AddInProcessKafka().", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PoisonRecords_BindsFromConfigurationByName()
    {
        using var host = BuildHost(new RecordingSink(), cs => cs.AddDefaultRules(), extra: new() { ["CallStream:Kafka:PoisonRecords"] = "stop" });

        Assert.Equal(PoisonRecordPolicy.Stop, host.Services.GetRequiredService<IOptions<KafkaSourceOptions>>().Value.PoisonRecords);
    }

    [Fact]
    public async Task Start_NoBootstrapServers_SaysTheSettingIsRequired()
    {
        Assert.SkipWhen(Environment.GetEnvironmentVariable(KafkaClientOptions.BootstrapServersVariable) is { Length: > 0 }, "CALLSTREAM_KAFKA is set, so the brokers are not missing.");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs => cs.UseKafkaSource().AddDefaultRules());
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("CallStream:Kafka:BootstrapServers is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AlertSink_TakesTheSharedConnectionAndSecuritySettings_ButNotTheConsumersOnes()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CallStream:Kafka:BootstrapServers"] = "broker-1:9093",
            ["CallStream:Kafka:Settings:security.protocol"] = "SASL_SSL",
            ["CallStream:Kafka:Settings:sasl.mechanism"] = "SCRAM-SHA-512",
            ["CallStream:Kafka:Settings:sasl.username"] = "consumer-user",
            ["CallStream:Kafka:Settings:sasl.password"] = "s3cret",
            ["CallStream:Kafka:Settings:ssl.ca.location"] = "/etc/ssl/ca.pem",
            ["CallStream:Kafka:Settings:session.timeout.ms"] = "3000",
            ["CallStream:Kafka:Alerts:Settings:sasl.username"] = "alerts-user",
        });
        builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs => cs.UseKafkaSource().AddKafkaAlertSink());
        using var host = builder.Build();

        var sink = host.Services.GetRequiredService<IOptionsMonitor<KafkaSinkOptions>>().Get(KafkaCallStreamBuilderExtensions.AlertSinkName);

        Assert.Equal("broker-1:9093", sink.BootstrapServers);
        Assert.Equal("SASL_SSL", sink.Settings["security.protocol"]);
        Assert.Equal("SCRAM-SHA-512", sink.Settings["sasl.mechanism"]);
        Assert.Equal("s3cret", sink.Settings["sasl.password"]);
        Assert.Equal("/etc/ssl/ca.pem", sink.Settings["ssl.ca.location"]);
        Assert.Equal("alerts-user", sink.Settings["sasl.username"]); // the sink's own setting wins
        Assert.False(sink.Settings.ContainsKey("session.timeout.ms")); // a consumer setting stays with the consumer
    }

    [Fact]
    public async Task HealthCheck_SharesOneAdminClient_AndSeesTheBrokerGoAndComeBack()
    {
        var ct = TestContext.Current.CancellationToken;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CallStream:Kafka:BootstrapServers"] = _cluster.BootstrapServers,
            ["CallStream:Kafka:Topic"] = Topic,
            ["CallStream:Kafka:GroupId"] = _group,
            ["CallStream:Kafka:Settings:reconnect.backoff.max.ms"] = "250",
            ["CallStream:Health:Timeout"] = "00:00:01",
        });
        builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs => cs.UseKafkaSource());
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        Task<HealthReport> Check() => health.CheckHealthAsync(r => r.Name == KafkaCallStreamBuilderExtensions.HealthCheckName, ct);
        IAdminClient Client() => host.Services.GetRequiredService<KafkaHealthAdmin>().Get(
            host.Services.GetRequiredService<IOptions<KafkaSourceOptions>>().Value, TimeSpan.FromSeconds(1), out _);

        Assert.Equal(HealthStatus.Healthy, (await Check()).Status);
        var client = Client();

        _cluster.SetBrokerDown(1);
        var down = await Check();
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains(_cluster.BootstrapServers, down.Entries[KafkaCallStreamBuilderExtensions.HealthCheckName].Description, StringComparison.Ordinal);

        _cluster.SetBrokerUp(1);
        Eventually.Holds(() => Check().GetAwaiter().GetResult().Status == HealthStatus.Healthy, Eventually.Generous, "the health check seeing the broker back");
        Assert.Same(client, Client()); // every check asked through the same client
    }

    [Fact]
    public async Task InProcess_RunsWithoutServers_AndTheHealthChecksAreHealthy()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["CallStream:Kafka:InProcess"] = "true", ["CallStream:Kafka:StatisticsInterval"] = "00:00:00.2" });
        var sink = new RecordingSink();
        builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs => cs.AddInProcessKafka().UseKafkaSource().AddKafkaAlertSink().AddDefaultRules().AddAlertSink("list", _ => sink));
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        var service = host.Services.GetRequiredService<CallStreamHostedService>();
        Eventually.Holds(() => service.IsRunning, Eventually.Generous, "the pipeline starting");

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Healthy, report.Entries[KafkaCallStreamBuilderExtensions.HealthCheckName].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries[CallStreamHealthCheck.Name].Status);
        Assert.NotEqual(HealthStatus.Unhealthy, report.Entries[KafkaCallStreamBuilderExtensions.LagHealthCheckName].Status);
        Assert.Contains(KafkaSourceOptions.DefaultTopic, report.Entries[KafkaCallStreamBuilderExtensions.HealthCheckName].Description, StringComparison.Ordinal);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void BuilderMethods_NullBuilder_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => KafkaCallStreamBuilderExtensions.UseKafkaSource(null!));
        Assert.Throws<ArgumentNullException>(() => KafkaCallStreamBuilderExtensions.AddKafkaAlertSink(null!));
    }

    private List<(int Partition, long Offset, Interaction Interaction)> SeedHalves(int count)
    {
        var interactions = TestData.Interactions(count);
        var result = new List<(int, long, Interaction)>();
        for (int p = 0; p < Partitions; p++)
        {
            var part = interactions.Where((_, i) => i % Partitions == p).ToList();
            Seed.Interactions(_cluster, Topic, p, part);
            result.AddRange(part.Select((interaction, offset) => (p, (long)offset, interaction)));
        }
        return result;
    }

    private static async Task RunToCompletionAsync(IHost host, int records)
    {
        await host.StartAsync(TestContext.Current.CancellationToken);
        var service = host.Services.GetRequiredService<CallStreamHostedService>();
        Eventually.Holds(() => service.GetStatistics() is { } s && s.Consumed >= records && s.Partitions.Count == Partitions && s.Partitions.All(p => p.CaughtUp),
            Eventually.Generous, "reading every record");
        service.CompleteInput();
        await host.WaitForShutdownAsync(TestContext.Current.CancellationToken);
        Assert.Null(service.Failure);
    }

    private IHost BuildHost(RecordingSink sink, Action<ICallStreamBuilder> configure, FakeLogCollector? logs = null, Dictionary<string, string?>? extra = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var settings = new Dictionary<string, string?>
        {
            ["CallStream:Kafka:BootstrapServers"] = _cluster.BootstrapServers,
            ["CallStream:Kafka:Topic"] = Topic,
            ["CallStream:Kafka:GroupId"] = _group,
            ["CallStream:Kafka:StatisticsInterval"] = "00:00:00.2",
            ["CallStream:Kafka:Settings:heartbeat.interval.ms"] = "500",
            ["CallStream:Kafka:Settings:session.timeout.ms"] = "3000",
            ["CallStream:Kafka:Settings:reconnect.backoff.max.ms"] = "250",
            ["CallStream:Kafka:Settings:retry.backoff.ms"] = "10",
        };
        foreach (var (key, value) in extra ?? [])
            settings[key] = value;
        builder.Configuration.AddInMemoryCollection(settings);
        if (logs is not null)
            builder.Logging.AddProvider(new FakeLoggerProvider(logs));
        builder.Services.AddCallStream(builder.Configuration.GetSection("CallStream"), cs =>
        {
            cs.UseKafkaSource().AddAlertSink("list", _ => sink, new CallStream.Pipeline.BatchingOptions { FlushInterval = TimeSpan.FromMilliseconds(20) });
            configure(cs);
        });
        return builder.Build();
    }

    /// <summary>Records the alerts written, as a durable sink would.</summary>
    private sealed class RecordingSink : IBatchedSink<Alert>
    {
        private readonly ConcurrentQueue<Alert> _alerts = new();

        public IReadOnlyList<string> InteractionIds => [.. _alerts.Select(a => a.InteractionId).Distinct()];

        public ValueTask WriteBatchAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
        {
            foreach (var alert in batch)
                _alerts.Enqueue(alert);
            return ValueTask.CompletedTask;
        }
    }
}
