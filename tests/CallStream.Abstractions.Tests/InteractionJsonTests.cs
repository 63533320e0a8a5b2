using System.Globalization;
using System.Text;
using System.Text.Json;
using CallStream.Json;

namespace CallStream.Abstractions.Tests;

/// <summary>
/// <see cref="InteractionJson.Deserialize"/> must behave exactly as the serializer: same interaction, or the same
/// exception with the same message. Its one-pass reader must take the documents producers write.
/// </summary>
public class InteractionJsonTests
{
    private const string Common =
        """{"interactionId":"I0000001","customerId":"30d1f4","agentId":"A0599","channel":"email","startTime":"2025-01-06T08:00:00Z","durationSeconds":431,"outcome":"resolved","attributes":{"region":"north"}}""";

    private const string Full =
        """{"interactionId":"i-1","customerId":"c-42","agentId":"agent-7","channel":"video","startTime":"2024-03-01T09:15:00.125Z","durationSeconds":312.5,"outcome":"problematic","satisfaction":4,"attributes":{"region":"north","queue":"vip"}}""";

    public static TheoryData<string> CommonDocuments => new()
    {
        Common,
        Full,
        """{"interactionId":"i","customerId":"c","agentId":"a","channel":"chat","startTime":"2024-03-01T09:15:00Z","durationSeconds":0,"outcome":"failed"}""",
        """{"interactionId":"i","customerId":"c","agentId":"a","channel":"voice","startTime":"2024-03-01T10:15:00+01:00","durationSeconds":0.001,"outcome":"failed","satisfaction":null,"attributes":null}""",
        """{"interactionId":"i","customerId":"c","agentId":"a","channel":"voice","startTime":"2024-03-01T09:15:00Z","durationSeconds":7,"outcome":"failed","attributes":{}}""",
        " \r\n\t{ \"outcome\" : \"resolved\" ,\n \"agentId\":\"a b\", \"interactionId\":\"x y\",\"customerId\":\" c\",\"channel\":\"video\",\"startTime\":\"2024-03-01T09:15:00Z\",\"durationSeconds\":12.50,\"satisfaction\":5 , \"attributes\" : { \"k\" : \"\" , \"k2\":\"v 2\" } }\n ",
        """{"outcome":"problematic","durationSeconds":123456789012345678901234567890,"startTime":"2024-03-01T09:15:00Z","channel":"email","agentId":"a","customerId":"c","interactionId":"i","satisfaction":1}""",
    };

    [Theory]
    [MemberData(nameof(CommonDocuments))]
    public void CommonDocuments_AreReadInOnePass_AsTheSerializerReadsThem(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        Assert.True(InteractionJson.TryReadCommon(utf8, null, out var fast));
        var expected = JsonSerializer.Deserialize(utf8, CallStreamJsonContext.Default.Interaction)!;
        AssertSame(expected, fast);
        AssertSame(expected, InteractionJson.Deserialize(utf8)!);
    }

    [Fact]
    public void WhatTheConverterWrites_IsReadInOnePass()
    {
        var random = new Random(11);
        for (int n = 0; n < 2000; n++)
        {
            var i = new Interaction(
                "I" + n.ToString("D7", CultureInfo.InvariantCulture),
                random.Next(100000).ToString("x6", CultureInfo.InvariantCulture),
                "A" + random.Next(1000).ToString("D4", CultureInfo.InvariantCulture),
                (Channel)random.Next(4),
                new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(TimeSpan.TicksPerDay * 365)),
                Math.Round(random.NextDouble() * 5000, random.Next(0, 6)),
                (Outcome)random.Next(3),
                random.Next(6) is int s && s > 0 ? s : null,
                random.Next(3) == 0 ? null : [new("region", "r" + random.Next(5).ToString(CultureInfo.InvariantCulture))]);
            byte[] utf8 = JsonSerializer.SerializeToUtf8Bytes(i, CallStreamJsonContext.Default.Interaction);
            Assert.True(InteractionJson.TryReadCommon(utf8, null, out var read), Encoding.UTF8.GetString(utf8));
            AssertSame(i, read);
        }
    }

    public static TheoryData<string> OtherDocuments => new()
    {
        "null",
        "",
        "[]",
        "{}",
        "\uFEFF" + Common,
        Common + ",",
        Common + " x",
        Common.Replace("\"attributes\"", "\"attributes\",", StringComparison.Ordinal),
        Common.Replace("}}", "},}", StringComparison.Ordinal),
        Common.Replace("\"region\":\"north\"}", "\"region\":\"north\",}", StringComparison.Ordinal),
        Common.Replace(":431", ":0431", StringComparison.Ordinal),
        Common.Replace(":431", ":431.", StringComparison.Ordinal),
        Common.Replace(":431", ":4.31e2", StringComparison.Ordinal),
        Common.Replace(":431", ":-431", StringComparison.Ordinal),
        Common.Replace(":431", ":1e400", StringComparison.Ordinal),
        Common.Replace(":431", ":\"431\"", StringComparison.Ordinal),
        Common.Replace(":431", ":431x", StringComparison.Ordinal),
        Common.Replace("\"email\"", "\"EMAIL\"", StringComparison.Ordinal),
        Common.Replace("\"email\"", "\"voice call\"", StringComparison.Ordinal),
        Common.Replace("\"email\"", "\"fax\"", StringComparison.Ordinal),
        Common.Replace("\"resolved\"", "\" Resolved \"", StringComparison.Ordinal),
        Common.Replace("\"resolved\"", "\"lost\"", StringComparison.Ordinal),
        Common.Replace("I0000001", "I\\u0030001", StringComparison.Ordinal),
        Common.Replace("I0000001", "I\\\"1", StringComparison.Ordinal),
        Common.Replace("I0000001", "Iñ1", StringComparison.Ordinal),
        Common.Replace("I0000001", "   ", StringComparison.Ordinal),
        Common.Replace("I0000001", "", StringComparison.Ordinal),
        Common.Replace("\"I0000001\"", "null", StringComparison.Ordinal),
        Common.Replace("\"I0000001\"", "17", StringComparison.Ordinal),
        Common.Replace("\"agentId\"", "\"agent\\u0049d\"", StringComparison.Ordinal),
        Common.Replace("\"agentId\":\"A0599\",", "", StringComparison.Ordinal),
        Common.Replace("\"agentId\":\"A0599\",", "\"agentId\":\"A0599\",\"agentId\":\"A0600\",", StringComparison.Ordinal),
        Common.Replace("\"agentId\":\"A0599\",", "\"agentId\":\"A0599\",\"extra\":{\"a\":[1,true,null]},", StringComparison.Ordinal),
        Common.Replace("2025-01-06T08:00:00Z", "2025-01-06 08:00", StringComparison.Ordinal),
        Common.Replace("2025-01-06T08:00:00Z", "2025-13-06T08:00:00Z", StringComparison.Ordinal),
        Common.Replace("2025-01-06T08:00:00Z", "2025-01-06T08:00:00", StringComparison.Ordinal),
        Common.Replace("\"attributes\"", "\"satisfaction\":0,\"attributes\"", StringComparison.Ordinal),
        Common.Replace("\"attributes\"", "\"satisfaction\":6,\"attributes\"", StringComparison.Ordinal),
        Common.Replace("\"attributes\"", "\"satisfaction\":3.0,\"attributes\"", StringComparison.Ordinal),
        Common.Replace("\"attributes\"", "\"satisfaction\":33,\"attributes\"", StringComparison.Ordinal),
        Common.Replace("\"attributes\"", "\"satisfaction\":\"3\",\"attributes\"", StringComparison.Ordinal),
        Common.Replace("\"attributes\"", "\"satisfaction\":nul,\"attributes\"", StringComparison.Ordinal),
        Common.Replace("{\"region\":\"north\"}", "{\"\":\"north\"}", StringComparison.Ordinal),
        Common.Replace("{\"region\":\"north\"}", "{\"region\":\"north\",\"region\":\"south\"}", StringComparison.Ordinal),
        Common.Replace("{\"region\":\"north\"}", "{\"region\":7}", StringComparison.Ordinal),
        Common.Replace("{\"region\":\"north\"}", "[\"north\"]", StringComparison.Ordinal),
        Common.Replace("{\"region\":\"north\"}", "{\"région\":\"nörth\"}", StringComparison.Ordinal),
        Common.Replace("{\"region\":\"north\"}", "{\"region\":\"n\\/s\"}", StringComparison.Ordinal),
        Common.Replace("{\"region\":\"north\"}", "nullx", StringComparison.Ordinal),
        Common[..^1],
        Common[..^2],
        Common[..40],
    };

    [Theory]
    [MemberData(nameof(OtherDocuments))]
    public void OtherDocuments_BehaveExactlyAsWithTheSerializer(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        AssertSameOutcome(utf8);
    }

    /// <summary>Random edits of common documents: whatever each becomes, both readers agree; many stay in the one-pass reader's shape.</summary>
    [Fact]
    public void RandomEdits_BehaveExactlyAsWithTheSerializer()
    {
        var random = new Random(5);
        byte[][] bases = [.. new[] { Common, Full }.Select(Encoding.UTF8.GetBytes)];
        byte[] alphabet = "{}[]:,\" \\0123456789.-eEnulltrfaZT+x\n"u8.ToArray();
        int fast = 0, other = 0;
        for (int n = 0; n < 20000; n++)
        {
            var bytes = new List<byte>(bases[n % bases.Length]);
            int edits = 1 + random.Next(3);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(3))
                {
                    case 0: bytes.RemoveAt(at); break;
                    case 1: bytes.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    default: bytes[at] = alphabet[random.Next(alphabet.Length)]; break;
                }
            }
            byte[] utf8 = [.. bytes];
            if (InteractionJson.TryReadCommon(utf8, null, out _))
                fast++;
            else
                other++;
            AssertSameOutcome(utf8);
        }
        Assert.True(fast > 1000, $"{fast} edited documents were read in one pass");
        Assert.True(other > 1000, $"{other} edited documents went to the serializer");
    }

    [Fact]
    public void Durations_AreParsedAsTheSerializerParsesThem()
    {
        var random = new Random(3);
        for (int n = 0; n < 5000; n++)
        {
            string digits = Digits(random, 1 + random.Next(18));
            string fraction = Digits(random, random.Next(19));
            string number = fraction.Length == 0 ? digits : digits + "." + fraction;
            if (number.Length > 1 && number[0] == '0' && number[1] != '.')
                continue; // a leading zero is not JSON
            byte[] utf8 = Encoding.UTF8.GetBytes(Common.Replace(":431", ":" + number, StringComparison.Ordinal));
            Assert.True(InteractionJson.TryReadCommon(utf8, null, out var fastRead), number);
            var expected = JsonSerializer.Deserialize(utf8, CallStreamJsonContext.Default.Interaction)!;
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.DurationSeconds), BitConverter.DoubleToInt64Bits(fastRead.DurationSeconds));
        }
    }

    [Fact]
    public void Reader_SharesRepeatedTexts_AndReadsAsTheSerializer()
    {
        var reader = new InteractionJsonReader();
        byte[] utf8 = Encoding.UTF8.GetBytes(Common);
        var first = reader.Read(utf8)!;
        var second = reader.Read(utf8)!;
        AssertSame(JsonSerializer.Deserialize(utf8, CallStreamJsonContext.Default.Interaction)!, second);
        Assert.Same(first.CustomerId, second.CustomerId);
        Assert.Same(first.AgentId, second.AgentId);
        Assert.Same(first.Attributes, second.Attributes);
        Assert.NotSame(first.InteractionId, second.InteractionId); // unique per interaction: not kept
        var other = reader.Read(Encoding.UTF8.GetBytes(Common.Replace("30d1f4", "30d1f5", StringComparison.Ordinal)))!;
        Assert.Equal("30d1f5", other.CustomerId);
        Assert.Same(first.AgentId, other.AgentId);
    }

    [Fact]
    public void Reader_SharedTexts_AreTellApartByEveryByteAndTheLength()
    {
        // Texts up to 16 bytes are compared as two words in the table, longer ones in full: texts that differ only in
        // their last byte, in a byte past the 8th or 16th, or only in length must each get a string of their own.
        var reader = new InteractionJsonReader();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int length = 1; length <= 40; length++)
        {
            string baseText = new string('a', length);
            var variants = new List<string> { baseText };
            foreach (int position in new[] { 0, length / 2, 7, 8, 15, 16, length - 1 })
            {
                if (position < length)
                    variants.Add(string.Concat(baseText.AsSpan(0, position), "b", baseText.AsSpan(position + 1)));
            }
            foreach (string text in variants)
            {
                string shared = reader.GetText(Encoding.ASCII.GetBytes(text));
                Assert.Equal(text, shared);
                if (seen.TryGetValue(text, out var earlier))
                    Assert.Same(earlier, shared);
                else
                    seen[text] = shared;
                Assert.Same(shared, reader.GetText(Encoding.ASCII.GetBytes(text)));
            }
        }
    }

    [Fact]
    public void Reader_KeepsReadingCorrectly_OnceItsTableIsFull()
    {
        var reader = new InteractionJsonReader();
        var random = new Random(9);
        for (int n = 0; n < InteractionJsonReader.MaxSharedTexts + 5000; n++)
        {
            string customer = "c" + n.ToString(CultureInfo.InvariantCulture);
            string json = Common.Replace("30d1f4", customer, StringComparison.Ordinal).Replace("north", "r" + random.Next(100000).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var read = reader.Read(Encoding.UTF8.GetBytes(json))!;
            Assert.Equal(customer, read.CustomerId);
        }
        string longId = new('x', 200);
        var twice = reader.Read(Encoding.UTF8.GetBytes(Common.Replace("A0599", longId, StringComparison.Ordinal)))!;
        Assert.Equal(longId, twice.AgentId);
        Assert.Equal("c1", reader.Read(Encoding.UTF8.GetBytes(Common.Replace("30d1f4", "c1", StringComparison.Ordinal)))!.CustomerId);
    }

    [Theory]
    [MemberData(nameof(OtherDocuments))]
    public void Reader_OtherDocuments_BehaveExactlyAsWithTheSerializer(string json)
    {
        var reader = new InteractionJsonReader();
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        Exception? expected = Record.Exception(() => JsonSerializer.Deserialize(utf8, CallStreamJsonContext.Default.Interaction));
        Exception? actual = Record.Exception(() => reader.Read(utf8));
        Assert.Equal(expected?.GetType(), actual?.GetType());
        Assert.Equal(expected?.Message, actual?.Message);
    }

    private static string Digits(Random random, int count) =>
        string.Create(count, random, static (span, r) =>
        {
            for (int i = 0; i < span.Length; i++)
                span[i] = (char)('0' + r.Next(10));
        });

    private static void AssertSameOutcome(byte[] utf8)
    {
        string text = Encoding.UTF8.GetString(utf8);
        Interaction? expected = null, actual = null;
        Exception? expectedError = null, actualError = null;
        try
        {
            expected = JsonSerializer.Deserialize(utf8, CallStreamJsonContext.Default.Interaction);
        }
        catch (Exception ex) when (ex is JsonException or InteractionFormatException or ArgumentException)
        {
            expectedError = ex;
        }
        try
        {
            actual = InteractionJson.Deserialize(utf8);
        }
        catch (Exception ex) when (ex is JsonException or InteractionFormatException or ArgumentException)
        {
            actualError = ex;
        }
        Assert.True(expectedError?.GetType() == actualError?.GetType(), $"{text}: {expectedError?.GetType().Name ?? "no error"} expected, {actualError?.GetType().Name ?? "no error"} got ({actualError?.Message})");
        Assert.Equal(expectedError?.Message, actualError?.Message);
        if (expected is null)
            Assert.Null(actual);
        else
            AssertSame(expected, actual!);
    }

    private static void AssertSame(Interaction expected, Interaction actual)
    {
        Assert.Equal(
            JsonSerializer.Serialize(expected, CallStreamJsonContext.Default.Interaction),
            JsonSerializer.Serialize(actual, CallStreamJsonContext.Default.Interaction));
        Assert.Equal(expected.StartTime, actual.StartTime);
        Assert.Equal(expected.StartTime.Offset, actual.StartTime.Offset);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.DurationSeconds), BitConverter.DoubleToInt64Bits(actual.DurationSeconds));
    }
}
