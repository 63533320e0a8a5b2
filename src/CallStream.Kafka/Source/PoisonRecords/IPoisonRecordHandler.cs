using Confluent.Kafka;

namespace CallStream.Kafka;

/// <summary>
/// Handles records that are not valid interactions, as <see cref="KafkaSourceOptions.PoisonRecords"/> says. A handler
/// may finish a record later (a dead letter waits for the brokers): the source stores no offset past a record the
/// handler has not settled (<see cref="FirstUnsettled"/>).
/// </summary>
/// <remarks>Called on the consume thread, except <see cref="FirstUnsettled"/> and <see cref="Failure"/>, which are thread-safe.</remarks>
internal interface IPoisonRecordHandler : IDisposable
{
    /// <summary>Gets the failure that must stop the source (a dead letter that could not be published), if any.</summary>
    Exception? Failure { get; }

    /// <summary>Prepares for newly assigned partitions, before their records are read.</summary>
    /// <param name="committed">The group's committed offset of each newly assigned partition (-1 when none).</param>
    void Assigned(IReadOnlyDictionary<int, long> committed);

    /// <summary>Handles a poison record at or after its partition's committed offset.</summary>
    /// <returns>What became of the record.</returns>
    /// <exception cref="KafkaException">The policy stops the source at this record.</exception>
    PoisonOutcome Handle(ConsumeResult<byte[], byte[]> record, PoisonRecordException error);

    /// <summary>Gets a partition's lowest offset whose record is not settled yet, or <see langword="null"/>.</summary>
    long? FirstUnsettled(int partition);

    /// <summary>Tells (once) whether records were settled since the last call, so held-back offsets can be stored.</summary>
    bool TakeSettled();

    /// <summary>Waits up to <paramref name="timeout"/> for the unsettled records of partitions about to be revoked.</summary>
    void Settle(IReadOnlyCollection<int> partitions, TimeSpan timeout);

    /// <summary>Stops tracking partitions that are no longer owned.</summary>
    void Forget(IEnumerable<int> partitions);
}

/// <summary>What became of a poison record.</summary>
internal enum PoisonOutcome
{
    /// <summary>Published to the dead-letter topic (settled once the brokers acknowledge it).</summary>
    DeadLettered,

    /// <summary>Handled by an earlier run of the group: below the committed offset, or found in the dead-letter topic.</summary>
    HandledBefore,

    /// <summary>Skipped and counted.</summary>
    Skipped,
}

/// <summary>Creates the handler of the policy the options choose.</summary>
internal static class PoisonRecordHandlers
{
    public static IPoisonRecordHandler Create(KafkaSourceOptions options, Microsoft.Extensions.Logging.ILogger logger, KafkaMetrics metrics, TimeProvider time) =>
        options.PoisonRecords switch
        {
            PoisonRecordPolicy.SkipAndCount => new SkippingPoisonRecordHandler(options.Topic, logger, metrics),
            PoisonRecordPolicy.Stop => new StoppingPoisonRecordHandler(options.Topic, logger),
            _ => new DeadLetterPublisher(options, logger, metrics, time),
        };
}
