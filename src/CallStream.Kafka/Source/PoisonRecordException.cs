namespace CallStream.Kafka;

/// <summary>A record cannot become an interaction; thrown by <see cref="InteractionDeserializer"/> and handled by the poison-record policy (<see cref="IPoisonRecordHandler"/>).</summary>
internal sealed class PoisonRecordException : Exception
{
    public PoisonRecordException()
        : this(DeadLetterHeaders.ErrorInvalidInteraction, "The record is not a valid interaction.")
    {
    }

    public PoisonRecordException(string message)
        : this(DeadLetterHeaders.ErrorInvalidInteraction, message)
    {
    }

    public PoisonRecordException(string message, Exception innerException)
        : this(DeadLetterHeaders.ErrorInvalidInteraction, message, null, null, innerException)
    {
    }

    public PoisonRecordException(string kind, string reason, string? field = null, string? value = null, Exception? innerException = null)
        : base(reason, innerException)
    {
        Kind = kind;
        Field = field;
        Value = value;
    }

    /// <summary>Gets the error code (<see cref="DeadLetterHeaders.Error"/>).</summary>
    public string Kind { get; }

    /// <summary>Gets the offending field, when known.</summary>
    public string? Field { get; }

    /// <summary>Gets the offending value, when known.</summary>
    public string? Value { get; }
}
