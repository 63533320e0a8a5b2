using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using CallStream.Json;
using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>
/// Reads a message value as an interaction straight from librdkafka's buffer (no copy): checks the size limit and
/// UTF-8, then parses the JSON of the data contract. Anything else throws <see cref="PoisonRecordException"/>, which
/// the consumer reports with the raw record, so the source can hand it to its poison-record policy. Repeated texts (customer and agent ids,
/// attributes) are shared between the interactions read (<see cref="InteractionJsonReader"/>): the consumer calls it
/// from its one polling thread.
/// </summary>
internal sealed class InteractionDeserializer(int maxBytes) : IDeserializer<Interaction>
{
    private readonly InteractionJsonReader _reader = new();

    public Interaction Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
            throw new PoisonRecordException(DeadLetterHeaders.ErrorNoValue, "the message has no value (null).");
        if (data.Length > maxBytes)
            throw new PoisonRecordException(DeadLetterHeaders.ErrorTooLarge, $"the value is {data.Length} bytes; KafkaSourceOptions.MaxMessageBytes allows {maxBytes}.");
        if (!Utf8.IsValid(data))
            throw new PoisonRecordException(DeadLetterHeaders.ErrorInvalidUtf8, $"the value is not valid UTF-8 (invalid byte sequence at byte {FirstInvalidByte(data)}).");
        try
        {
            return _reader.Read(data)
                ?? throw new PoisonRecordException(DeadLetterHeaders.ErrorInvalidInteraction, "the value is JSON null, not an interaction object.");
        }
        catch (InteractionFormatException ex)
        {
            throw new PoisonRecordException(DeadLetterHeaders.ErrorInvalidInteraction, ex.Message, ex.Field, ex.Value, ex);
        }
        catch (JsonException ex)
        {
            throw new PoisonRecordException(DeadLetterHeaders.ErrorInvalidJson, "the value is not valid JSON: " + ex.Message, null, null, ex);
        }
        catch (ArgumentException ex)
        {
            throw new PoisonRecordException(DeadLetterHeaders.ErrorInvalidInteraction, ex.Message, ex.ParamName, null, ex);
        }
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> data)
    {
        int index = 0;
        while (index < data.Length)
        {
            if (Rune.DecodeFromUtf8(data[index..], out _, out int consumed) != OperationStatus.Done)
                return index;
            index += consumed;
        }

        return index;
    }
}
