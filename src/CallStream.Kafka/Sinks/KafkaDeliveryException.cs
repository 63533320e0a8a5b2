using System.Text;

namespace CallStream.Kafka;

/// <summary>
/// A Kafka sink could not get every message of a batch acknowledged by the brokers. <see cref="Failures"/> names each
/// item that failed (by interaction or alert id) and why; the other items of the batch were acknowledged.
/// </summary>
public sealed class KafkaDeliveryException : Exception
{
    private const int IdsInMessage = 10;

    /// <summary>Creates the exception.</summary>
    public KafkaDeliveryException()
        : this("A Kafka sink could not deliver a batch.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public KafkaDeliveryException(string message)
        : base(message)
    {
        Topic = "";
        Failures = [];
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public KafkaDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
        Topic = "";
        Failures = [];
    }

    /// <summary>Creates the exception for the failed items of a batch.</summary>
    /// <param name="topic">The topic written to.</param>
    /// <param name="batchSize">How many items the batch held.</param>
    /// <param name="failures">The items that failed, in batch order.</param>
    public KafkaDeliveryException(string topic, int batchSize, IReadOnlyList<KafkaDeliveryFailure> failures)
        : base(Describe(topic, batchSize, failures))
    {
        Topic = topic;
        BatchSize = batchSize;
        Failures = failures;
    }

    /// <summary>Gets the topic the batch was written to.</summary>
    public string Topic { get; }

    /// <summary>Gets how many items the batch held.</summary>
    public int BatchSize { get; }

    /// <summary>Gets the items that were not acknowledged, in batch order, with the error of each.</summary>
    public IReadOnlyList<KafkaDeliveryFailure> Failures { get; }

    /// <summary>Gets the ids of the items that were not acknowledged, in batch order.</summary>
    public IReadOnlyList<string> FailedIds => [.. Failures.Select(f => f.Id)];

    private static string Describe(string topic, int batchSize, IReadOnlyList<KafkaDeliveryFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        var text = new StringBuilder()
            .Append(failures.Count).Append(" of ").Append(batchSize).Append(" message(s) to topic '").Append(topic)
            .Append("' were not acknowledged: ");
        for (int i = 0; i < Math.Min(failures.Count, IdsInMessage); i++)
        {
            if (i > 0)
                text.Append(", ");
            text.Append(failures[i].Id).Append(" (").Append(failures[i].Error).Append(": ").Append(failures[i].Reason).Append(')');
        }

        if (failures.Count > IdsInMessage)
            text.Append(", and ").Append(failures.Count - IdsInMessage).Append(" more");
        return text.Append('.').ToString();
    }
}
