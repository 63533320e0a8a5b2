using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CallStream.Kafka;

/// <summary>One offset of a partition with the event-time position the reader stored with it.</summary>
internal readonly record struct StoredPosition(long Offset, EventTimePosition Position);

/// <summary>
/// The value of a record of the progress topic, keyed <c>topic/partition</c>: the positions that the group's committed
/// offset of the partition may be at — the last commit known to have succeeded and every offset stored since — each with
/// its event-time position. Plain JSON, so that an operator can read it with any Kafka tool.
/// </summary>
internal static class ProgressRecord
{
    /// <summary>The format version written; a reader ignores records of another version.</summary>
    public const int Version = 1;

    public static string Key(string topic, int partition) => topic + "/" + partition.ToString(CultureInfo.InvariantCulture);

    public static byte[] Write(string topic, int partition, IReadOnlyList<StoredPosition> positions)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("topic", topic);
            json.WriteNumber("partition", partition);
            json.WriteStartArray("positions");
            foreach (var (offset, position) in positions)
            {
                json.WriteStartObject();
                json.WriteNumber("offset", offset);
                json.WriteString("watermark", Iso8601.Format(position.Watermark));
                json.WriteNumber("watermarkTicks", position.Watermark.UtcTicks);
                json.WriteNumber("horizonTicks", position.Horizon.Ticks);
                json.WriteNumber("warmUpFrom", position.WarmUpFrom);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Reads a record's positions; <see langword="null"/> when it is not a progress record of this version for <paramref name="topic"/>.</summary>
    public static List<StoredPosition>? TryRead(string topic, int partition, byte[]? value)
    {
        if (value is null)
            return null;
        try
        {
            using var document = JsonDocument.Parse(value);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("version", out var version) || version.GetInt32() != Version
                || !root.TryGetProperty("topic", out var t) || t.GetString() != topic
                || !root.TryGetProperty("partition", out var p) || p.GetInt32() != partition
                || !root.TryGetProperty("positions", out var positions) || positions.ValueKind != JsonValueKind.Array)
                return null;
            var result = new List<StoredPosition>();
            foreach (var item in positions.EnumerateArray())
            {
                long ticks = item.GetProperty("watermarkTicks").GetInt64();
                long horizon = item.GetProperty("horizonTicks").GetInt64();
                if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks || horizon < 0)
                    return null;
                result.Add(new StoredPosition(item.GetProperty("offset").GetInt64(),
                    new EventTimePosition(new DateTimeOffset(ticks, TimeSpan.Zero), TimeSpan.FromTicks(horizon), item.GetProperty("warmUpFrom").GetInt64())));
            }
            return result;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or DecoderFallbackException)
        {
            return null;
        }
    }
}
