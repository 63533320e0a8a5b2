using System.Globalization;
using MongoDB.Bson;
using MongoDB.Bson.IO;

namespace CallStream.Mongo;

/// <summary>Reads the values of the data contract from a BSON reader, with errors that name the field.</summary>
internal static class BsonFieldReader
{
    public static string Text(IBsonReader reader, string field)
    {
        if (reader.CurrentBsonType == BsonType.String)
            return reader.ReadString();
        throw Wrong(reader, field, "must be text");
    }

    public static double Number(IBsonReader reader, string field)
    {
        switch (reader.CurrentBsonType)
        {
            case BsonType.Double: return reader.ReadDouble();
            case BsonType.Int32: return reader.ReadInt32();
            case BsonType.Int64: return reader.ReadInt64();
            case BsonType.Decimal128: return (double)reader.ReadDecimal128();
            default: throw Wrong(reader, field, "must be a number");
        }
    }

    public static double? NullableNumber(IBsonReader reader, string field)
    {
        if (reader.CurrentBsonType == BsonType.Null)
        {
            reader.ReadNull();
            return null;
        }
        return Number(reader, field);
    }

    public static int? Score(IBsonReader reader, string field)
    {
        double? value = NullableNumber(reader, field);
        if (value is null)
            return null;
        if (value != Math.Floor(value.Value) || value < int.MinValue || value > int.MaxValue)
            throw new InteractionFormatException(field, value.Value.ToString(CultureInfo.InvariantCulture), "must be an integer.");
        return (int)value.Value;
    }

    public static DateTimeOffset Instant(IBsonReader reader, string field)
    {
        switch (reader.CurrentBsonType)
        {
            case BsonType.DateTime:
                return BsonInstant.FromMilliseconds(reader.ReadDateTime(), field);
            case BsonType.String:
                {
                    string text = reader.ReadString();
                    return Iso8601.TryParse(text, out var instant) ? instant
                        : throw new InteractionFormatException(field, text, "not an ISO-8601 instant.");
                }
            default:
                throw Wrong(reader, field, "must be a BSON date");
        }
    }

    public static DateTimeOffset? NullableInstant(IBsonReader reader, string field)
    {
        if (reader.CurrentBsonType == BsonType.Null)
        {
            reader.ReadNull();
            return null;
        }
        return Instant(reader, field);
    }

    public static InteractionFormatException Wrong(IBsonReader reader, string field, string expectation)
    {
        var type = reader.CurrentBsonType;
        reader.SkipValue();
        return new InteractionFormatException(field, null, $"{expectation}, not BSON {type}.");
    }

    public static InteractionFormatException Missing(string field, string? id) =>
        new(field, null, id is null ? "is required." : $"is required (document _id '{id}').");
}
