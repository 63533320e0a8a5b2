using CallStream.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CallStream.Hosting;

/// <summary>The <see cref="ICallStreamBuilder"/> of <c>AddCallStream</c>: the services, and the configuration section
/// the settings are bound from (when one was given).</summary>
internal sealed class CallStreamBuilder : ICallStreamBuilder
{
    public CallStreamBuilder(IServiceCollection services, IConfiguration? configuration)
    {
        Services = services;
        Configuration = configuration;
    }

    public IServiceCollection Services { get; }

    public IConfiguration? Configuration { get; }

    public IConfigurationSection? GetConfigurationSection(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return Configuration?.GetSection(key);
    }

    public ICallStreamBuilder UseSource(Func<IServiceProvider, IInteractionSource> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        Services.RemoveAll<SourceRegistration>();
        Services.AddSingleton(new SourceRegistration(create));
        return this;
    }

    public ICallStreamBuilder AddAlertSink(string name, Func<IServiceProvider, IBatchedSink<Alert>> create, BatchingOptions? batching = null) =>
        this.AddKeyedSink(name, create, batching);

    public ICallStreamBuilder AddInteractionSink(string name, Func<IServiceProvider, IBatchedSink<Interaction>> create, BatchingOptions? batching = null) =>
        this.AddKeyedSink(name, create, batching);
}
