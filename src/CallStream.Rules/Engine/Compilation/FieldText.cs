using System.Globalization;

namespace CallStream.Rules.Engine;

/// <summary>
/// Reads a field of an interaction as the text used for group keys and message placeholders: ids and attributes
/// verbatim, channel and outcome by their lowercase wire names, <c>start_time</c> in ISO-8601 UTC, numbers in
/// invariant culture, and the text <c>null</c> for a missing value.
/// </summary>
internal static class FieldText
{
    /// <summary>The text of a null value (a null group key is the text <c>null</c>, spec point 2).</summary>
    public const string NullText = "null";

    private static readonly string[] Scores = ["0", "1", "2", "3", "4", "5"];

    public static Func<Interaction, string> Reader(Field field)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.AttributeName is { } name)
            return e => e.Attributes.GetValueOrDefault(name) ?? NullText;
        return field.Name switch
        {
            "interaction_id" => static e => e.InteractionId,
            "customer_id" => static e => e.CustomerId,
            "agent_id" => static e => e.AgentId,
            "channel" => static e => WireNames.Name(e.Channel),
            "outcome" => static e => WireNames.Name(e.Outcome),
            "start_time" => static e => Iso8601.Format(e.StartTime),
            "duration_seconds" => static e => NumberText.Format(e.DurationSeconds),
            "satisfaction" => static e => e.Satisfaction is int s ? (s is >= 0 and <= 5 ? Scores[s] : s.ToString(CultureInfo.InvariantCulture)) : NullText,
            _ => throw new ArgumentException($"Unknown field '{field.Name}'.", nameof(field)),
        };
    }
}
