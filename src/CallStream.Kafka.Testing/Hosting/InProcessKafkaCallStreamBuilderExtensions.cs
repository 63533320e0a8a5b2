using CallStream.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CallStream;

/// <summary>The in-process Kafka cluster for <c>services.AddCallStream(cs => ...)</c>: demos and tests without a server.</summary>
public static class InProcessKafkaCallStreamBuilderExtensions
{
    /// <summary>
    /// Makes an in-process Kafka cluster (<see cref="InProcessKafkaCluster"/>, one broker) available to the host's Kafka
    /// source and alert sink. It is used when <c>CallStream:Kafka:InProcess</c> is true: it starts on first use, the
    /// source, dead-letter and alert topics are created on it (<c>CallStream:Kafka:InProcessPartitions</c>, default 3),
    /// every client connects to it, and it stops with the host's services. Otherwise nothing starts. Adding it twice
    /// is harmless.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static ICallStreamBuilder AddInProcessKafka(this ICallStreamBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<InProcessKafka>();
        builder.Services.TryAddSingleton<IInProcessKafka>(sp => sp.GetRequiredService<InProcessKafka>());
        return builder;
    }
}
