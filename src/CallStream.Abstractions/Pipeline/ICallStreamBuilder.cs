using CallStream.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CallStream;

/// <summary>
/// Configures CallStream in a service collection; returned by <c>services.AddCallStream(...)</c>. Adapter
/// packages (Kafka, MongoDB) add their sources and sinks as extension methods on this interface, through its members
/// alone, so they need only this package and not the runtime that implements it.
/// </summary>
public interface ICallStreamBuilder
{
    /// <summary>Gets the service collection being configured.</summary>
    IServiceCollection Services { get; }

    /// <summary>Gets a subsection of the configuration section given to <c>AddCallStream(configuration)</c>, for
    /// adapters that bind their settings from it (<c>Kafka</c>, <c>Mongo</c>).</summary>
    /// <param name="key">The subsection's key.</param>
    /// <returns>The subsection, or <see langword="null"/> when <c>AddCallStream</c> was called without configuration.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is null or blank.</exception>
    IConfigurationSection? GetConfigurationSection(string key);

    /// <summary>Sets how the pipeline gets its source (a source is read once: a new one is created for each run of the
    /// pipeline, for example after the rules were reloaded). Adapters call it (<c>UseKafkaSource</c>); a second call
    /// replaces the first.</summary>
    /// <param name="create">Creates a source.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    ICallStreamBuilder UseSource(Func<IServiceProvider, IInteractionSource> create);

    /// <summary>Adds an alert sink created by a factory; the container owns (and disposes) what it returns.</summary>
    /// <param name="name">The sink's name in logs, metrics and statistics; a second sink with the same name replaces the first.</param>
    /// <param name="create">Creates the sink once, when the pipeline first starts.</param>
    /// <param name="batching">The batching options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or blank.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    ICallStreamBuilder AddAlertSink(string name, Func<IServiceProvider, IBatchedSink<Alert>> create, BatchingOptions? batching = null);

    /// <summary>Adds an interaction sink created by a factory; the container owns (and disposes) what it returns.</summary>
    /// <param name="name">The sink's name in logs, metrics and statistics; a second sink with the same name replaces the first.</param>
    /// <param name="create">Creates the sink once, when the pipeline first starts.</param>
    /// <param name="batching">The batching options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or blank.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    ICallStreamBuilder AddInteractionSink(string name, Func<IServiceProvider, IBatchedSink<Interaction>> create, BatchingOptions? batching = null);
}
