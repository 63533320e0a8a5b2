using System.Text.Json.Serialization;

namespace CallStream.Json;

/// <summary>
/// The source-generated System.Text.Json context for CallStream's wire types: no reflection at run time.
/// Use <c>CallStreamJsonContext.Default.Interaction</c> and <c>CallStreamJsonContext.Default.Alert</c> with
/// <see cref="System.Text.Json.JsonSerializer"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(InteractionJsonConverter), typeof(AlertJsonConverter)])]
[JsonSerializable(typeof(Interaction))]
[JsonSerializable(typeof(Alert))]
public sealed partial class CallStreamJsonContext : JsonSerializerContext
{
}
