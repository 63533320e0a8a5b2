namespace CallStream.Mongo;

/// <summary>
/// A MongoDB operation of CallStream failed: the server is unreachable or refused the credentials, or documents of a
/// batch could not be written. The message names the hosts (never the password) and the ids that failed.
/// </summary>
public sealed class MongoStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MongoStoreException()
        : this("A MongoDB operation failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public MongoStoreException(string message)
        : base(message)
    {
        Endpoint = "";
        FailedIds = [];
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public MongoStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Endpoint = "";
        FailedIds = [];
    }

    /// <summary>Creates the exception for an endpoint and the ids of the documents that failed.</summary>
    /// <param name="message">The message, already free of secrets.</param>
    /// <param name="endpoint">The hosts, for example <c>db1:27017,db2:27017</c>.</param>
    /// <param name="failedIds">The <c>_id</c>s of the documents that were not written, or empty.</param>
    /// <param name="innerException">The cause, or <see langword="null"/>.</param>
    public MongoStoreException(string message, string endpoint, IReadOnlyList<string> failedIds, Exception? innerException)
        : base(message, innerException)
    {
        Endpoint = endpoint ?? "";
        FailedIds = failedIds ?? [];
    }

    /// <summary>Gets the hosts of the deployment (no credentials).</summary>
    public string Endpoint { get; }

    /// <summary>Gets the <c>_id</c>s of the documents of the batch that were not written (empty when the whole operation failed).</summary>
    public IReadOnlyList<string> FailedIds { get; }
}
