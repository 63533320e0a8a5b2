using System.Runtime.CompilerServices;
using System.Text.Json;
using CallStream.Text;

namespace CallStream.Json;

/// <summary>
/// Reads interactions from UTF-8 JSON documents one after the other (a consumer's message values), exactly as
/// <see cref="InteractionJson.Deserialize"/> does, and shares what repeats between them: one string per customer id,
/// agent id and attribute name or value, and one <see cref="AttributeMap"/> per single attribute.
/// </summary>
/// <remarks>
/// Sharing saves an allocation per repeated value, and it matters most for interactions held in memory for a while
/// (waiting for the event-time watermark): fewer objects survive each garbage collection. The shared texts are
/// bounded (a <see cref="StringPool"/> of <see cref="MaxSharedTexts"/> values of at most 64 bytes, then new strings as without sharing). Not
/// thread-safe: use one reader per thread.
/// </remarks>
internal sealed class InteractionJsonReader
{
    /// <summary>The most distinct texts (and single-attribute maps) shared.</summary>
    public const int MaxSharedTexts = 1 << 16;

    private readonly StringPool _texts = new(MaxSharedTexts);
    // Keyed by the shared strings themselves (a text not shared, once the table is full, just misses and gets a map of its own).
    private readonly Dictionary<(string Name, string Value), AttributeMap> _maps = new(SharedPairComparer.Instance);

    /// <summary>Reads an interaction from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The document: one JSON object (or the literal <c>null</c>).</param>
    /// <returns>The interaction, or <see langword="null"/> for the JSON literal <c>null</c>.</returns>
    /// <exception cref="InteractionFormatException">The object breaks the data contract; the exception names the field and value.</exception>
    /// <exception cref="JsonException">The document is not valid JSON.</exception>
    /// <exception cref="ArgumentException">A value breaks a rule of <see cref="Interaction"/>.</exception>
    public Interaction? Read(ReadOnlySpan<byte> utf8Json) =>
        InteractionJson.TryReadCommon(utf8Json, this, out var interaction)
            ? interaction
            : JsonSerializer.Deserialize(utf8Json, CallStreamJsonContext.Default.Interaction);

    /// <summary>Gets the shared string of printable ASCII text, or a new one when the text is long or the pool full.</summary>
    internal string GetText(ReadOnlySpan<byte> ascii) => _texts.GetAscii(ascii);

    /// <summary>Gets the shared map of one attribute.</summary>
    internal IEnumerable<KeyValuePair<string, string>> GetMap(KeyValuePair<string, string> attribute)
    {
        if (_maps.TryGetValue((attribute.Key, attribute.Value), out var map))
            return map;
        map = AttributeMap.Create([attribute]);
        if (_maps.Count < MaxSharedTexts)
            _maps.Add((attribute.Key, attribute.Value), map);
        return map;
    }

    /// <summary>Compares pairs of shared strings by reference, hashing their identities rather than their characters.</summary>
    private sealed class SharedPairComparer : IEqualityComparer<(string Name, string Value)>
    {
        public static readonly SharedPairComparer Instance = new();

        public bool Equals((string Name, string Value) x, (string Name, string Value) y) =>
            ReferenceEquals(x.Name, y.Name) && ReferenceEquals(x.Value, y.Value);

        public int GetHashCode((string Name, string Value) obj) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Name), RuntimeHelpers.GetHashCode(obj.Value));
    }

}
