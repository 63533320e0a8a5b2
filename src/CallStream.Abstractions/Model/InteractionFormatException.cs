namespace CallStream;

/// <summary>A record (JSON document, CSV row, BSON document) that cannot become a valid <see cref="Interaction"/> or <see cref="Alert"/>.</summary>
public sealed class InteractionFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public InteractionFormatException()
        : this(null, null, "The record is not a valid interaction.")
    {
    }

    /// <summary>Creates the exception with a reason.</summary>
    /// <param name="message">The reason.</param>
    public InteractionFormatException(string message)
        : this(null, null, message)
    {
    }

    /// <summary>Creates the exception with a reason and an inner exception.</summary>
    /// <param name="message">The reason.</param>
    /// <param name="innerException">The cause.</param>
    public InteractionFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Creates the exception for a field.</summary>
    /// <param name="field">The contract name of the offending field (for example <c>durationSeconds</c>), or <see langword="null"/>.</param>
    /// <param name="value">The offending value as text, or <see langword="null"/>.</param>
    /// <param name="reason">Why the value is rejected.</param>
    public InteractionFormatException(string? field, string? value, string reason)
        : base(Describe(field, value, reason))
    {
        Field = field;
        Value = value;
        Reason = reason;
    }

    /// <summary>Gets the contract name of the offending field, when one is to blame.</summary>
    public string? Field { get; }

    /// <summary>Gets the offending value as text, when there is one.</summary>
    public string? Value { get; }

    /// <summary>Gets why the record is rejected, without the field and value.</summary>
    public string Reason { get; } = "";

    private static string Describe(string? field, string? value, string reason) =>
        (field, value) switch
        {
            (null, _) => reason,
            (_, null) => $"{field}: {reason}",
            _ => $"{field} '{Shorten(value)}': {reason}",
        };

    private static string Shorten(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 77), "...");
}
