using System.Text.Json;
using CallStream.Json;

namespace CallStream.Abstractions.Tests;

public class JsonContractTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 9, 15, 0, TimeSpan.Zero);

    [Fact]
    public void Interaction_SerializesToContractJson()
    {
        var i = new Interaction("i-1", "c-42", "agent-7", Channel.Video, T0, 312.5, Outcome.Problematic, 4, [new("region", "north")]);
        string json = JsonSerializer.Serialize(i, CallStreamJsonContext.Default.Interaction);
        Assert.Equal(
            """{"interactionId":"i-1","customerId":"c-42","agentId":"agent-7","channel":"video","startTime":"2024-03-01T09:15:00Z","durationSeconds":312.5,"outcome":"problematic","satisfaction":4,"attributes":{"region":"north"}}""",
            json);
        Assert.Equal(i, JsonSerializer.Deserialize(json, CallStreamJsonContext.Default.Interaction));
    }

    [Fact]
    public void Interaction_WithoutSatisfactionOrAttributes_OmitsThem()
    {
        var i = new Interaction("i-1", "c", "a", Channel.Email, T0, 0, Outcome.Resolved);
        string json = JsonSerializer.Serialize(i, CallStreamJsonContext.Default.Interaction);
        Assert.DoesNotContain("satisfaction", json, StringComparison.Ordinal);
        Assert.DoesNotContain("attributes", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Interaction_ReadsAliasesOffsetsAndNullSatisfaction()
    {
        string json = """{"interactionId":"i","customerId":"c","agentId":"a","channel":"Voice Call","startTime":"2024-03-01T10:15:00+01:00","durationSeconds":60,"outcome":"FAILED","satisfaction":null,"extra":[1,2]}""";
        var i = JsonSerializer.Deserialize(json, CallStreamJsonContext.Default.Interaction)!;
        Assert.Equal(Channel.Voice, i.Channel);
        Assert.Equal(Outcome.Failed, i.Outcome);
        Assert.Equal(T0, i.StartTime);
        Assert.Null(i.Satisfaction);
    }

    [Fact]
    public void Interaction_ReadsEscapedNamesAndValues_AndLongTexts()
    {
        // Escaped field names and values, and texts longer than the reader's stack buffer, take its slower paths.
        string json = "{\"interaction\\u0049d\":\"i\",\"customerId\":\"c\",\"agentId\":\"a\",\"ch\\u0061nnel\":\"\\u0076ideo\","
            + "\"startTime\":\"" + new string(' ', 70) + "2024-03-01T10:15:00+01:00\",\"durationSeconds\":60,"
            + "\"outcome\":\"" + new string(' ', 70) + "resolved\"}";
        var i = JsonSerializer.Deserialize(json, CallStreamJsonContext.Default.Interaction)!;
        Assert.Equal("i", i.InteractionId);
        Assert.Equal(Channel.Video, i.Channel);
        Assert.Equal(T0, i.StartTime);
        Assert.Equal(Outcome.Resolved, i.Outcome);
    }

    [Theory]
    [InlineData("""{"customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:00:00Z","durationSeconds":1,"outcome":"failed"}""", "interactionId", "is required")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"fax","startTime":"2024-03-01T09:00:00Z","durationSeconds":1,"outcome":"failed"}""", "channel", "allowed: email")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"chat","startTime":"yesterday","durationSeconds":1,"outcome":"failed"}""", "startTime", "ISO-8601")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"  ","startTime":"2024-03-01T09:00:00Z","durationSeconds":1,"outcome":"failed"}""", "channel", "must not be empty")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":7,"startTime":"2024-03-01T09:00:00Z","durationSeconds":1,"outcome":"failed"}""", "channel", "must be text")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:00:00Z","durationSeconds":1,"outcome":null}""", "outcome", "must be text")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:00:00Z","durationSeconds":-4,"outcome":"failed"}""", "durationSeconds", "negative")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:00:00Z","durationSeconds":"4","outcome":"failed"}""", "durationSeconds", "number")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:00:00Z","durationSeconds":4,"outcome":"meh"}""", "outcome", "allowed: resolved")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:00:00Z","durationSeconds":4,"outcome":"failed","satisfaction":9}""", "satisfaction", "1 to 5")]
    [InlineData("""{"interactionId":"i","interactionId":"j","customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:00:00Z","durationSeconds":4,"outcome":"failed"}""", "interactionId", "twice")]
    [InlineData("""{"interactionId":"i","customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:00:00Z","durationSeconds":4,"outcome":"failed","attributes":{"region":3}}""", "attributes.region", "text")]
    public void Interaction_InvalidJson_ThrowsNamingFieldAndReason(string json, string field, string reason)
    {
        var ex = Assert.Throws<InteractionFormatException>(() => JsonSerializer.Deserialize(json, CallStreamJsonContext.Default.Interaction));
        Assert.Equal(field, ex.Field);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alert_RoundTripsWithWindowAndValues()
    {
        var a = new Alert("RepeatedFailures", Severity.Critical, "c-1", "i-5", T0, "Customer c-1: 5 failed contacts",
            T0.AddHours(-1), T0, [new("count(*)", 5), new("avg(satisfaction)", null)]);
        string json = JsonSerializer.Serialize(a, CallStreamJsonContext.Default.Alert);
        Assert.Equal(
            "{\"alertId\":\"" + a.AlertId + "\",\"rule\":\"RepeatedFailures\",\"severity\":\"critical\",\"key\":\"c-1\",\"interactionId\":\"i-5\",\"triggeredAt\":\"2024-03-01T09:15:00Z\",\"windowStart\":\"2024-03-01T08:15:00Z\",\"windowEnd\":\"2024-03-01T09:15:00Z\",\"values\":{\"count(*)\":5,\"avg(satisfaction)\":null},\"message\":\"Customer c-1: 5 failed contacts\"}",
            json);
        Assert.Equal(a, JsonSerializer.Deserialize(json, CallStreamJsonContext.Default.Alert));
    }

    [Fact]
    public void Alert_PerEventRule_OmitsWindowAndValues()
    {
        var a = new Alert("LongCall", Severity.Warning, "i-5", "i-5", T0, "long");
        string json = JsonSerializer.Serialize(a, CallStreamJsonContext.Default.Alert);
        Assert.DoesNotContain("window", json, StringComparison.Ordinal);
        Assert.DoesNotContain("values", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Alert_WithTamperedId_IsRejected()
    {
        string json = """{"alertId":"ffffffffffffffff","rule":"R","severity":"info","key":"k","interactionId":"i","triggeredAt":"2024-03-01T09:15:00Z","message":""}""";
        var ex = Assert.Throws<InteractionFormatException>(() => JsonSerializer.Deserialize(json, CallStreamJsonContext.Default.Alert));
        Assert.Equal("alertId", ex.Field);
    }
}
