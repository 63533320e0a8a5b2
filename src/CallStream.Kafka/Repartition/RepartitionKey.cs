using System.Globalization;

namespace CallStream.Kafka;

/// <summary>The key a forwarded record gets: the event's value of the field its rules are grouped by.</summary>
internal static class RepartitionKey
{
    /// <summary>Gets a function that reads the field from an interaction, as text (empty when the value is absent).</summary>
    /// <param name="field">A field of the rule language: a column name or <c>attributes.&lt;name&gt;</c>.</param>
    /// <exception cref="ArgumentException">The field is not one of the rule language's.</exception>
    public static Func<Interaction, string> For(string field) => field switch
    {
        "interaction_id" => i => i.InteractionId,
        "customer_id" => i => i.CustomerId,
        "agent_id" => i => i.AgentId,
        "channel" => i => i.Channel.ToString(),
        "outcome" => i => i.Outcome.ToString(),
        "start_time" => i => i.StartTime.UtcTicks.ToString(CultureInfo.InvariantCulture),
        "duration_seconds" => i => i.DurationSeconds.ToString("R", CultureInfo.InvariantCulture),
        "satisfaction" => i => i.Satisfaction?.ToString(CultureInfo.InvariantCulture) ?? "",
        _ when field.StartsWith("attributes.", StringComparison.Ordinal) && field.Length > "attributes.".Length =>
            AttributeKey(field["attributes.".Length..]),
        _ => throw new ArgumentException($"'{field}' is not a field of the rule language.", nameof(field)),
    };

    private static Func<Interaction, string> AttributeKey(string name) =>
        i => i.Attributes.TryGetValue(name, out var value) ? value : "";
}
