namespace CallStream.Pipeline;

/// <summary>A sink failed to write a batch durably after every allowed attempt.</summary>
public sealed class SinkWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SinkWriteException()
        : this("A sink failed to write a batch.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public SinkWriteException(string message)
        : base(message)
    {
        SinkName = "";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The last failure.</param>
    public SinkWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
        SinkName = "";
    }

    /// <summary>Creates the exception for a sink and a batch.</summary>
    /// <param name="sinkName">The sink's name.</param>
    /// <param name="batchSize">How many items the failed batch held.</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="innerException">The last failure.</param>
    public SinkWriteException(string sinkName, int batchSize, int attempts, Exception innerException)
        : this(sinkName, batchSize, attempts, [], innerException)
    {
    }

    /// <summary>Creates the exception for a sink and a batch whose items are known by id.</summary>
    /// <param name="sinkName">The sink's name.</param>
    /// <param name="batchSize">How many items the failed batch held.</param>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="itemIds">The ids of the batch's items (interaction ids, alert ids).</param>
    /// <param name="innerException">The last failure.</param>
    public SinkWriteException(string sinkName, int batchSize, int attempts, IReadOnlyList<string> itemIds, Exception innerException)
        : base(FormatMessage(sinkName, batchSize, attempts, itemIds, innerException), innerException)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        SinkName = sinkName;
        BatchSize = batchSize;
        Attempts = attempts;
        ItemIds = itemIds;
    }

    /// <summary>Gets the failed sink's name.</summary>
    public string SinkName { get; }

    /// <summary>Gets how many items the failed batch held.</summary>
    public int BatchSize { get; }

    /// <summary>Gets how many attempts were made.</summary>
    public int Attempts { get; }

    /// <summary>Gets the ids of the failed batch's items (interaction ids, alert ids), when known; empty otherwise.</summary>
    public IReadOnlyList<string> ItemIds { get; } = [];

    private static string FormatMessage(string sinkName, int batchSize, int attempts, IReadOnlyList<string>? itemIds, Exception? innerException)
    {
        const int Shown = 5;
        string ids = itemIds is null || itemIds.Count == 0 ? ""
            : " (" + string.Join(", ", itemIds.Take(Shown)) + (itemIds.Count > Shown ? $", and {itemIds.Count - Shown} more" : "") + ")";
        return $"Sink '{sinkName}' failed to write a batch of {batchSize} item(s){ids} after {attempts} attempt(s): {innerException?.Message}";
    }
}
