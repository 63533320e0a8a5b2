namespace CallStream.Kafka;

/// <summary>
/// Names of the internal topics that re-key events for rules grouped by another field than the message key:
/// <c>&lt;group.id&gt;-by-&lt;field&gt;-repartition</c>, and <c>&lt;group.id&gt;-all-repartition</c> for rules that need every event in one place
/// (as Kafka Streams names them <c>&lt;application.id&gt;-&lt;name&gt;-repartition</c>, so that a redeployment finds them again).
/// </summary>
public static class RepartitionTopics
{
    /// <summary>The part name of rules that need every event in one place (no <c>group by</c>).</summary>
    public const string All = "all";

    /// <summary>Gets the repartition topic of a consumer group for a part.</summary>
    /// <param name="groupId">The consumer group of the stage that reads the source topic.</param>
    /// <param name="part">The field the events are re-keyed by (<c>agent_id</c>, <c>attributes.region</c>), or <see cref="All"/>.</param>
    /// <returns>The topic name.</returns>
    /// <exception cref="ArgumentException">An argument is empty, or the name would not be a valid topic name.</exception>
    public static string Name(string groupId, string part)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(part);
        string name = part == All ? $"{groupId}-all-repartition" : $"{groupId}-by-{part}-repartition";
        if (name.Length > 249 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new ArgumentException($"'{name}' is not a valid Kafka topic name: use a group id of letters, digits, '.', '_' and '-'.", nameof(groupId));
        return name;
    }

    /// <summary>Gets the consumer group of the stage that reads a repartition topic.</summary>
    /// <param name="groupId">The consumer group of the stage that reads the source topic.</param>
    /// <param name="part">The part, as for <see cref="Name"/>.</param>
    /// <returns>The group id.</returns>
    public static string GroupId(string groupId, string part) => part == All ? $"{groupId}-all" : $"{groupId}-by-{part}";

    /// <summary>Gets the consumer group of the stage that forwards the source topic's records to the repartition topics.</summary>
    /// <param name="groupId">The consumer group of the stage that reads the source topic.</param>
    /// <returns>The group id.</returns>
    public static string ForwarderGroupId(string groupId) => groupId + "-forward";
}
