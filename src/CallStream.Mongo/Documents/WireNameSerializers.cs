using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace CallStream.Mongo;

/// <summary>Stores a <see cref="Channel"/> as its lowercase wire name (<c>voice</c>); reads names and aliases, ignoring case.</summary>
internal sealed class ChannelSerializer : StructSerializerBase<Channel>
{
    public override Channel Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        string text = WireText.Read(context, "channel");
        return WireNames.TryParseChannel(text, out var channel) ? channel
            : throw new InteractionFormatException("channel", text, "unknown channel; allowed: " + WireNames.AllowedChannels + ".");
    }

    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, Channel value) =>
        context.Writer.WriteString(WireNames.Name(value));
}

/// <summary>Stores an <see cref="Outcome"/> as its lowercase wire name (<c>resolved</c>); reads names, ignoring case.</summary>
internal sealed class OutcomeSerializer : StructSerializerBase<Outcome>
{
    public override Outcome Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        string text = WireText.Read(context, "outcome");
        return WireNames.TryParseOutcome(text, out var outcome) ? outcome
            : throw new InteractionFormatException("outcome", text, "unknown outcome; allowed: " + WireNames.AllowedOutcomes + ".");
    }

    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, Outcome value) =>
        context.Writer.WriteString(WireNames.Name(value));
}

/// <summary>Stores a <see cref="Severity"/> as its lowercase wire name (<c>critical</c>); reads names, ignoring case.</summary>
internal sealed class SeveritySerializer : StructSerializerBase<Severity>
{
    public override Severity Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args)
    {
        string text = WireText.Read(context, "severity");
        return WireNames.TryParseSeverity(text, out var severity) ? severity
            : throw new InteractionFormatException("severity", text, "unknown severity; allowed: " + WireNames.AllowedSeverities + ".");
    }

    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, Severity value) =>
        context.Writer.WriteString(WireNames.Name(value));
}

/// <summary>Reads the text of a wire name.</summary>
internal static class WireText
{
    public static string Read(BsonDeserializationContext context, string field)
    {
        var reader = context.Reader;
        if (reader.CurrentBsonType != BsonType.String)
        {
            var type = reader.CurrentBsonType;
            reader.SkipValue();
            throw new InteractionFormatException(field, null, $"must be text, not BSON {type}.");
        }
        return reader.ReadString();
    }
}
