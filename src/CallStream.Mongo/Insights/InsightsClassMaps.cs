using CallStream.Insights;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Serializers;

namespace CallStream.Mongo;

/// <summary>
/// Maps the insights records (<see cref="InteractionRecord"/>, <see cref="AlertRecord"/>) to the documents the sinks
/// write, member by member, so that the driver's LINQ provider renders <c>r.AgentId</c> as <c>$agentId</c>,
/// <c>r.Id</c> as <c>$_id</c> and enum constants as their lowercase wire names.
/// </summary>
/// <remarks>
/// The driver keeps class maps in a process-wide registry; registration is idempotent and checked, so that a
/// different map registered earlier by someone else is reported instead of silently rendering wrong field names.
/// </remarks>
internal static class InsightsClassMaps
{
    private static readonly Lock Gate = new();
    private static bool _registered;

    public static void Register()
    {
        lock (Gate)
        {
            if (_registered)
                return;
            BsonClassMap.TryRegisterClassMap<InteractionRecord>(cm =>
            {
                cm.MapIdMember(r => r.Id).SetSerializer(new StringSerializer());
                cm.MapMember(r => r.CustomerId).SetElementName("customerId");
                cm.MapMember(r => r.AgentId).SetElementName("agentId");
                cm.MapMember(r => r.Channel).SetElementName("channel").SetSerializer(new ChannelSerializer());
                cm.MapMember(r => r.StartTime).SetElementName("startTime").SetSerializer(DateTimeSerializer.UtcInstance);
                cm.MapMember(r => r.DurationSeconds).SetElementName("durationSeconds").SetSerializer(new DoubleSerializer(MongoDB.Bson.BsonType.Double, new MongoDB.Bson.Serialization.Options.RepresentationConverter(allowOverflow: false, allowTruncation: true)));
                cm.MapMember(r => r.Outcome).SetElementName("outcome").SetSerializer(new OutcomeSerializer());
                cm.MapMember(r => r.Satisfaction).SetElementName("satisfaction").SetDefaultValue((int?)null).SetIgnoreIfNull(true);
                cm.SetIgnoreExtraElements(true);
            });
            BsonClassMap.TryRegisterClassMap<AlertRecord>(cm =>
            {
                cm.MapIdMember(a => a.Id).SetSerializer(new StringSerializer());
                cm.MapMember(a => a.Rule).SetElementName("rule");
                cm.MapMember(a => a.Severity).SetElementName("severity").SetSerializer(new SeveritySerializer());
                cm.MapMember(a => a.Key).SetElementName("key");
                cm.MapMember(a => a.InteractionId).SetElementName("interactionId");
                cm.MapMember(a => a.TriggeredAt).SetElementName("triggeredAt").SetSerializer(DateTimeSerializer.UtcInstance);
                cm.MapMember(a => a.Message).SetElementName("message").SetDefaultValue("");
                cm.SetIgnoreExtraElements(true);
            });
            Check(typeof(InteractionRecord), ("Id", "_id"), ("AgentId", "agentId"), ("Channel", "channel"), ("StartTime", "startTime"), ("Outcome", "outcome"));
            Check(typeof(AlertRecord), ("Id", "_id"), ("Rule", "rule"), ("Severity", "severity"), ("TriggeredAt", "triggeredAt"));
            _registered = true;
        }
    }

    private static void Check(Type type, params (string Member, string Element)[] expected)
    {
        var map = BsonClassMap.LookupClassMap(type);
        foreach (var (member, element) in expected)
        {
            if (map.GetMemberMap(member)?.ElementName != element)
            {
                throw new InvalidOperationException(
                    $"A BSON class map for {type.Name} was registered before CallStream.Mongo's and maps {member} to '{map.GetMemberMap(member)?.ElementName}' instead of '{element}'; remove it so that the dashboard's queries render the stored field names.");
            }
        }
    }
}
