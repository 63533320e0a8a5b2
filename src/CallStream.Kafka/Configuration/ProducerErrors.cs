using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>The error handler of the source's own producers (dead letters, progress records): a fatal error ends the producer's use, any other is logged.</summary>
internal static class ProducerErrors
{
    /// <summary>Gets a handler that logs each error and reports a fatal one to <paramref name="onFatal"/>.</summary>
    public static Action<IProducer<TKey, TValue>, Error> Handler<TKey, TValue>(ILogger logger, Action<KafkaException> onFatal) => (producer, error) =>
    {
        if (error.IsFatal)
        {
            Log.FatalError(logger, producer.Name, error.Code, error.Reason);
            onFatal(new KafkaException(error));
        }
        else
        {
            Log.ClientError(logger, producer.Name, error.Code, BrokerReachability.Describe(error.Reason));
        }
    };
}
