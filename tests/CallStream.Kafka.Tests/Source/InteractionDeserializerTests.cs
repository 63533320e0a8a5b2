using System.Text;
using System.Text.Json;
using CallStream.Json;
using CallStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Source;

/// <summary>Which values become interactions and how the others are described for the dead-letter topic.</summary>
public sealed class InteractionDeserializerTests
{
    private static readonly SerializationContext Context = new(MessageComponentType.Value, "consumerdata");
    private readonly InteractionDeserializer _deserializer = new(maxBytes: 1000);

    [Fact]
    public void Deserialize_ContractJson_ReturnsTheInteraction()
    {
        var interaction = TestData.Interaction(3);
        var json = JsonSerializer.SerializeToUtf8Bytes(interaction, CallStreamJsonContext.Default.Interaction);
        Assert.Equal(interaction, _deserializer.Deserialize(json, false, Context));
    }

    [Theory]
    [InlineData(null, "no-value", "the message has no value (null).")]
    [InlineData("", "invalid-json", "the value is not valid JSON:")]
    [InlineData("{\"interactionId\":", "invalid-json", "the value is not valid JSON:")]
    [InlineData("tru", "invalid-json", "the value is not valid JSON:")]
    [InlineData("null", "invalid-interaction", "the value is JSON null, not an interaction object.")]
    [InlineData("[1]", "invalid-interaction", "an interaction is a JSON object, not an array.")]
    [InlineData("{\"interactionId\":\"i\"}", "invalid-interaction", "customerId: is required.")]
    public void Deserialize_BadValue_ThrowsWithKindAndReason(string? text, string kind, string reason)
    {
        var data = text is null ? [] : Encoding.UTF8.GetBytes(text);
        var ex = Assert.Throws<PoisonRecordException>(() => _deserializer.Deserialize(data, text is null, Context));
        Assert.Equal(kind, ex.Kind);
        Assert.StartsWith(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_SchemaViolation_NamesFieldAndValue()
    {
        var json = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(TestData.Interaction(1), CallStreamJsonContext.Default.Interaction))
            .Replace("\"channel\":\"chat\"", "\"channel\":\"pigeon\"", StringComparison.Ordinal);
        var ex = Assert.Throws<PoisonRecordException>(() => _deserializer.Deserialize(Encoding.UTF8.GetBytes(json), false, Context));
        Assert.Equal("invalid-interaction", ex.Kind);
        Assert.Equal("channel", ex.Field);
        Assert.Equal("pigeon", ex.Value);
    }

    [Fact]
    public void Deserialize_TrailingContentAfterTheObject_IsInvalidJson()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(TestData.Interaction(1), CallStreamJsonContext.Default.Interaction);
        var ex = Assert.Throws<PoisonRecordException>(() => _deserializer.Deserialize([.. json, .. " {}"u8], false, Context));
        Assert.Equal("invalid-json", ex.Kind);
    }

    [Fact]
    public void Deserialize_InvalidUtf8_SaysWhere()
    {
        byte[] data = [.. "{\"interactionId\":\"caf"u8, 0xC3, 0x28, .. "\"}"u8];
        var ex = Assert.Throws<PoisonRecordException>(() => _deserializer.Deserialize(data, false, Context));
        Assert.Equal("invalid-utf8", ex.Kind);
        Assert.Equal("the value is not valid UTF-8 (invalid byte sequence at byte 21).", ex.Message);
    }

    [Fact]
    public void Deserialize_LargerThanTheLimit_IsRefusedBeforeParsing()
    {
        var ex = Assert.Throws<PoisonRecordException>(() => _deserializer.Deserialize(new byte[1001], false, Context));
        Assert.Equal("too-large", ex.Kind);
        Assert.Equal("the value is 1001 bytes; KafkaSourceOptions.MaxMessageBytes allows 1000.", ex.Message);
    }
}
