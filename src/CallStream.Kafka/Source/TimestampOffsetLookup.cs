using System.Diagnostics;
using CallStream.Kafka.Native;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Kafka;

/// <summary>
/// Finds offsets by timestamp with a consumer of its own (assigned partitions, no group membership, no commits). The
/// brokers are asked first (ListOffsets); when one answers "no such record" for a partition that is not empty, the
/// partition's last record is read to check the answer, and if that record is at or after the timestamp the broker
/// evidently cannot look up by time (librdkafka's mock cluster, for one), so the partition is scanned from its start.
/// </summary>
internal sealed class TimestampOffsetLookup(KafkaSourceOptions options, ILogger logger) : IDisposable
{
    private static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(100);

    private readonly string _topic = options.Topic;
    private readonly TimeSpan _timeout = options.RequestTimeout;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConsumer<Ignore, Ignore>? _consumer;
    private IConsumer<Ignore, byte[]>? _valueConsumer;
    private bool _disposed;

    public Task<IReadOnlyDictionary<int, long>> FindAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken) =>
        RunExclusiveAsync<IReadOnlyDictionary<int, long>>(() => Find(partitions, timestamp, cancellationToken), cancellationToken);

    public Task<IReadOnlyDictionary<int, DateTimeOffset>> ReadTimestampsAsync(IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken) =>
        RunExclusiveAsync<IReadOnlyDictionary<int, DateTimeOffset>>(() => ReadTimestamps(offsets, cancellationToken), cancellationToken);

    /// <summary>Reads the up to <paramref name="count"/> records before each offset and keeps the valid interactions among them.</summary>
    public Task<IReadOnlyDictionary<int, IReadOnlyList<Interaction>>> ReadInteractionsBeforeAsync(IReadOnlyDictionary<int, long> offsets, int count, CancellationToken cancellationToken) =>
        RunExclusiveAsync<IReadOnlyDictionary<int, IReadOnlyList<Interaction>>>(() => ReadInteractionsBefore(offsets, count, cancellationToken), cancellationToken);

    /// <summary>Runs one lookup at a time, off the caller's thread (the consumer's calls block).</summary>
    private async Task<T> RunExclusiveAsync<T>(Func<T> lookup, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await Task.Run(lookup, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            _consumer?.Dispose();
            _consumer = null;
            _valueConsumer?.Dispose();
            _valueConsumer = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Dictionary<int, long> Find(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        var consumer = GetConsumer();
        var result = new Dictionary<int, long>(partitions.Count);
        if (partitions.Count == 0)
            return result;
        var wanted = new Timestamp(timestamp);
        var answers = consumer.OffsetsForTimes(partitions.Select(p => new TopicPartitionTimestamp(_topic, p, wanted)), _timeout);
        List<int>? scanned = null;
        foreach (var answer in answers)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int partition = answer.Partition.Value;
            if (answer.Offset.Value >= 0)
            {
                result[partition] = answer.Offset.Value;
                continue;
            }

            var tp = new TopicPartition(_topic, partition);
            var ends = consumer.QueryWatermarkOffsets(tp, _timeout);
            long low = ends.Low.Value, high = ends.High.Value;
            if (high <= low || ReadTimestamp(consumer, tp, high - 1, cancellationToken) is not { } last || last < timestamp)
            {
                result[partition] = high; // no record at or after the timestamp: the end
                continue;
            }

            result[partition] = Scan(consumer, tp, low, high, timestamp, cancellationToken);
            (scanned ??= []).Add(partition);
        }

        if (scanned is not null)
            Log.OffsetsScanned(logger, timestamp, _topic, string.Join(", ", scanned.Select(p => $"{p}@{result[p]}")));
        return result;
    }

    private Dictionary<int, DateTimeOffset> ReadTimestamps(IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken)
    {
        var consumer = GetConsumer();
        var result = new Dictionary<int, DateTimeOffset>(offsets.Count);
        foreach (var (partition, offset) in offsets)
        {
            var tp = new TopicPartition(_topic, partition);
            var ends = consumer.QueryWatermarkOffsets(tp, _timeout);
            long from = Math.Max(offset, ends.Low.Value);
            if (from >= ends.High.Value)
                continue; // no record at or after the offset
            if (ReadTimestamp(consumer, tp, from, cancellationToken) is { } timestamp)
                result[partition] = timestamp;
        }

        return result;
    }

    private Dictionary<int, IReadOnlyList<Interaction>> ReadInteractionsBefore(IReadOnlyDictionary<int, long> offsets, int count, CancellationToken cancellationToken)
    {
        var consumer = GetValueConsumer();
        var decoder = new InteractionDeserializer(options.MaxMessageBytes);
        var result = new Dictionary<int, IReadOnlyList<Interaction>>(offsets.Count);
        foreach (var (partition, offset) in offsets)
        {
            var tp = new TopicPartition(_topic, partition);
            var ends = consumer.QueryWatermarkOffsets(tp, _timeout);
            long end = Math.Min(offset, ends.High.Value);
            long from = Math.Max(end - count, ends.Low.Value);
            if (from >= end)
                continue;
            var found = new List<Interaction>();
            ReadUntil(consumer, tp, from, record =>
            {
                if (record.Offset.Value >= end)
                    return true;
                try
                {
                    found.Add(decoder.Deserialize(record.Message.Value, record.Message.Value is null, SerializationContext.Empty));
                }
                catch (PoisonRecordException)
                {
                    // Not an interaction: it has no event time to offer.
                }
                return record.Offset.Value >= end - 1;
            }, $"Reading {_topic}[{partition}] from offset {from} to {end}", cancellationToken);
            if (found.Count > 0)
                result[partition] = found;
        }

        consumer.Unassign();
        return result;
    }

    /// <summary>Reads the timestamp of the first record at or after <paramref name="offset"/>, or <see langword="null"/> at the end.</summary>
    private DateTimeOffset? ReadTimestamp(IConsumer<Ignore, Ignore> consumer, TopicPartition tp, long offset, CancellationToken cancellationToken) =>
        ReadUntil(consumer, tp, offset, _ => true, $"Reading {tp.Topic}[{tp.Partition.Value}]@{offset}", cancellationToken) is { } record
            ? DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs)
            : null;

    /// <summary>Reads a partition from its start to the first record at or after <paramref name="timestamp"/>.</summary>
    private long Scan(IConsumer<Ignore, Ignore> consumer, TopicPartition tp, long low, long high, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        long wanted = timestamp.ToUnixTimeMilliseconds();
        long endOfPartition = -1;
        var found = ReadUntil(
            consumer, tp, low, record => record.Message.Timestamp.UnixTimestampMs >= wanted || record.Offset.Value >= high - 1,
            $"Scanning {tp.Topic}[{tp.Partition.Value}] for timestamp {Iso8601.Format(timestamp)}", cancellationToken, eof => endOfPartition = eof);
        if (found is null)
            return endOfPartition;
        return found.Message.Timestamp.UnixTimestampMs >= wanted ? found.Offset.Value : high;
    }

    /// <summary>
    /// Reads <paramref name="tp"/> from <paramref name="from"/>, handing each record to <paramref name="stop"/> until it
    /// returns <see langword="true"/> (that record is returned) or the partition ends (<see langword="null"/>, the end
    /// offset to <paramref name="onEnd"/>). Fails when no record arrives for the lookup timeout.
    /// </summary>
    private ConsumeResult<Ignore, TValue>? ReadUntil<TValue>(
        IConsumer<Ignore, TValue> consumer, TopicPartition tp, long from, Func<ConsumeResult<Ignore, TValue>, bool> stop, string what,
        CancellationToken cancellationToken, Action<long>? onEnd = null)
    {
        consumer.Assign(new TopicPartitionOffset(tp, from));
        var quiet = Stopwatch.StartNew();
        while (quiet.Elapsed < _timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = consumer.Consume(PollSlice);
            if (record is null)
                continue;
            quiet.Restart();
            if (record.IsPartitionEOF)
            {
                onEnd?.Invoke(record.Offset.Value);
                return null;
            }
            if (stop(record))
                return record;
        }

        throw new KafkaException(new Error(ErrorCode.Local_TimedOut, $"{what} stalled for {_timeout}."));
    }

    private IConsumer<Ignore, byte[]> GetValueConsumer()
    {
        if (_valueConsumer is { } existing)
            return existing;
        KafkaNative.EnsureLoaded();
        var config = options.BuildLookupConfig();
        config.ClientId = "callstream-warm-up-reader";
        config.ConsumeResultFields = "none";
        _valueConsumer = new ConsumerBuilder<Ignore, byte[]>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, m))
            .SetErrorHandler((c, e) => Log.ClientError(logger, c.Name, e.Code, BrokerReachability.Describe(e.Reason)))
            .Build();
        return _valueConsumer;
    }

    private IConsumer<Ignore, Ignore> GetConsumer()
    {
        if (_consumer is { } existing)
            return existing;
        KafkaNative.EnsureLoaded();
        var config = options.BuildLookupConfig();
        _consumer = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, m))
            .SetErrorHandler((c, e) => Log.ClientError(logger, c.Name, e.Code, BrokerReachability.Describe(e.Reason)))
            .Build();
        return _consumer;
    }
}
