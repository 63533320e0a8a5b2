namespace CallStream.Ndjson;

/// <summary>Options of <see cref="NdjsonReader{T}"/>.</summary>
public sealed class NdjsonReaderOptions
{
    /// <summary>The default <see cref="MaxLineLength"/>: 1,048,576 bytes (1 MiB).</summary>
    public const int DefaultMaxLineLength = 1 << 20;

    /// <summary>Gets or sets whether the first bad line stops reading with an <see cref="InputRejectedException"/>.</summary>
    /// <value>The default value is <see langword="false"/>: bad lines are reported and skipped.</value>
    public bool Strict { get; set; }

    /// <summary>
    /// Gets or sets the longest line accepted, in UTF-8 bytes, not counting its line ending. A longer line is rejected
    /// without being held in memory, and reading goes on after it.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaxLineLength"/> (1,048,576).</value>
    public int MaxLineLength { get; set; } = DefaultMaxLineLength;

    /// <summary>
    /// Gets or sets where rejected lines go, each exactly as read and ended by <c>\n</c>, so that they can be fixed
    /// and read again. The reader writes but does not flush or dispose it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: rejected lines are not kept.</value>
    public TextWriter? Rejects { get; set; }

    /// <summary>Gets or sets a callback told of each rejected line; not called in strict mode, where the exception carries it.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<InputRejection>? OnRejected { get; set; }

    /// <summary>Gets or sets the name that locations start with (<c>NAME:LINE:COLUMN</c>).</summary>
    /// <value>The default value is <see langword="null"/>, which reads as <c>input</c>.</value>
    public string? SourceName { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    internal void Validate()
    {
        if (MaxLineLength < 1 || MaxLineLength > 1 << 30)
            throw new ArgumentException($"NdjsonReaderOptions.MaxLineLength must be from 1 to {1 << 30}; it is {MaxLineLength}.", nameof(MaxLineLength));
    }
}
