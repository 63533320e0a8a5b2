using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CallStream.Json;

/// <summary>
/// Reads one interaction from a UTF-8 JSON document (a Kafka message value, an NDJSON line), with the exact
/// behaviour of <c>JsonSerializer.Deserialize(utf8Json, CallStreamJsonContext.Default.Interaction)</c>, only faster
/// for the documents producers write.
/// </summary>
/// <remarks>
/// A document in the shape <see cref="InteractionJsonConverter"/> writes (the contract's fields, each once, plain
/// ASCII text without escapes, lowercase channel and outcome, a duration without exponent, a satisfaction digit,
/// text attributes, any JSON white space) is read in one pass over its bytes, without a token reader. Anything else
/// (escapes, other text, unknown or missing fields, aliases, invalid JSON) is read by the serializer, which accepts
/// or rejects it and words the error as it always has, so the fast path never changes a result: it only takes the
/// documents whose reading it can finish itself and gives up on the first byte it does not expect.
/// </remarks>
internal static class InteractionJson
{
    private const int RequiredFields = 0x7F;

    /// <summary>The longest start time read here (the serializer reads longer ones).</summary>
    private const int MaxInstantLength = 64;

    /// <summary>Reads an interaction from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The document: one JSON object (or the literal <c>null</c>).</param>
    /// <returns>The interaction, or <see langword="null"/> for the JSON literal <c>null</c>.</returns>
    /// <exception cref="InteractionFormatException">The object breaks the data contract; the exception names the field and value.</exception>
    /// <exception cref="JsonException">The document is not valid JSON.</exception>
    /// <exception cref="ArgumentException">A value breaks a rule of <see cref="Interaction"/>.</exception>
    public static Interaction? Deserialize(ReadOnlySpan<byte> utf8Json) =>
        TryReadCommon(utf8Json, null, out var interaction)
            ? interaction
            : JsonSerializer.Deserialize(utf8Json, CallStreamJsonContext.Default.Interaction);

    /// <summary>
    /// Reads a document in the common shape in one pass; <see langword="false"/> as soon as something else comes,
    /// for the serializer to read (and accept or reject) instead.
    /// </summary>
    /// <param name="json">The document.</param>
    /// <param name="shared">Shares repeated texts and attribute maps with earlier interactions, or <see langword="null"/>.</param>
    /// <param name="interaction">The interaction read.</param>
    internal static bool TryReadCommon(ReadOnlySpan<byte> json, InteractionJsonReader? shared, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Interaction? interaction)
    {
        interaction = null;
        int i = SkipWhiteSpace(json, 0);
        if (i >= json.Length || json[i] != (byte)'{')
            return false;
        i = SkipWhiteSpace(json, i + 1);

        string? interactionId = null, customerId = null, agentId = null;
        Channel channel = default;
        Outcome outcome = default;
        DateTimeOffset startTime = default;
        double duration = 0;
        int? satisfaction = null;
        IEnumerable<KeyValuePair<string, string>>? attributes = null;
        int seen = 0;
        while (true)
        {
            if (!TryMemberName(json, ref i, out var name))
                return false;
            int bit = FieldBit(name);
            if (bit == 0 || (seen & bit) != 0)
                return false; // unknown fields are skipped, and repeated ones reported, by the serializer
            seen |= bit;
            switch (bit)
            {
                case 1:
                    if (!TryIdText(json, ref i, null, out interactionId))
                        return false;
                    break;
                case 2:
                    if (!TryIdText(json, ref i, shared, out customerId))
                        return false;
                    break;
                case 4:
                    if (!TryIdText(json, ref i, shared, out agentId))
                        return false;
                    break;
                case 8:
                    if (!TryPlainText(json, ref i, out var channelName) || !TryChannel(channelName, out channel))
                        return false;
                    break;
                case 16:
                    if (!TryPlainText(json, ref i, out var instant) || !TryInstant(instant, out startTime))
                        return false;
                    break;
                case 32:
                    if (!TryPlainNumber(json, ref i, out duration))
                        return false;
                    break;
                case 64:
                    if (!TryPlainText(json, ref i, out var outcomeName) || !TryOutcome(outcomeName, out outcome))
                        return false;
                    break;
                case 128:
                    if (!TrySatisfaction(json, ref i, out satisfaction))
                        return false;
                    break;
                default:
                    if (!TryAttributes(json, ref i, shared, out attributes))
                        return false;
                    break;
            }
            if (!TryAfterMember(json, ref i, out bool more))
                return false;
            if (!more)
                break;
        }
        if (SkipWhiteSpace(json, i) != json.Length || (seen & RequiredFields) != RequiredFields)
            return false;
        interaction = new Interaction(interactionId!, customerId!, agentId!, channel, startTime, duration, outcome, satisfaction, attributes);
        return true;
    }

    /// <summary>A member's name and the colon after it; on success <paramref name="i"/> is at the value.</summary>
    private static bool TryMemberName(ReadOnlySpan<byte> json, ref int i, out ReadOnlySpan<byte> name)
    {
        if (!TryPlainText(json, ref i, out name))
            return false;
        i = SkipWhiteSpace(json, i);
        if (i >= json.Length || json[i] != (byte)':')
            return false;
        i = SkipWhiteSpace(json, i + 1);
        return true;
    }

    /// <summary>What follows a member's value: a comma and the next member (<paramref name="more"/>), or the closing brace.</summary>
    private static bool TryAfterMember(ReadOnlySpan<byte> json, ref int i, out bool more)
    {
        more = false;
        i = SkipWhiteSpace(json, i);
        if (i >= json.Length)
            return false;
        if (json[i] == (byte)',')
        {
            i = SkipWhiteSpace(json, i + 1);
            more = true;
            return true;
        }
        if (json[i] != (byte)'}')
            return false;
        i++;
        return true;
    }

    /// <summary>The field's bit, as <see cref="InteractionJsonConverter"/> numbers them; 0 for any other name.</summary>
    internal static int FieldBit(ReadOnlySpan<byte> name) => name.Length switch
    {
        7 => name.SequenceEqual("agentId"u8) ? 4 : name.SequenceEqual("channel"u8) ? 8 : name.SequenceEqual("outcome"u8) ? 64 : 0,
        9 => name.SequenceEqual("startTime"u8) ? 16 : 0,
        10 => name.SequenceEqual("customerId"u8) ? 2 : name.SequenceEqual("attributes"u8) ? 256 : 0,
        12 => name.SequenceEqual("satisfaction"u8) ? 128 : 0,
        13 => name.SequenceEqual("interactionId"u8) ? 1 : 0,
        15 => name.SequenceEqual("durationSeconds"u8) ? 32 : 0,
        _ => 0,
    };

    private static int SkipWhiteSpace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            i++;
        return i;
    }

    /// <summary>Parses an ISO 8601 instant written in ASCII. Kept apart from <see cref="TryReadCommon"/>, whose loop then
    /// tiers up with profile-guided optimisation (a method with both a loop and a stack buffer is compiled once, without it).</summary>
    private static bool TryInstant(ReadOnlySpan<byte> instant, out DateTimeOffset value)
    {
        if (instant.Length > MaxInstantLength)
        {
            value = default;
            return false;
        }
        Span<char> chars = stackalloc char[MaxInstantLength];
        for (int c = 0; c < instant.Length; c++)
            chars[c] = (char)instant[c]; // ASCII: one char per byte
        return Iso8601.TryParse(chars[..instant.Length], out value);
    }

    /// <summary>A JSON string of printable ASCII without escapes, at <paramref name="i"/>; on success <paramref name="i"/> is past its closing quote.</summary>
    /// <remarks>
    /// Printable ASCII only (no control character, which JSON forbids, no multi-byte character) and no backslash (an
    /// escape may hide a quote). A plain loop: the texts are short, and a vectorised search costs more to set up.
    /// </remarks>
    private static bool TryPlainText(ReadOnlySpan<byte> json, ref int i, out ReadOnlySpan<byte> text)
    {
        text = default;
        if ((uint)i >= (uint)json.Length || json[i] != (byte)'"')
            return false;
        int start = i + 1;
        for (int j = start; j < json.Length; j++)
        {
            byte b = json[j];
            if (b == (byte)'"')
            {
                text = json[start..j];
                i = j + 1;
                return true;
            }
            if (b is < 0x20 or > 0x7E or (byte)'\\')
                return false;
        }
        return false;
    }

    /// <summary>A required id: plain text that is not blank (the serializer reports blank ones).</summary>
    private static bool TryIdText(ReadOnlySpan<byte> json, ref int i, InteractionJsonReader? shared, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!TryPlainText(json, ref i, out var text) || text.IndexOfAnyExcept((byte)' ') < 0)
            return false;
        value = Text(text, shared);
        return true;
    }

    private static string Text(ReadOnlySpan<byte> ascii, InteractionJsonReader? shared) =>
        shared is null ? Encoding.ASCII.GetString(ascii) : shared.GetText(ascii);

    /// <summary>The channel as written (lowercase wire name); aliases and other cases go to the serializer.</summary>
    private static bool TryChannel(ReadOnlySpan<byte> name, out Channel channel)
    {
        channel = name switch
        {
            _ when name.SequenceEqual("voice"u8) => Channel.Voice,
            _ when name.SequenceEqual("email"u8) => Channel.Email,
            _ when name.SequenceEqual("chat"u8) => Channel.Chat,
            _ when name.SequenceEqual("video"u8) => Channel.Video,
            _ => (Channel)(-1),
        };
        return channel != (Channel)(-1);
    }

    /// <summary>The outcome as written (lowercase wire name).</summary>
    private static bool TryOutcome(ReadOnlySpan<byte> name, out Outcome outcome)
    {
        outcome = name switch
        {
            _ when name.SequenceEqual("resolved"u8) => Outcome.Resolved,
            _ when name.SequenceEqual("failed"u8) => Outcome.Failed,
            _ when name.SequenceEqual("problematic"u8) => Outcome.Problematic,
            _ => (Outcome)(-1),
        };
        return outcome != (Outcome)(-1);
    }

    /// <summary>
    /// A non-negative JSON number without sign or exponent (<c>0</c>, <c>431</c>, <c>312.5</c>), parsed like the
    /// serializer parses it (correctly rounded); negative, exponent or out-of-range ones go to the serializer.
    /// </summary>
    private static bool TryPlainNumber(ReadOnlySpan<byte> json, ref int i, out double value)
    {
        value = 0;
        int start = i;
        int digits = CountDigits(json, i);
        if (digits == 0 || (digits > 1 && json[i] == (byte)'0'))
            return false; // not a number here, or a leading zero (invalid JSON)
        i += digits;
        if (i < json.Length && json[i] == (byte)'.')
        {
            int fraction = CountDigits(json, i + 1);
            if (fraction == 0)
                return false;
            i += 1 + fraction;
        }
        if (i < json.Length && json[i] is (byte)'e' or (byte)'E')
            return false;
        var number = json[start..i];
        if (TryExactDecimal(number, out value))
            return true;
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>
    /// <c>digits[.digits]</c> with at most 15 significant digits: the digits as an integer (exact in a double) divided
    /// by an exact power of ten, which IEEE division rounds correctly, so the result is the parser's to the bit.
    /// </summary>
    private static bool TryExactDecimal(ReadOnlySpan<byte> number, out double value)
    {
        value = 0;
        if (number.Length > 16)
            return false;
        long mantissa = 0;
        int scale = -1;
        foreach (byte b in number)
        {
            if (b == (byte)'.')
            {
                scale = 0;
                continue;
            }
            mantissa = (mantissa * 10) + (b - '0');
            if (scale >= 0)
                scale++;
        }
        if (mantissa >= 1L << 53)
            return false;
        value = scale <= 0 ? mantissa : mantissa / PowersOfTen[scale];
        return true;
    }

    private static readonly double[] PowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];

    private static int CountDigits(ReadOnlySpan<byte> json, int i)
    {
        int count = 0;
        while (i + count < json.Length && char.IsAsciiDigit((char)json[i + count]))
            count++;
        return count;
    }

    /// <summary><c>null</c> or one digit from 1 to 5.</summary>
    private static bool TrySatisfaction(ReadOnlySpan<byte> json, ref int i, out int? value)
    {
        value = null;
        if (i >= json.Length)
            return false;
        if (json[i..].StartsWith("null"u8))
        {
            i += 4;
            return i == json.Length || IsDelimiter(json[i]);
        }
        if (json[i] is < (byte)'1' or > (byte)'5' || (i + 1 < json.Length && !IsDelimiter(json[i + 1])))
            return false;
        value = json[i] - '0';
        i++;
        return true;
    }

    /// <summary><c>null</c>, or an object of plain text values under distinct, non-empty plain names.</summary>
    private static bool TryAttributes(ReadOnlySpan<byte> json, ref int i, InteractionJsonReader? shared, out IEnumerable<KeyValuePair<string, string>>? attributes)
    {
        attributes = null;
        if (i >= json.Length)
            return false;
        if (json[i..].StartsWith("null"u8))
        {
            i += 4;
            return i == json.Length || IsDelimiter(json[i]);
        }
        if (json[i] != (byte)'{')
            return false;
        i = SkipWhiteSpace(json, i + 1);
        if (i < json.Length && json[i] == (byte)'}')
        {
            i++;
            attributes = [];
            return true;
        }
        // One attribute (the common case) needs no list: its map is shared, or built from the pair alone.
        KeyValuePair<string, string> first = default;
        List<KeyValuePair<string, string>>? list = null;
        for (int count = 0; ; count++)
        {
            if (!TryMemberName(json, ref i, out var key) || key.IsEmpty)
                return false;
            if (!TryPlainText(json, ref i, out var text))
                return false;
            var pair = new KeyValuePair<string, string>(Text(key, shared), Text(text, shared));
            if (count == 0)
            {
                first = pair;
            }
            else
            {
                list ??= [first];
                foreach (var existing in list)
                {
                    if (existing.Key == pair.Key)
                        return false; // repeated: the serializer reports it
                }
                list.Add(pair);
            }
            if (!TryAfterMember(json, ref i, out bool more))
                return false;
            if (more)
                continue;
            attributes = list ?? (shared is not null ? shared.GetMap(first) : [first]);
            return true;
        }
    }

    private static bool IsDelimiter(byte b) => b is (byte)',' or (byte)'}' or (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t';
}
