using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallStream.Json;

/// <summary>
/// Reads and writes an <see cref="Alert"/> in the JSON contract of data.md. Reading checks that <c>alertId</c>
/// is the id that rule, key and interaction id determine, and throws <see cref="InteractionFormatException"/>
/// naming the field otherwise.
/// </summary>
public sealed class AlertJsonConverter : JsonConverter<Alert>
{
    /// <inheritdoc/>
    public override Alert Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InteractionFormatException(null, null, "an alert is a JSON object.");
        string? alertId = null, rule = null, key = null, interactionId = null, message = null;
        Severity? severity = null;
        DateTimeOffset? triggeredAt = null, windowStart = null, windowEnd = null;
        List<AlertValue>? values = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "alertId": alertId = Text(ref reader, name); break;
                case "rule": rule = Text(ref reader, name); break;
                case "key": key = Text(ref reader, name); break;
                case "interactionId": interactionId = Text(ref reader, name); break;
                case "message": message = Text(ref reader, name); break;
                case "severity":
                    {
                        string text = Text(ref reader, name);
                        severity = WireNames.TryParseSeverity(text, out var s) ? s
                            : throw new InteractionFormatException(name, text, "unknown severity; allowed: " + WireNames.AllowedSeverities + ".");
                        break;
                    }
                case "triggeredAt": triggeredAt = Instant(ref reader, name); break;
                case "windowStart": windowStart = reader.TokenType == JsonTokenType.Null ? null : Instant(ref reader, name); break;
                case "windowEnd": windowEnd = reader.TokenType == JsonTokenType.Null ? null : Instant(ref reader, name); break;
                case "values":
                    if (reader.TokenType == JsonTokenType.Null)
                        break;
                    if (reader.TokenType != JsonTokenType.StartObject)
                        throw new InteractionFormatException(name, null, "must be an object of aggregate values.");
                    values = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        string expr = reader.GetString()!;
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.Null)
                            values.Add(new(expr, null));
                        else if (reader.TokenType == JsonTokenType.Number)
                            values.Add(new(expr, reader.GetDouble()));
                        else
                            throw new InteractionFormatException("values." + expr, null, "must be a number or null.");
                    }
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        try
        {
            return Alert.Restore(
                alertId ?? throw Missing("alertId"),
                rule ?? throw Missing("rule"),
                severity ?? throw Missing("severity"),
                key ?? throw Missing("key"),
                interactionId ?? throw Missing("interactionId"),
                triggeredAt ?? throw Missing("triggeredAt"),
                message ?? "",
                windowStart,
                windowEnd,
                values);
        }
        catch (ArgumentException ex)
        {
            throw new InteractionFormatException(ex.ParamName, null, ex.Message);
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Alert value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("alertId"u8, value.AlertId);
        writer.WriteString("rule"u8, value.Rule);
        writer.WriteString("severity"u8, WireNames.Name(value.Severity));
        writer.WriteString("key"u8, value.Key);
        writer.WriteString("interactionId"u8, value.InteractionId);
        writer.WriteString("triggeredAt"u8, value.TriggeredAt.UtcDateTime);
        if (value.WindowStart is { } ws && value.WindowEnd is { } we)
        {
            writer.WriteString("windowStart"u8, ws.UtcDateTime);
            writer.WriteString("windowEnd"u8, we.UtcDateTime);
        }
        if (value.Values.Count > 0)
        {
            writer.WriteStartObject("values"u8);
            foreach (var v in value.Values)
            {
                if (v.Value is double d && double.IsFinite(d))
                    writer.WriteNumber(v.Expression, d);
                else
                    writer.WriteNull(v.Expression);
            }
            writer.WriteEndObject();
        }
        writer.WriteString("message"u8, value.Message);
        writer.WriteEndObject();
    }

    private static string Text(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new InteractionFormatException(name, null, "must be text.");

    private static DateTimeOffset Instant(ref Utf8JsonReader reader, string name)
    {
        string text = Text(ref reader, name);
        return Iso8601.TryParse(text, out var t) ? t : throw new InteractionFormatException(name, text, "not an ISO-8601 instant.");
    }

    private static InteractionFormatException Missing(string field) => new(field, null, "is required.");
}
