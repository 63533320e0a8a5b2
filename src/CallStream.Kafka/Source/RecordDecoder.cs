using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Turns what the consumer read into source events: a valid interaction into a record event, a record that is not one
/// (<see cref="PoisonRecordException"/>) into the poison-record policy's handling and a
/// <see cref="InteractionSourceEventKind.DeadLettered"/> event, so the pipeline counts its offset as done. Counts both.
/// </summary>
/// <remarks>Called on the consume thread; the counts are thread-safe.</remarks>
internal sealed class RecordDecoder(string topic, ILogger logger, KafkaMetrics metrics, SourceEventQueue queue, PartitionProgress progress, IPoisonRecordHandler poison, bool repartitioned = false)
{
    private const int ConsumedReportEvery = 1024;

    private long _consumed;
    private long _deadLettered;
    private long _skipped;
    private int _consumedUnreported; // consume thread only

    /// <summary>Gets how many valid interactions were read.</summary>
    public long Consumed => Volatile.Read(ref _consumed);

    /// <summary>Gets how many poison records were published to the dead-letter topic.</summary>
    public long DeadLettered => Volatile.Read(ref _deadLettered);

    /// <summary>Gets how many poison records were skipped.</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Queues a valid interaction.</summary>
    public void OnRecord(ConsumeResult<Ignore, Interaction> result)
    {
        int partition = result.Partition.Value;
        long offset = result.Offset.Value;
        progress.Read(partition, offset);
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(result.Message.Timestamp.UnixTimestampMs);
        if (repartitioned)
        {
            var headers = result.Message.Headers;
            if (ReferenceEquals(result.Message.Value, RepartitionDeserializer.Marker))
            {
                if (RepartitionHeaders.TryReadProgress(headers, out var marker))
                    queue.Add(InteractionSourceEvent.UpstreamProgress(partition, offset, marker.SourcePartition, marker.EventTime, marker.CaughtUp));
                return;
            }
            var (upstream, upstreamOffset) = RepartitionHeaders.ReadSource(headers);
            queue.Add(InteractionSourceEvent.RepartitionedRecord(partition, offset, timestamp, result.Message.Value, Math.Max(0, upstream), upstreamOffset));
        }
        else
        {
            queue.Add(InteractionSourceEvent.Record(partition, offset, timestamp, result.Message.Value));
        }
        Volatile.Write(ref _consumed, _consumed + 1); // the consume thread only
        if (++_consumedUnreported >= ConsumedReportEvery)
            ReportConsumed();
    }

    /// <summary>Hands a record that is not a valid interaction to the policy, then queues its event.</summary>
    /// <exception cref="KafkaException">The policy stops the source at this record.</exception>
    public void OnPoisonRecord(ConsumeResult<byte[], byte[]> record, PoisonRecordException error)
    {
        int partition = record.Partition.Value;
        long offset = record.Offset.Value;
        long committed = progress.Read(partition, offset);
        // Below the group's committed offset (a warm-up re-read) the record was handled when first read: the commit
        // passed it only then.
        var outcome = offset < committed ? PoisonOutcome.HandledBefore : poison.Handle(record, error);
        switch (outcome)
        {
            case PoisonOutcome.DeadLettered:
                Interlocked.Increment(ref _deadLettered);
                break;
            case PoisonOutcome.Skipped:
                Interlocked.Increment(ref _skipped);
                break;
            default:
                Log.DeadLetterKnown(logger, topic, partition, offset, committed);
                break;
        }

        var timestamp = record.Message.Timestamp.Type == TimestampType.NotAvailable ? default : DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs);
        queue.Emit(InteractionSourceEvent.DeadLettered(partition, offset, timestamp, error.Kind + ": " + error.Message));
    }

    /// <summary>Adds the interactions read since the last report to the metric.</summary>
    public void ReportConsumed()
    {
        if (_consumedUnreported == 0)
            return;
        metrics.Consumed(topic, _consumedUnreported);
        _consumedUnreported = 0;
    }
}
