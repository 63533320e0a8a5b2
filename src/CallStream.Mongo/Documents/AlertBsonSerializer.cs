using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace CallStream.Mongo;

/// <summary>
/// Writes an <see cref="Alert"/> as the MongoDB document of data.md and reads it back, by hand (no automapping):
/// <c>_id</c> (the alert id), <c>rule</c>, <c>severity</c> (lowercase text), <c>key</c>, <c>interactionId</c>,
/// <c>triggeredAt</c> and, for windowed rules, <c>windowStart</c>/<c>windowEnd</c> as BSON dates (UTC, truncated to the
/// millisecond), <c>values</c> as a sub-document of each aggregate's text and its value (a double or null; absent when
/// there is none), and <c>message</c>.
/// </summary>
/// <remarks>Reading checks that <c>_id</c> is the id that rule, key and interaction id determine; an invalid document throws <see cref="InteractionFormatException"/> naming the field.</remarks>
public sealed class AlertBsonSerializer : SerializerBase<Alert>
{
    private static readonly SeveritySerializer Severities = new();

    /// <inheritdoc/>
    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, Alert value)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(value);
        var writer = context.Writer;
        writer.WriteStartDocument();
        writer.WriteString("_id", value.AlertId);
        writer.WriteString("rule", value.Rule);
        writer.WriteString("severity", WireNames.Name(value.Severity));
        writer.WriteString("key", value.Key);
        writer.WriteString("interactionId", value.InteractionId);
        writer.WriteDateTime("triggeredAt", BsonInstant.ToMilliseconds(value.TriggeredAt));
        if (value.WindowStart is { } windowStart && value.WindowEnd is { } windowEnd)
        {
            writer.WriteDateTime("windowStart", BsonInstant.ToMilliseconds(windowStart));
            writer.WriteDateTime("windowEnd", BsonInstant.ToMilliseconds(windowEnd));
        }
        if (value.Values.Count > 0)
        {
            writer.WriteStartDocument("values");
            foreach (var v in value.Values)
            {
                writer.WriteName(v.Expression);
                if (v.Value is double d && double.IsFinite(d))
                    writer.WriteDouble(d);
                else
                    writer.WriteNull();
            }
            writer.WriteEndDocument();
        }
        writer.WriteString("message", value.Message);
        writer.WriteEndDocument();
    }

    /// <inheritdoc/>
    public override Alert Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reader = context.Reader;
        if (reader.GetCurrentBsonType() != BsonType.Document)
            throw BsonFieldReader.Wrong(reader, "alert", "must be a document");
        string? id = null, rule = null, key = null, interactionId = null, message = null;
        Severity? severity = null;
        DateTimeOffset? triggeredAt = null, windowStart = null, windowEnd = null;
        List<AlertValue>? values = null;
        reader.ReadStartDocument();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            string name = reader.ReadName();
            switch (name)
            {
                case "_id": id = BsonFieldReader.Text(reader, "_id"); break;
                case "rule": rule = BsonFieldReader.Text(reader, name); break;
                case "key": key = BsonFieldReader.Text(reader, name); break;
                case "interactionId": interactionId = BsonFieldReader.Text(reader, name); break;
                case "message": message = BsonFieldReader.Text(reader, name); break;
                case "severity": severity = Severities.Deserialize(context, args); break;
                case "triggeredAt": triggeredAt = BsonFieldReader.Instant(reader, name); break;
                case "windowStart": windowStart = BsonFieldReader.NullableInstant(reader, name); break;
                case "windowEnd": windowEnd = BsonFieldReader.NullableInstant(reader, name); break;
                case "values": values = ReadValues(reader); break;
                default: reader.SkipValue(); break;
            }
        }
        reader.ReadEndDocument();
        try
        {
            return Alert.Restore(
                id ?? throw BsonFieldReader.Missing("_id", null),
                rule ?? throw BsonFieldReader.Missing("rule", id),
                severity ?? throw BsonFieldReader.Missing("severity", id),
                key ?? throw BsonFieldReader.Missing("key", id),
                interactionId ?? throw BsonFieldReader.Missing("interactionId", id),
                triggeredAt ?? throw BsonFieldReader.Missing("triggeredAt", id),
                message ?? "",
                windowStart,
                windowEnd,
                values);
        }
        catch (ArgumentException ex)
        {
            throw new InteractionFormatException(ex.ParamName == "alertId" ? "_id" : ex.ParamName, null, $"{ex.Message} (document _id '{id}')");
        }
    }

    private static List<AlertValue>? ReadValues(MongoDB.Bson.IO.IBsonReader reader)
    {
        if (reader.CurrentBsonType == BsonType.Null)
        {
            reader.ReadNull();
            return null;
        }
        if (reader.GetCurrentBsonType() != BsonType.Document)
            throw BsonFieldReader.Wrong(reader, "values", "must be a sub-document of aggregate values");
        var values = new List<AlertValue>();
        reader.ReadStartDocument();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            string expression = reader.ReadName();
            values.Add(new(expression, BsonFieldReader.NullableNumber(reader, "values." + expression)));
        }
        reader.ReadEndDocument();
        return values;
    }
}
