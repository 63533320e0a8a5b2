namespace CallStream;

/// <summary>
/// Thrown by a reader in strict mode at the first record it rejects; <see cref="Rejection"/> says where and why.
/// </summary>
public sealed class InputRejectedException : FormatException
{
    /// <summary>Creates the exception without a rejection.</summary>
    public InputRejectedException()
        : this("An input record was rejected.")
    {
    }

    /// <summary>Creates the exception with a message and no rejection.</summary>
    /// <param name="message">The message.</param>
    public InputRejectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message, an inner exception and no rejection.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InputRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a rejection; the message is the rejection's one-line form.</summary>
    /// <param name="rejection">The rejected record.</param>
    public InputRejectedException(InputRejection rejection)
        : base((rejection ?? throw new ArgumentNullException(nameof(rejection))).ToString())
    {
        Rejection = rejection;
    }

    /// <summary>Gets the rejected record, its location and the reason.</summary>
    public InputRejection? Rejection { get; }
}
