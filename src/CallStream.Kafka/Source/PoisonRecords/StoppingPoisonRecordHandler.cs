using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// The <see cref="PoisonRecordPolicy.Stop"/> policy: a poison record stops the source with a <see cref="KafkaException"/>
/// naming it. No event is emitted for the record, so the pipeline never declares it done and no offset is stored past
/// it: a restart reads it again.
/// </summary>
internal sealed class StoppingPoisonRecordHandler(string topic, ILogger logger) : IPoisonRecordHandler
{
    public Exception? Failure => null;

    public void Assigned(IReadOnlyDictionary<int, long> committed)
    {
        // Nothing to prepare.
    }

    public PoisonOutcome Handle(ConsumeResult<byte[], byte[]> record, PoisonRecordException error)
    {
        int partition = record.Partition.Value;
        long offset = record.Offset.Value;
        Log.PoisonRecordStops(logger, topic, partition, offset, error.Kind, error.Message);
        throw new KafkaException(new Error(ErrorCode.Local_ValueDeserialization,
            $"Record {topic}[{partition}]@{offset} is not a valid interaction ({error.Kind}: {error.Message}); the source stopped "
            + $"(KafkaSourceOptions.PoisonRecords is {nameof(PoisonRecordPolicy.Stop)}) without committing past it, so a restart reads it again."), error);
    }

    public long? FirstUnsettled(int partition) => null;

    public bool TakeSettled() => false;

    public void Settle(IReadOnlyCollection<int> partitions, TimeSpan timeout)
    {
        // The record that stops the source is never settled.
    }

    public void Forget(IEnumerable<int> partitions)
    {
        // Nothing is tracked per partition.
    }

    public void Dispose()
    {
        // Holds no client.
    }
}
