using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallStream.Json;

/// <summary>
/// Reads and writes an <see cref="Interaction"/> in the JSON contract of data.md (camelCase fields, lowercase
/// channel and outcome, ISO-8601 UTC start time, <c>attributes</c> object). Reading validates every field and
/// throws <see cref="InteractionFormatException"/> naming the field, value and reason.
/// </summary>
public sealed class InteractionJsonConverter : JsonConverter<Interaction>
{
    /// <inheritdoc/>
    public override Interaction Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InteractionFormatException(null, null, $"an interaction is a JSON object, not {Describe(reader.TokenType)}.");
        string? interactionId = null, customerId = null, agentId = null;
        Channel? channel = null;
        Outcome? outcome = null;
        DateTimeOffset? startTime = null;
        double? duration = null;
        int? satisfaction = null;
        List<KeyValuePair<string, string>>? attributes = null;
        int seen = 0;
        Span<char> shortText = stackalloc char[ShortText];

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
                break;
            int bit = FieldBit(ref reader);
            string name = FieldName(bit);
            if ((seen & bit) != 0)
                throw new InteractionFormatException(name, null, "the field is given twice.");
            seen |= bit;
            reader.Read();
            switch (bit)
            {
                case 1: interactionId = RequiredText(ref reader, name); break;
                case 2: customerId = RequiredText(ref reader, name); break;
                case 4: agentId = RequiredText(ref reader, name); break;
                case 8:
                    {
                        // The common case without allocating: a short text that names a channel.
                        if (TryCopyShortText(ref reader, shortText, out int length) && WireNames.TryParseChannel(shortText[..length], out var known))
                        {
                            channel = known;
                            break;
                        }
                        string text = RequiredText(ref reader, name);
                        channel = WireNames.TryParseChannel(text, out var c) ? c
                            : throw new InteractionFormatException(name, text, "unknown channel; allowed: " + WireNames.AllowedChannels + ".");
                        break;
                    }
                case 16:
                    {
                        if (TryCopyShortText(ref reader, shortText, out int length) && Iso8601.TryParse(shortText[..length], out var parsed))
                        {
                            startTime = parsed;
                            break;
                        }
                        string text = RequiredText(ref reader, name);
                        startTime = Iso8601.TryParse(text, out var t) ? t
                            : throw new InteractionFormatException(name, text, "not an ISO-8601 instant (e.g. 2024-03-01T09:15:00Z).");
                        break;
                    }
                case 32:
                    {
                        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double d) || !double.IsFinite(d))
                            throw new InteractionFormatException(name, Raw(ref reader), "must be a number of seconds.");
                        if (d < 0)
                            throw new InteractionFormatException(name, Raw(ref reader), "must not be negative.");
                        duration = d;
                        break;
                    }
                case 64:
                    {
                        if (TryCopyShortText(ref reader, shortText, out int length) && WireNames.TryParseOutcome(shortText[..length], out var known))
                        {
                            outcome = known;
                            break;
                        }
                        string text = RequiredText(ref reader, name);
                        outcome = WireNames.TryParseOutcome(text, out var o) ? o
                            : throw new InteractionFormatException(name, text, "unknown outcome; allowed: " + WireNames.AllowedOutcomes + ".");
                        break;
                    }
                case 128:
                    if (reader.TokenType == JsonTokenType.Null)
                        break;
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int s) || s is < 1 or > 5)
                        throw new InteractionFormatException(name, Raw(ref reader), "must be an integer from 1 to 5, or null.");
                    satisfaction = s;
                    break;
                case 256:
                    attributes = ReadAttributes(ref reader);
                    break;
                default:
                    reader.Skip(); // unknown fields are ignored, for forward compatibility
                    break;
            }
        }

        return new Interaction(
            interactionId ?? throw Missing("interactionId"),
            customerId ?? throw Missing("customerId"),
            agentId ?? throw Missing("agentId"),
            channel ?? throw Missing("channel"),
            startTime ?? throw Missing("startTime"),
            duration ?? throw Missing("durationSeconds"),
            outcome ?? throw Missing("outcome"),
            satisfaction,
            attributes);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Interaction value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("interactionId"u8, value.InteractionId);
        writer.WriteString("customerId"u8, value.CustomerId);
        writer.WriteString("agentId"u8, value.AgentId);
        writer.WriteString("channel"u8, WireNames.Name(value.Channel));
        writer.WriteString("startTime"u8, value.StartTime.UtcDateTime);
        writer.WriteNumber("durationSeconds"u8, value.DurationSeconds);
        writer.WriteString("outcome"u8, WireNames.Name(value.Outcome));
        if (value.Satisfaction is int s)
            writer.WriteNumber("satisfaction"u8, s);
        if (value.Attributes.Count > 0)
        {
            writer.WriteStartObject("attributes"u8);
            foreach (var a in value.Attributes)
                writer.WriteString(a.Key, a.Value);
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static List<KeyValuePair<string, string>>? ReadAttributes(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
            return null;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InteractionFormatException("attributes", null, $"must be an object of text values, not {Describe(reader.TokenType)}.");
        var list = new List<KeyValuePair<string, string>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new InteractionFormatException("attributes." + key, Raw(ref reader), "attribute values are text.");
            string value = reader.GetString()!;
            if (key.Length == 0)
                throw new InteractionFormatException("attributes", null, "attribute names must not be empty.");
            foreach (var existing in list)
            {
                if (existing.Key == key)
                    throw new InteractionFormatException("attributes." + key, null, "the attribute is given twice.");
            }
            list.Add(new(key, value));
        }
        return list;
    }

    /// <summary>The field's bit (0 for a field of no interest), by length and bytes when the name has no escapes.</summary>
    private static int FieldBit(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
            return EscapedFieldBit(ref reader);
        return InteractionJson.FieldBit(reader.ValueSpan);
    }

    private static int EscapedFieldBit(ref Utf8JsonReader reader)
    {
        for (int i = 0; i < FieldNames.Length; i++)
        {
            if (reader.ValueTextEquals(FieldNames[i]))
                return 1 << i;
        }
        return 0;
    }

    /// <summary>The longest text (in UTF-16 code units) read into a stack buffer instead of a string.</summary>
    private const int ShortText = 64;

    /// <summary>The fields of the contract; a field's bit is <c>1 &lt;&lt; index</c>.</summary>
    private static readonly string[] FieldNames =
        ["interactionId", "customerId", "agentId", "channel", "startTime", "durationSeconds", "outcome", "satisfaction", "attributes"];

    private static string FieldName(int bit) => bit == 0 ? "" : FieldNames[System.Numerics.BitOperations.TrailingZeroCount(bit)];

    /// <summary>
    /// Copies a string token of at most <see cref="ShortText"/> UTF-8 bytes into <paramref name="buffer"/> without
    /// allocating; <see langword="false"/> when the token is not text or is longer, so that the caller takes its
    /// allocating path, which also reports every error as before.
    /// </summary>
    private static bool TryCopyShortText(ref Utf8JsonReader reader, scoped Span<char> buffer, out int length)
    {
        length = 0;
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueSpan.Length > buffer.Length)
            return false;
        length = reader.CopyString(buffer); // no more UTF-16 code units than UTF-8 bytes, so it fits
        return true;
    }

    private static string RequiredText(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new InteractionFormatException(name, Raw(ref reader), $"must be text, not {Describe(reader.TokenType)}.");
        string text = reader.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
            throw new InteractionFormatException(name, text, "must not be empty.");
        return text;
    }

    private static string Raw(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null =>
            System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan),
        _ => Describe(reader.TokenType),
    };

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "text",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static InteractionFormatException Missing(string field) => new(field, null, "is required.");
}
