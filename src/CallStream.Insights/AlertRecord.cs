namespace CallStream.Insights;

/// <summary>
/// An alert as the dashboard's queries see it: the flat, stored form of an <see cref="Alert"/> (one document of the
/// MongoDB <c>alerts</c> collection, or one row in process), without its window and aggregate values.
/// </summary>
public sealed record AlertRecord
{
    /// <summary>Gets the deterministic alert id (the MongoDB <c>_id</c>).</summary>
    public string Id { get; init; } = "";

    /// <summary>Gets the name of the rule that fired.</summary>
    public string Rule { get; init; } = "";

    /// <summary>Gets the rule's severity.</summary>
    public Severity Severity { get; init; }

    /// <summary>Gets the group key value.</summary>
    public string Key { get; init; } = "";

    /// <summary>Gets the id of the interaction whose arrival triggered the alert.</summary>
    public string InteractionId { get; init; } = "";

    /// <summary>Gets the event time of the triggering interaction, in UTC (<see cref="DateTimeKind.Utc"/>), to the millisecond.</summary>
    public DateTime TriggeredAt { get; init; }

    /// <summary>Gets the filled-in message.</summary>
    public string Message { get; init; } = "";

    /// <summary>Creates the record of an alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <returns>Its record, with the trigger time truncated to the millisecond.</returns>
    public static AlertRecord From(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new AlertRecord
        {
            Id = alert.AlertId,
            Rule = alert.Rule,
            Severity = alert.Severity,
            Key = alert.Key,
            InteractionId = alert.InteractionId,
            TriggeredAt = InteractionRecord.ToStoredInstant(alert.TriggeredAt),
            Message = alert.Message,
        };
    }
}
