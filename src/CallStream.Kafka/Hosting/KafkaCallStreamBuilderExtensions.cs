using CallStream.Hosting;
using CallStream.Kafka;
using CallStream.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace CallStream;

/// <summary>Kafka for <c>services.AddCallStream(cs => ...)</c>: the source, the alert sink, and their health check.</summary>
public static class KafkaCallStreamBuilderExtensions
{
    /// <summary>The name of the alert sink added by <see cref="AddKafkaAlertSink"/>, and of its <see cref="KafkaSinkOptions"/>.</summary>
    public const string AlertSinkName = "kafka:alerts";

    /// <summary>The name of the Kafka health check.</summary>
    public const string HealthCheckName = "callstream-kafka";

    /// <summary>The name of the consumer-lag health check (degraded above <c>CallStream:Health:MaxConsumerLag</c>).</summary>
    public const string LagHealthCheckName = "callstream-kafka-lag";

    /// <summary>
    /// Reads interactions from a Kafka topic with a consumer group (<see cref="KafkaInteractionSource"/>). The options
    /// are bound from <c>CallStream:Kafka</c> when <c>AddCallStream</c> was given configuration, then
    /// <paramref name="configure"/> runs; they are validated when the host starts, and
    /// <c>CallStream:Kafka:BootstrapServers</c> is required unless <c>CallStream:Kafka:InProcess</c> is true (an
    /// in-process cluster, no server; needs CallStream.Kafka.Testing's <c>AddInProcessKafka</c>) or the environment variable <c>CALLSTREAM_KAFKA</c> names the brokers. Adds the
    /// health check <c>callstream-kafka</c> (brokers reachable, topic present).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the source in code, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ICallStreamBuilder UseKafkaSource(this ICallStreamBuilder builder, Action<KafkaSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.GetConfigurationSection("Kafka");
        string path = section?.Path ?? nameof(KafkaSourceOptions);
        AddKafkaCore(builder);

        var options = builder.Services.AddOptions<KafkaSourceOptions>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(KafkaSourceTracker)))
        {
            if (section is not null)
            {
                options.Configure(_ => CheckPoisonRecords(section));
                options.Bind(section);
            }
            options.PostConfigure<IOptions<KafkaHostingOptions>, IServiceProvider>((o, hosting, services) =>
            {
                if (!hosting.Value.InProcess || !hosting.Value.IsValid || services.GetService<IInProcessKafka>() is not { } cluster)
                    return;
                o.BootstrapServers = cluster.BootstrapServers;
                cluster.EnsureTopic(o.Topic, hosting.Value.InProcessPartitions);
                cluster.EnsureTopic(o.ResolvedDeadLetterTopic, 1);
                cluster.EnsureTopic(o.ResolvedProgressTopic, 1); // the mock cluster cannot create it on request
            });
            builder.Services.AddSingleton<IValidateOptions<KafkaSourceOptions>>(sp => new ConfigurationOptionsValidator<KafkaSourceOptions>(
                Options.DefaultName, path, o => Validate(o, path, sp.GetRequiredService<IOptions<KafkaHostingOptions>>().Value, sp.GetService<IInProcessKafka>() is not null, checkHosting: true)));
            options.ValidateOnStart();
            builder.Services.AddSingleton<KafkaSourceTracker>();
            builder.Services.AddSingleton<KafkaHealthAdmin>();
            builder.Services.AddHealthChecks()
                .AddCheck<KafkaHealthCheck>(HealthCheckName, tags: [CallStreamHealthOptions.Tag])
                .AddCheck<KafkaConsumerLagHealthCheck>(LagHealthCheckName, tags: [CallStreamHealthOptions.Tag]);
        }
        if (configure is not null)
            options.Configure(configure);

        builder.UseSource(sp => sp.GetRequiredService<KafkaSourceTracker>().Track(new KafkaInteractionSource(
            sp.GetRequiredService<IOptions<KafkaSourceOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>(),
            sp.GetService<TimeProvider>())));
        return builder;
    }

    /// <summary>
    /// Writes alerts to a Kafka topic (<see cref="KafkaAlertSink"/>, default topic <c>callstream-alerts</c>) under the
    /// sink name <c>kafka:alerts</c>. Options are bound from <c>CallStream:Kafka:Alerts</c>; the brokers default to
    /// <c>CallStream:Kafka:BootstrapServers</c> (or the in-process cluster), and the connection and security settings
    /// of <c>CallStream:Kafka:Settings</c> (<c>security.*</c>, <c>sasl.*</c>, <c>ssl.*</c>, <c>socket.*</c>,
    /// <c>client.dns.lookup</c>, <c>broker.address.*</c>, <c>enable.ssl.certificate.verification</c>) apply to the
    /// sink too unless <c>CallStream:Kafka:Alerts:Settings</c> sets them: one secured cluster is configured once. The
    /// source's consumer settings are not passed to the sink's producer. Adding it twice is harmless.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the sink in code, or <see langword="null"/>.</param>
    /// <param name="batching">The batching options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ICallStreamBuilder AddKafkaAlertSink(this ICallStreamBuilder builder, Action<KafkaSinkOptions>? configure = null, BatchingOptions? batching = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var kafka = builder.GetConfigurationSection("Kafka");
        var section = kafka?.GetSection("Alerts");
        string path = section?.Path ?? nameof(KafkaSinkOptions);
        AddKafkaCore(builder);

        var options = builder.Services.AddOptions<KafkaSinkOptions>(AlertSinkName);
        if (!builder.Services.Any(d => d.ServiceType == typeof(AlertSinkMarker)))
        {
            builder.Services.AddSingleton(new AlertSinkMarker());
            if (section is not null)
                options.Bind(section);
            options.PostConfigure<IOptions<KafkaHostingOptions>, IServiceProvider>((o, hosting, services) =>
            {
                bool inProcess = hosting.Value.InProcess && hosting.Value.IsValid;
                if (inProcess && services.GetService<IInProcessKafka>() is { } cluster)
                {
                    o.BootstrapServers = cluster.BootstrapServers;
                    cluster.EnsureTopic(o.Topic ?? KafkaSinkOptions.DefaultAlertsTopic, hosting.Value.InProcessPartitions);
                }
                else if (o.BootstrapServers is null && kafka?["BootstrapServers"] is { Length: > 0 } shared)
                {
                    o.BootstrapServers = shared;
                }
                if (kafka is not null && !inProcess)
                {
                    foreach (var setting in kafka.GetSection(nameof(KafkaClientOptions.Settings)).GetChildren())
                    {
                        if (setting.Value is not null && IsConnectionSetting(setting.Key))
                            o.Settings.TryAdd(setting.Key, setting.Value);
                    }
                }
            });
            builder.Services.AddSingleton<IValidateOptions<KafkaSinkOptions>>(sp => new ConfigurationOptionsValidator<KafkaSinkOptions>(
                AlertSinkName, path, o => Validate(o, path, sp.GetRequiredService<IOptions<KafkaHostingOptions>>().Value, sp.GetService<IInProcessKafka>() is not null, checkHosting: false)));
            options.ValidateOnStart();
        }
        if (configure is not null)
            options.Configure(configure);

        return builder.AddAlertSink(AlertSinkName, sp => new KafkaAlertSink(
            sp.GetRequiredService<IOptionsMonitor<KafkaSinkOptions>>().Get(AlertSinkName),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>(),
            sp.GetService<TimeProvider>()), batching);
    }

    /// <summary>Whether a librdkafka setting says how to reach and authenticate with the brokers (shared by consumers and producers).</summary>
    internal static bool IsConnectionSetting(string key) =>
        key.StartsWith("security.", StringComparison.Ordinal)
        || key.StartsWith("sasl.", StringComparison.Ordinal)
        || key.StartsWith("ssl.", StringComparison.Ordinal)
        || key.StartsWith("ssl_", StringComparison.Ordinal)
        || key.StartsWith("socket.", StringComparison.Ordinal)
        || key.StartsWith("broker.address.", StringComparison.Ordinal)
        || key is "client.dns.lookup" or "enable.ssl.certificate.verification";

    /// <summary>Marks the services as holding the Kafka alert sink's registrations.</summary>
    private sealed class AlertSinkMarker;

    /// <summary>Marks the services as holding the Kafka host settings.</summary>
    private sealed class KafkaCoreMarker;

    private static void AddKafkaCore(ICallStreamBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(KafkaCoreMarker)))
            return;
        builder.Services.AddSingleton(new KafkaCoreMarker());
        var hosting = builder.Services.AddOptions<KafkaHostingOptions>();
        var section = builder.GetConfigurationSection("Kafka");
        if (section is not null)
            hosting.Bind(section);
    }

    /// <summary>Refuses an unknown poison-record policy before binding: the binder's own failure neither lists the
    /// policies nor fails as the other settings do.</summary>
    private static void CheckPoisonRecords(Microsoft.Extensions.Configuration.IConfigurationSection section)
    {
        string? value = section[nameof(KafkaSourceOptions.PoisonRecords)];
        if (value is not null && !Enum.TryParse<PoisonRecordPolicy>(value, ignoreCase: true, out _))
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(KafkaSourceOptions),
                [$"{section.Path}:{nameof(KafkaSourceOptions.PoisonRecords)}: '{value}' is not a poison-record policy; use DeadLetter, SkipAndCount or Stop."]);
        }
    }

    private static void Validate(KafkaClientOptions options, string path, KafkaHostingOptions hosting, bool inProcessAvailable, bool checkHosting)
    {
        // The host settings are checked with the source's options, which depend on them (a validator of their own
        // would fail the source's validation too, and report the same fault twice).
        if (checkHosting)
            hosting.Validate();
        if (hosting.InProcess && !inProcessAvailable)
        {
            // No parameter name: the message names the setting, which is not under the sink's own section.
            throw new ArgumentException(
                "CallStream:Kafka:InProcess is true, but no in-process cluster is available: reference the CallStream.Kafka.Testing package and call cs.AddInProcessKafka().");
        }
        if (!hosting.InProcess && options.BootstrapServers is null
            && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(KafkaClientOptions.BootstrapServersVariable)))
        {
            throw new ArgumentException(
                $"{path}:BootstrapServers is required (for example localhost:9092); or set the environment variable {KafkaClientOptions.BootstrapServersVariable}, or CallStream:Kafka:InProcess=true to run on an in-process cluster with no server.",
                nameof(KafkaClientOptions.BootstrapServers));
        }
        options.Validate();
    }
}
