using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace CallStream.Mongo;

/// <summary>
/// Writes an <see cref="Interaction"/> as the MongoDB document of data.md and reads it back, by hand (no
/// automapping): <c>_id</c> (the interaction id), <c>customerId</c>, <c>agentId</c>, <c>channel</c> and
/// <c>outcome</c> as lowercase text, <c>startTime</c> as a BSON date (UTC, millisecond precision: a finer start
/// time is truncated to its millisecond), <c>durationSeconds</c> as a double, <c>satisfaction</c> as an int32 (absent
/// when there is none), <c>attributes</c> as a sub-document of text values (absent when empty).
/// </summary>
/// <remarks>Reading accepts <c>satisfaction: null</c>, numbers of any BSON numeric type, ISO-8601 text instants, and ignores unknown fields; an invalid document throws <see cref="InteractionFormatException"/> naming the field.</remarks>
public sealed class InteractionBsonSerializer : SerializerBase<Interaction>
{
    private static readonly ChannelSerializer Channels = new();
    private static readonly OutcomeSerializer Outcomes = new();

    /// <inheritdoc/>
    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, Interaction value)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(value);
        var writer = context.Writer;
        writer.WriteStartDocument();
        writer.WriteString("_id", value.InteractionId);
        writer.WriteString("customerId", value.CustomerId);
        writer.WriteString("agentId", value.AgentId);
        writer.WriteString("channel", WireNames.Name(value.Channel));
        writer.WriteDateTime("startTime", BsonInstant.ToMilliseconds(value.StartTime));
        writer.WriteDouble("durationSeconds", value.DurationSeconds);
        writer.WriteString("outcome", WireNames.Name(value.Outcome));
        if (value.Satisfaction is int satisfaction)
            writer.WriteInt32("satisfaction", satisfaction);
        if (value.Attributes.Count > 0)
        {
            writer.WriteStartDocument("attributes");
            foreach (var attribute in value.Attributes)
                writer.WriteString(attribute.Key, attribute.Value);
            writer.WriteEndDocument();
        }
        writer.WriteEndDocument();
    }

    /// <inheritdoc/>
    public override Interaction Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reader = context.Reader;
        if (reader.GetCurrentBsonType() != BsonType.Document)
            throw BsonFieldReader.Wrong(reader, "interaction", "must be a document");
        string? id = null, customerId = null, agentId = null;
        Channel? channel = null;
        Outcome? outcome = null;
        DateTimeOffset? startTime = null;
        double? duration = null;
        int? satisfaction = null;
        List<KeyValuePair<string, string>>? attributes = null;
        reader.ReadStartDocument();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            string name = reader.ReadName();
            switch (name)
            {
                case "_id": id = BsonFieldReader.Text(reader, "_id"); break;
                case "customerId": customerId = BsonFieldReader.Text(reader, name); break;
                case "agentId": agentId = BsonFieldReader.Text(reader, name); break;
                case "channel": channel = Channels.Deserialize(context, args); break;
                case "outcome": outcome = Outcomes.Deserialize(context, args); break;
                case "startTime": startTime = BsonFieldReader.Instant(reader, name); break;
                case "durationSeconds": duration = BsonFieldReader.Number(reader, name); break;
                case "satisfaction": satisfaction = BsonFieldReader.Score(reader, name); break;
                case "attributes": attributes = ReadAttributes(reader); break;
                default: reader.SkipValue(); break;
            }
        }
        reader.ReadEndDocument();
        try
        {
            return new Interaction(
                id ?? throw BsonFieldReader.Missing("_id", null),
                customerId ?? throw BsonFieldReader.Missing("customerId", id),
                agentId ?? throw BsonFieldReader.Missing("agentId", id),
                channel ?? throw BsonFieldReader.Missing("channel", id),
                startTime ?? throw BsonFieldReader.Missing("startTime", id),
                duration ?? throw BsonFieldReader.Missing("durationSeconds", id),
                outcome ?? throw BsonFieldReader.Missing("outcome", id),
                satisfaction,
                attributes);
        }
        catch (ArgumentException ex)
        {
            throw new InteractionFormatException(ex.ParamName, null, $"{ex.Message} (document _id '{id}')");
        }
    }

    private static List<KeyValuePair<string, string>>? ReadAttributes(MongoDB.Bson.IO.IBsonReader reader)
    {
        if (reader.CurrentBsonType == BsonType.Null)
        {
            reader.ReadNull();
            return null;
        }
        if (reader.GetCurrentBsonType() != BsonType.Document)
            throw BsonFieldReader.Wrong(reader, "attributes", "must be a sub-document of text values");
        var attributes = new List<KeyValuePair<string, string>>();
        reader.ReadStartDocument();
        while (reader.ReadBsonType() != BsonType.EndOfDocument)
        {
            string name = reader.ReadName();
            attributes.Add(new(name, BsonFieldReader.Text(reader, "attributes." + name)));
        }
        reader.ReadEndDocument();
        return attributes;
    }
}
