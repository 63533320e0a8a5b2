using CallStream.Hosting;
using CallStream.Mongo;
using CallStream.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace CallStream;

/// <summary>MongoDB for <c>services.AddCallStream(cs => ...)</c>: the alert and interaction sinks, and their health check.</summary>
public static class MongoCallStreamBuilderExtensions
{
    /// <summary>The name of the alert sink added by <see cref="AddMongoAlertSink"/>.</summary>
    public const string AlertSinkName = "mongo:alerts";

    /// <summary>The name of the interaction sink added by <see cref="AddMongoInteractionSink"/>.</summary>
    public const string InteractionSinkName = "mongo:interactions";

    /// <summary>The name of the MongoDB health check.</summary>
    public const string HealthCheckName = "callstream-mongo";

    /// <summary>Writes both alerts and interactions to MongoDB (<see cref="AddMongoAlertSink"/> and <see cref="AddMongoInteractionSink"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the store in code, or <see langword="null"/>.</param>
    /// <param name="batching">The batching options of both sinks, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ICallStreamBuilder AddMongoSinks(this ICallStreamBuilder builder, Action<MongoSinkOptions>? configure = null, BatchingOptions? batching = null) =>
        builder.AddMongoAlertSink(configure, batching).AddMongoInteractionSink(null, batching);

    /// <summary>
    /// Writes alerts to MongoDB (<see cref="MongoAlertSink"/>: idempotent bulk upserts by alert id) under the sink name
    /// <c>mongo:alerts</c>. The store's options are bound from <c>CallStream:Mongo</c> when <c>AddCallStream</c> was
    /// given configuration, then <paramref name="configure"/> runs; they are validated when the host starts, and
    /// <c>CallStream:Mongo:ConnectionString</c> is required unless the environment variable <c>CALLSTREAM_MONGO</c>
    /// names the deployment. Adds the health check <c>callstream-mongo</c> (the server answers a ping).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the store in code, or <see langword="null"/>.</param>
    /// <param name="batching">The batching options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ICallStreamBuilder AddMongoAlertSink(this ICallStreamBuilder builder, Action<MongoSinkOptions>? configure = null, BatchingOptions? batching = null)
    {
        AddStore(builder, configure);
        return builder.AddAlertSink(AlertSinkName, sp => new MongoAlertSink(sp.GetRequiredService<MongoStore>()), batching);
    }

    /// <summary>Writes interactions to MongoDB (<see cref="MongoInteractionSink"/>: idempotent bulk upserts by interaction id)
    /// under the sink name <c>mongo:interactions</c>; the store is configured as for <see cref="AddMongoAlertSink"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the store in code, or <see langword="null"/>.</param>
    /// <param name="batching">The batching options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ICallStreamBuilder AddMongoInteractionSink(this ICallStreamBuilder builder, Action<MongoSinkOptions>? configure = null, BatchingOptions? batching = null)
    {
        AddStore(builder, configure);
        return builder.AddInteractionSink(InteractionSinkName, sp => new MongoInteractionSink(sp.GetRequiredService<MongoStore>()), batching);
    }

    private static void AddStore(ICallStreamBuilder builder, Action<MongoSinkOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<MongoSinkOptions>();
        if (!builder.Services.Any(d => d.ServiceType == typeof(MongoHealthCheck)))
        {
            var section = builder.GetConfigurationSection("Mongo");
            string path = section?.Path ?? nameof(MongoSinkOptions);
            if (section is not null)
                options.Bind(section);
            builder.Services.AddSingleton<IValidateOptions<MongoSinkOptions>>(new ConfigurationOptionsValidator<MongoSinkOptions>(null, path, o => Validate(o, path)));
            options.ValidateOnStart();
            builder.Services.TryAddSingleton(sp => new MongoStore(
                sp.GetRequiredService<IOptions<MongoSinkOptions>>().Value,
                sp.GetService<ILoggerFactory>(),
                sp.GetService<IMeterFactory>()));
            builder.Services.AddSingleton<MongoHealthCheck>();
            builder.Services.AddHealthChecks().AddCheck<MongoHealthCheck>(HealthCheckName, tags: [CallStreamHealthOptions.Tag]);
        }
        if (configure is not null)
            options.Configure(configure);
    }

    private static void Validate(MongoSinkOptions options, string path)
    {
        if (options.ConnectionString is null && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(MongoSinkOptions.ConnectionStringVariable)))
        {
            throw new ArgumentException(
                $"{path}:ConnectionString is required (for example mongodb://localhost:27017), or set the environment variable {MongoSinkOptions.ConnectionStringVariable}.",
                nameof(MongoSinkOptions.ConnectionString));
        }
        // The store parses the connection string (no I/O: the client connects on first use).
        using var store = new MongoStore(options);
    }
}
