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
        : base($"Sink '{sinkName}' failed to write a batch of {batchSize} item(s) after {attempts} attempt(s): {innerException?.Message}", innerException)
    {
        SinkName = sinkName;
        BatchSize = batchSize;
        Attempts = attempts;
    }

    /// <summary>Gets the failed sink's name.</summary>
    public string SinkName { get; }

    /// <summary>Gets how many items the failed batch held.</summary>
    public int BatchSize { get; }

    /// <summary>Gets how many attempts were made.</summary>
    public int Attempts { get; }
}
