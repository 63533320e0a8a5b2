namespace CallStream;

/// <summary>
/// Thrown by an <see cref="IBatchedSink{T}"/> when its store refused items of a batch for good: writing them again can
/// never succeed (a document that fails the collection's validation, one that is too large). The CallStream core does
/// not retry these items: it reports and counts them, and stops holding the checkpoint for them.
/// </summary>
/// <remarks>
/// Throw it only for errors that lie in the item itself. A failure of the store (unreachable, refused credentials,
/// a timeout, a stepdown, a write conflict) is transient: throw any other exception, and the core retries the batch.
/// </remarks>
public sealed class SinkItemsRejectedException : Exception
{
    /// <summary>Creates the exception without rejected items.</summary>
    public SinkItemsRejectedException()
        : this("A sink refused items of a batch for good.")
    {
    }

    /// <summary>Creates the exception with a message and without rejected items.</summary>
    /// <param name="message">The message.</param>
    public SinkItemsRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message, a cause and without rejected items.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SinkItemsRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the items of a batch that the store refused for good.</summary>
    /// <param name="message">The message, naming the items and the store's reasons.</param>
    /// <param name="rejected">The refused items, by their position in the batch given to the sink.</param>
    /// <param name="othersStored">Whether every other item of the batch is stored; when <see langword="false"/>, some
    /// failed for a transient reason and the core writes the others again.</param>
    /// <param name="innerException">The store's error, or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rejected"/> is null.</exception>
    public SinkItemsRejectedException(string message, IReadOnlyList<RejectedItem> rejected, bool othersStored, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        Rejected = rejected;
        OthersStored = othersStored;
    }

    /// <summary>Gets the refused items, by their position in the batch.</summary>
    public IReadOnlyList<RejectedItem> Rejected { get; } = [];

    /// <summary>Gets whether every item of the batch that is not in <see cref="Rejected"/> is stored.</summary>
    public bool OthersStored { get; }
}

/// <summary>An item of a batch that a sink's store refused for good.</summary>
/// <param name="Position">The item's position in the batch given to the sink.</param>
/// <param name="Reason">Why, in the store's words (for example <c>code 121: Document failed validation</c>).</param>
public sealed record RejectedItem(int Position, string Reason);
