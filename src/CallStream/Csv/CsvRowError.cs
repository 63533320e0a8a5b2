namespace CallStream.Csv;

/// <summary>Why one CSV row cannot become an interaction: the 1-based column, the header, the value and the reason.</summary>
/// <param name="Column">The 1-based column to blame.</param>
/// <param name="Field">The column's header as the input spells it, or <see langword="null"/>.</param>
/// <param name="Value">The offending value, or <see langword="null"/>.</param>
/// <param name="Reason">What is wrong.</param>
internal readonly record struct CsvRowError(int Column, string? Field, string? Value, string Reason);
