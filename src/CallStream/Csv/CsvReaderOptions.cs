using System.ComponentModel.DataAnnotations;

namespace CallStream.Csv;

/// <summary>Options of <see cref="CsvInteractionReader"/>.</summary>
public sealed class CsvReaderOptions
{
    /// <summary>The default <see cref="MaxRowLength"/>: 1,048,576 characters (1 MiB of ASCII text).</summary>
    public const int DefaultMaxRowLength = 1 << 20;

    /// <summary>The default <see cref="MaxQuotedLineBreaks"/>: 100 line breaks.</summary>
    public const int DefaultMaxQuotedLineBreaks = 100;

    /// <summary>The default <see cref="MaxAttributeColumns"/>: 256 columns.</summary>
    public const int DefaultMaxAttributeColumns = 256;

    /// <summary>
    /// Gets the column map: a source header (matched case-insensitively, trimmed) to the column it is read as, for
    /// example <c>call_duration</c> → <c>duration_seconds</c>. A target that is not a contract column renames the
    /// attribute. Headers the input does not have are ignored.
    /// </summary>
    /// <value>The default value is an empty map.</value>
    public IDictionary<string, string> ColumnMap { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets whether the first bad row stops reading with an <see cref="InputRejectedException"/>.</summary>
    /// <value>The default value is <see langword="false"/>: bad rows are reported and skipped.</value>
    public bool Strict { get; set; }

    /// <summary>
    /// Gets or sets the longest row accepted, in characters, not counting its line ending (line breaks inside quoted
    /// fields count). A longer row is rejected without being held in memory, and reading goes on after it.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaxRowLength"/> (1,048,576).</value>
    [Range(1, 1 << 30)]
    public int MaxRowLength { get; set; } = DefaultMaxRowLength;

    /// <summary>
    /// Gets or sets the most line breaks a quoted field may hold. A quoted field that is not closed within them (a
    /// stray quote, most likely) rejects its row as that row's first line only: reading goes on with the next line,
    /// so that one stray quote costs one row instead of the rest of the input. A quote still open at the end of the
    /// input does the same. In a row skipped for being longer than <see cref="MaxRowLength"/>, the row ends at the
    /// line break past the limit.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaxQuotedLineBreaks"/> (100).</value>
    [Range(0, int.MaxValue)]
    public int MaxQuotedLineBreaks { get; set; } = DefaultMaxQuotedLineBreaks;

    /// <summary>
    /// Gets or sets the most attribute columns (columns outside the contract) a header may have; a header with more
    /// is refused with a <see cref="CsvHeaderException"/> that names the count and the limit.
    /// </summary>
    /// <value>The default value is <see cref="DefaultMaxAttributeColumns"/> (256).</value>
    [Range(0, MaxMaxAttributeColumns)]
    public int MaxAttributeColumns { get; set; } = DefaultMaxAttributeColumns;

    /// <summary>
    /// Gets or sets where rejected rows go, as CSV: the input's header once, then each rejected row exactly as read,
    /// so that the file can be fixed and read again. The reader writes but does not flush or dispose it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: rejected rows are not kept.</value>
    public TextWriter? Rejects { get; set; }

    /// <summary>Gets or sets a callback told of each rejected row (for example, to print it); not called in strict mode, where the exception carries it.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<InputRejection>? OnRejected { get; set; }

    /// <summary>Gets or sets the name that locations start with (<c>NAME:LINE:COLUMN</c>).</summary>
    /// <value>The default value is <see langword="null"/>: the file's path, or <c>input</c> for a stream or reader.</value>
    public string? SourceName { get; set; }

    /// <summary>Gets or sets the field delimiter.</summary>
    /// <value>The default value is <c>,</c>.</value>
    public char Delimiter { get; set; } = ',';

    private const int MaxMaxAttributeColumns = 1 << 20;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    internal void Validate()
    {
        if (MaxRowLength < 1 || MaxRowLength > 1 << 30)
            throw new ArgumentException($"CsvReaderOptions.MaxRowLength must be from 1 to {1 << 30}; it is {MaxRowLength}.", nameof(MaxRowLength));
        if (MaxQuotedLineBreaks < 0)
            throw new ArgumentException($"CsvReaderOptions.MaxQuotedLineBreaks must not be negative; it is {MaxQuotedLineBreaks}.", nameof(MaxQuotedLineBreaks));
        if (MaxAttributeColumns < 0 || MaxAttributeColumns > MaxMaxAttributeColumns)
            throw new ArgumentException($"CsvReaderOptions.MaxAttributeColumns must be from 0 to {MaxMaxAttributeColumns}; it is {MaxAttributeColumns}.", nameof(MaxAttributeColumns));
        if (Delimiter is '"' or '\r' or '\n' or '\0')
            throw new ArgumentException("CsvReaderOptions.Delimiter must not be a quote, a line break or NUL.", nameof(Delimiter));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (from, to) in ColumnMap)
        {
            if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
                throw new ArgumentException("CsvReaderOptions.ColumnMap must not map from or to an empty name.", nameof(ColumnMap));
            if (!seen.Add(from.Trim()))
                throw new ArgumentException($"CsvReaderOptions.ColumnMap maps '{from.Trim()}' twice.", nameof(ColumnMap));
        }
    }
}
