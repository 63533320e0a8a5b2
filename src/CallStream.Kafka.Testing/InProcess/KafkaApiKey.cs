namespace CallStream.Kafka;

/// <summary>
/// The Kafka protocol request types (API keys) the in-process cluster can inject errors into.
/// </summary>
/// <remarks>The values are the protocol's <c>ApiKey</c> numbers; other numbers may be cast to this type.</remarks>
public enum KafkaApiKey : short
{
    /// <summary>Produce (0): a producer appends record batches to partitions.</summary>
    Produce = 0,

    /// <summary>Fetch (1): a consumer reads records.</summary>
    Fetch = 1,

    /// <summary>ListOffsets (2): a client looks up offsets by time, or the earliest/latest offsets.</summary>
    ListOffsets = 2,

    /// <summary>Metadata (3): a client learns brokers, topics, partitions and leaders.</summary>
    Metadata = 3,

    /// <summary>OffsetCommit (8): a consumer group member commits offsets.</summary>
    OffsetCommit = 8,

    /// <summary>OffsetFetch (9): a consumer group member reads committed offsets.</summary>
    OffsetFetch = 9,

    /// <summary>FindCoordinator (10): a client finds its group or transaction coordinator.</summary>
    FindCoordinator = 10,

    /// <summary>JoinGroup (11): a consumer joins (or rejoins) its group.</summary>
    JoinGroup = 11,

    /// <summary>Heartbeat (12): a consumer group member keeps its session alive.</summary>
    Heartbeat = 12,

    /// <summary>LeaveGroup (13): a consumer leaves its group.</summary>
    LeaveGroup = 13,

    /// <summary>SyncGroup (14): a consumer group member receives its partition assignment.</summary>
    SyncGroup = 14,

    /// <summary>ApiVersions (18): a client negotiates protocol versions on connect.</summary>
    ApiVersions = 18,

    /// <summary>InitProducerId (22): an idempotent or transactional producer obtains its producer id.</summary>
    InitProducerId = 22,

    /// <summary>OffsetForLeaderEpoch (23): a consumer validates its position after a leader change.</summary>
    OffsetForLeaderEpoch = 23,

    /// <summary>AddPartitionsToTxn (24): a transactional producer adds partitions to its transaction.</summary>
    AddPartitionsToTxn = 24,

    /// <summary>AddOffsetsToTxn (25): a transactional producer adds consumer offsets to its transaction.</summary>
    AddOffsetsToTxn = 25,

    /// <summary>EndTxn (26): a transactional producer commits or aborts.</summary>
    EndTxn = 26,

    /// <summary>TxnOffsetCommit (28): a transactional producer commits consumer offsets.</summary>
    TxnOffsetCommit = 28,
}
