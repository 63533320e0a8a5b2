namespace CallStream;

/// <summary>What is wrong with one field of a rejected input record (see <see cref="InputRejection.Problems"/>).</summary>
/// <param name="Column">The field's 1-based column (for NDJSON, the byte position of a syntax error; 1 when the whole record is to blame).</param>
/// <param name="Field">The field's name as the input spells it, or <see langword="null"/> when no single field is to blame.</param>
/// <param name="Value">The offending value, or <see langword="null"/>.</param>
/// <param name="Reason">What is wrong, without location, field or value.</param>
public sealed record InputFieldProblem(int Column, string? Field, string? Value, string Reason);
