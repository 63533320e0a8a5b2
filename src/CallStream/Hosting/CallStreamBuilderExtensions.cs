using CallStream.Hosting;
using CallStream.Pipeline;
using CallStream.Rules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CallStream;

/// <summary>Configures the source, rules and sinks of <c>services.AddCallStream(cs => ...)</c>.</summary>
public static class CallStreamBuilderExtensions
{
    /// <summary>Adds rules built in C# (<see cref="RuleSet.Create(Rule[])"/>, <see cref="Rule.Named(string)"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="rules">The rules; their names must differ from those of the other sources.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ICallStreamBuilder AddRules(this ICallStreamBuilder builder, RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(rules);
        return builder.AddRuleSource(new FixedRuleSource("code", () => rules));
    }

    /// <summary>Adds rules built in C# with the fluent builder, for example
    /// <c>cs.AddRules(Rule.Named("LongCall").Where(i =&gt; i.DurationSeconds &gt; 3000).Warning().Build())</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="rules">The rules; their names must be unique.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">Two rules share a name.</exception>
    public static ICallStreamBuilder AddRules(this ICallStreamBuilder builder, params Rule[] rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        return builder.AddRules(new RuleSet(rules));
    }

    /// <summary>Adds the rules of a rule file (spec rules.md). The file is read when the host starts (invalid rules
    /// stop the start with their FILE:LINE:COLUMN diagnostics) and, with <paramref name="reloadOnChange"/>, again
    /// whenever it changes: valid rules replace the running ones (the pipeline restarts from its committed offsets),
    /// an invalid edit is logged with its diagnostics and the running rules stay. Adding the same file twice is harmless.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file's path, absolute or relative to the working directory.</param>
    /// <param name="reloadOnChange">Whether to reload the rules when the file changes.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or blank.</exception>
    public static ICallStreamBuilder AddRuleFile(this ICallStreamBuilder builder, string path, bool reloadOnChange = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Services.AddSingleton(new RuleFileRegistration(Path.GetFullPath(path), reloadOnChange));
        return builder;
    }

    /// <summary>Adds the built-in default rules (<see cref="DefaultRules"/>); adding them twice is harmless.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ICallStreamBuilder AddDefaultRules(this ICallStreamBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.Services.Any(d => d.ImplementationInstance is FixedRuleSource { Name: FixedRuleSource.DefaultsName }))
            builder.AddRuleSource(FixedRuleSource.Defaults());
        return builder;
    }

    /// <summary>Adds a source of rules; every source's rules run together (names must be unique across them).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="source">The source.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ICallStreamBuilder AddRuleSource(this ICallStreamBuilder builder, IRuleSource source)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        builder.Services.AddSingleton(source);
        return builder;
    }

    /// <summary>Adds an alert sink resolved from the container (registered as a singleton if it is not registered yet).</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The sink's name in logs, metrics and statistics; a second sink with the same name replaces the first.</param>
    /// <param name="batching">The batching options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or blank.</exception>
    public static ICallStreamBuilder AddAlertSink<TSink>(this ICallStreamBuilder builder, string name, BatchingOptions? batching = null)
        where TSink : class, IBatchedSink<Alert>
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TSink>();
        return builder.AddSink<Alert>(name, sp => sp.GetRequiredService<TSink>(), batching);
    }

    /// <summary>Adds an interaction sink resolved from the container (registered as a singleton if it is not registered yet).</summary>
    /// <typeparam name="TSink">The sink type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The sink's name in logs, metrics and statistics; a second sink with the same name replaces the first.</param>
    /// <param name="batching">The batching options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or blank.</exception>
    public static ICallStreamBuilder AddInteractionSink<TSink>(this ICallStreamBuilder builder, string name, BatchingOptions? batching = null)
        where TSink : class, IBatchedSink<Interaction>
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TSink>();
        return builder.AddSink<Interaction>(name, sp => sp.GetRequiredService<TSink>(), batching);
    }

    /// <summary>Registers a sink made by a factory under its name (the container owns it).</summary>
    internal static ICallStreamBuilder AddKeyedSink<T>(this ICallStreamBuilder builder, string name, Func<IServiceProvider, IBatchedSink<T>> create, BatchingOptions? batching)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        builder.Services.AddKeyedSingleton<IBatchedSink<T>>(name, (sp, _) => create(sp));
        return builder.AddSink<T>(name, sp => sp.GetRequiredKeyedService<IBatchedSink<T>>(name), batching);
    }

    private static ICallStreamBuilder AddSink<T>(this ICallStreamBuilder builder, string name, Func<IServiceProvider, IBatchedSink<T>> resolve, BatchingOptions? batching)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        batching?.Validate();
        var services = builder.Services;
        for (int i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ImplementationInstance is SinkRegistration<T> existing && string.Equals(existing.Name, name, StringComparison.Ordinal))
                services.RemoveAt(i);
        }
        services.AddSingleton(new SinkRegistration<T>(name, resolve, batching));
        return builder;
    }
}
