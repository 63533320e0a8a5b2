using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// The <see cref="PoisonRecordPolicy.SkipAndCount"/> policy: a poison record is counted (metric
/// <c>callstream.kafka.poison_records</c> with <c>outcome</c> = <c>skipped</c>) and logged, the first and then one in <see cref="LogEvery"/> so that a topic full of
/// them does not flood the log, and settled at once.
/// </summary>
internal sealed class SkippingPoisonRecordHandler(string topic, ILogger logger, KafkaMetrics metrics) : IPoisonRecordHandler
{
    /// <summary>How many skipped records one log line stands for.</summary>
    internal const int LogEvery = 1000;

    private long _skipped;

    public Exception? Failure => null;

    public void Assigned(IReadOnlyDictionary<int, long> committed)
    {
        // Nothing to prepare: a skipped record leaves no trace to look up.
    }

    public PoisonOutcome Handle(ConsumeResult<byte[], byte[]> record, PoisonRecordException error)
    {
        long skipped = ++_skipped;
        if (skipped % LogEvery == 1)
            Log.PoisonRecordSkipped(logger, topic, record.Partition.Value, record.Offset.Value, error.Kind, error.Message, skipped, LogEvery);
        metrics.Skipped(topic, error.Kind);
        return PoisonOutcome.Skipped;
    }

    public long? FirstUnsettled(int partition) => null;

    public bool TakeSettled() => false;

    public void Settle(IReadOnlyCollection<int> partitions, TimeSpan timeout)
    {
        // Skipped records are settled when handled.
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
