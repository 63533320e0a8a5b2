using Microsoft.Extensions.DependencyInjection;

namespace CallStream;

/// <summary>
/// Configures CallStream in a service collection; returned by <c>services.AddCallStream(...)</c>. Adapter
/// packages (Kafka, MongoDB) add their sources and sinks as extension methods on this interface.
/// </summary>
public interface ICallStreamBuilder
{
    /// <summary>Gets the service collection being configured.</summary>
    IServiceCollection Services { get; }
}
