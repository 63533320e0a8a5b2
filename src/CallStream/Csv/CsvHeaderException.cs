using System.Globalization;

namespace CallStream.Csv;

/// <summary>
/// Thrown when a CSV input cannot be read at all: it is empty, or its header row is malformed, has an empty or
/// repeated name, or lacks a required column. The message starts with <c>NAME:LINE:COLUMN:</c>.
/// </summary>
public sealed class CsvHeaderException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public CsvHeaderException()
        : this("The CSV header is not valid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public CsvHeaderException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public CsvHeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Creates the exception for a location.</summary>
    /// <param name="sourceName">The input's name.</param>
    /// <param name="line">The 1-based line of the header.</param>
    /// <param name="column">The 1-based column to blame.</param>
    /// <param name="reason">What is wrong.</param>
    public CsvHeaderException(string sourceName, long line, int column, string reason)
        : base(string.Create(CultureInfo.InvariantCulture, $"{sourceName}:{line}:{column}: {reason}"))
    {
        SourceName = sourceName;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>Gets the input's name (file path, <c>-</c>, ...).</summary>
    public string? SourceName { get; }

    /// <summary>Gets the 1-based line of the header.</summary>
    public long Line { get; }

    /// <summary>Gets the 1-based column to blame.</summary>
    public int Column { get; }

    /// <summary>Gets what is wrong, without the location.</summary>
    public string Reason { get; } = "";
}
