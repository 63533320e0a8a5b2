using System.Buffers.Binary;
using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>
/// The headers of repartition topics: each forwarded record names the source partition and offset it was read from; a progress
/// marker (a record with no value) says how far in event time a source partition has been read.
/// </summary>
internal static class RepartitionHeaders
{
    /// <summary>On a forwarded record: the source partition (4 bytes) and the record's offset in it (8 bytes), big-endian.</summary>
    public const string Source = "callstream-source";

    private const int SourceLength = 12;

    /// <summary>On a progress marker: source partition, source partition count, event time (UTC ticks), caught-up flag; 17 bytes.</summary>
    public const string Progress = "callstream-progress";

    private const int ProgressLength = 17;

    public static byte[] EncodeSource(int partition, long offset)
    {
        var bytes = new byte[SourceLength];
        BinaryPrimitives.WriteInt32BigEndian(bytes, partition);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(4), offset);
        return bytes;
    }

    public static byte[] EncodeProgress(in ProgressMarker marker)
    {
        var bytes = new byte[ProgressLength];
        BinaryPrimitives.WriteInt32BigEndian(bytes, marker.SourcePartition);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), marker.SourcePartitions);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(8), marker.EventTime.UtcTicks);
        bytes[16] = marker.CaughtUp ? (byte)1 : (byte)0;
        return bytes;
    }

    /// <summary>Reads the source partition and offset of a forwarded record, or (-1, -1) when the header is missing or malformed.</summary>
    public static (int Partition, long Offset) ReadSource(Headers? headers) =>
        headers is not null && headers.TryGetLastBytes(Source, out var bytes) && bytes.Length == SourceLength
            ? (BinaryPrimitives.ReadInt32BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(4)))
            : (-1, -1);

    /// <summary>Reads a progress marker's header, if the record is one.</summary>
    public static bool TryReadProgress(Headers? headers, out ProgressMarker marker)
    {
        marker = default;
        if (headers is null || !headers.TryGetLastBytes(Progress, out var bytes) || bytes.Length != ProgressLength)
            return false;
        long ticks = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8));
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
            return false;
        marker = new ProgressMarker(
            BinaryPrimitives.ReadInt32BigEndian(bytes),
            BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4)),
            new DateTimeOffset(ticks, TimeSpan.Zero),
            bytes[16] != 0);
        return marker.SourcePartition >= 0 && marker.SourcePartitions > marker.SourcePartition;
    }
}

/// <summary>How far a source partition has been read: every record of it up to here was forwarded before this marker.</summary>
/// <param name="SourcePartition">The source partition.</param>
/// <param name="SourcePartitions">How many partitions the source topic has.</param>
/// <param name="EventTime">The newest event time read from the source partition.</param>
/// <param name="CaughtUp">Whether the source partition was read to its end.</param>
internal readonly record struct ProgressMarker(int SourcePartition, int SourcePartitions, DateTimeOffset EventTime, bool CaughtUp);
