using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
}
