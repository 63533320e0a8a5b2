using CallStream.Hosting;
using CallStream.Rules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace CallStream;

/// <summary>Adds CallStream to a Generic Host: <c>services.AddCallStream(cs => ...)</c>.</summary>
public static class CallStreamServiceCollectionExtensions
{
    /// <summary>
    /// Adds the CallStream pipeline as a hosted service: it reads the configured source, runs the rules in event
    /// time and writes to the configured sinks, and stops gracefully with the host (drains the sinks, commits).
    /// Calling it again adds to the same pipeline.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the source, rules and sinks.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IServiceCollection AddCallStream(this IServiceCollection services, Action<ICallStreamBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        configure(AddCore(services, configuration: null));
        return services;
    }

    /// <summary>
    /// Adds the CallStream pipeline as a hosted service with its settings bound from a configuration section
    /// (usually <c>configuration.GetSection("CallStream")</c>) and validated when the host starts; adapters bind their
    /// settings from subsections (<c>Kafka</c>, <c>Mongo</c>). Calling it again adds to the same pipeline.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The <c>CallStream</c> section (see <see cref="CallStreamOptions"/>).</param>
    /// <param name="configure">Configures the source, rules and sinks in code, or <see langword="null"/>.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configuration"/> is null.</exception>
    public static IServiceCollection AddCallStream(this IServiceCollection services, IConfiguration configuration, Action<ICallStreamBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = AddCore(services, configuration);
        configure?.Invoke(builder);
        return services;
    }

    private static CallStreamBuilder AddCore(IServiceCollection services, IConfiguration? configuration)
    {
        var builder = new CallStreamBuilder(services, configuration);
        var options = services.AddOptions<CallStreamOptions>();
        var pipeline = services.AddOptions<InteractionPipelineOptions>();
        string path = CallStreamOptions.SectionName;
        if (configuration is not null)
        {
            options.Bind(configuration);
            path = configuration is IConfigurationSection section ? section.Path : CallStreamOptions.SectionName;
            var pipelineSection = configuration.GetSection("Pipeline");
            string eventTimePath = path + ":Pipeline:" + nameof(InteractionPipelineOptions.EventTime);
            // Before the binder, which would take any enum name or number: the setting allows only the two words.
            pipeline.Configure(o => o.EventTime = ParseEventTime(pipelineSection[nameof(InteractionPipelineOptions.EventTime)], eventTimePath, o.EventTime));
            pipeline.Bind(pipelineSection);
        }

        // A marker keeps the second call from registering the hosted service and the checks twice.
        if (services.Any(d => d.ServiceType == typeof(CallStreamMarker)))
            return builder;
        services.AddSingleton(new CallStreamMarker());
        services.AddSingleton<IValidateOptions<CallStreamOptions>>(new ConfigurationOptionsValidator<CallStreamOptions>(null, path, o => o.Validate()));
        options.ValidateOnStart();
        // The adapters' health checks read their thresholds without depending on this package's options type.
        services.TryAddSingleton<IOptions<CallStreamHealthOptions>>(sp => Options.Create(sp.GetRequiredService<IOptions<CallStreamOptions>>().Value.Health));
        services.AddSingleton<IValidateOptions<InteractionPipelineOptions>>(new ConfigurationOptionsValidator<InteractionPipelineOptions>(null, path + ":Pipeline", o => o.Validate()));
        pipeline.ValidateOnStart();
        services.TryAddSingleton<RuleFileSourceFactory>();
        services.TryAddSingleton(sp => new RuleSetMonitor(
            RuleSources(sp),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<RuleSetMonitor>(),
            RuleSetMonitor.HostSettleDelay,
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new HostMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new CallStreamHostedService(
            sp, sp.GetRequiredService<IOptions<InteractionPipelineOptions>>(), sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.AddHostedService(sp => sp.GetRequiredService<CallStreamHostedService>());
        services.AddHealthChecks().AddCheck<CallStreamHealthCheck>(CallStreamHealthCheck.Name, tags: [CallStreamHealthOptions.Tag]);
        return builder;
    }

    /// <summary>Reads the <c>EventTime</c> setting: <c>start</c> or <c>end</c>, in any case.</summary>
    /// <exception cref="OptionsValidationException">Another value; the message names the setting and the values allowed.</exception>
    private static EventTimeMode ParseEventTime(string? value, string settingPath, EventTimeMode unset)
    {
        if (value is null)
            return unset;
        if (string.Equals(value.Trim(), "start", StringComparison.OrdinalIgnoreCase))
            return EventTimeMode.Start;
        if (string.Equals(value.Trim(), "end", StringComparison.OrdinalIgnoreCase))
            return EventTimeMode.End;
        throw new OptionsValidationException(
            Options.DefaultName,
            typeof(InteractionPipelineOptions),
            [$"{settingPath} must be start or end, not '{value}'."]);
    }

    private static List<IRuleSource> RuleSources(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<CallStreamOptions>>().Value.Rules;
        var sources = new List<IRuleSource>(services.GetServices<IRuleSource>());
        if (options.UseDefaults && !sources.Any(s => s is FixedRuleSource { Name: FixedRuleSource.DefaultsName }))
            sources.Add(FixedRuleSource.Defaults());

        var files = services.GetServices<RuleFileRegistration>().ToList();
        if (options.File is { } file)
            files.Add(new RuleFileRegistration(Path.GetFullPath(file), options.ReloadOnChange));
        var factory = services.GetRequiredService<RuleFileSourceFactory>();
        foreach (var registration in files.DistinctBy(f => f.FullPath, StringComparer.Ordinal))
            sources.Add(factory.Create(registration));
        return sources;
    }

    /// <summary>Marks the services as holding CallStream's core registrations.</summary>
    private sealed class CallStreamMarker;
}
