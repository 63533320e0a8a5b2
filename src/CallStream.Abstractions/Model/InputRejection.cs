using System.Globalization;
using System.Text;

namespace CallStream;

/// <summary>
/// One input record (a CSV row, an NDJSON line, a Kafka message) that could not become a valid
/// <see cref="Interaction"/> or <see cref="Alert"/>: where it is, what is wrong with it, and its raw text. A record
/// with several bad fields is one rejection: <see cref="Column"/>, <see cref="Field"/>, <see cref="Value"/> and
/// <see cref="Reason"/> describe the first of them, <see cref="Problems"/> every one.
/// </summary>
/// <param name="Source">The input's name: a file path, <c>-</c> for standard input, or a topic.</param>
/// <param name="Line">The 1-based physical line on which the record starts (for Kafka, the offset).</param>
/// <param name="Column">
/// The 1-based column to blame: for CSV the field's position in the row, for NDJSON the byte position of a syntax
/// error; 1 when the whole record is to blame.
/// </param>
/// <param name="Field">The name of the offending field as the input spells it, or <see langword="null"/> when no single field is to blame.</param>
/// <param name="Value">The offending value, or <see langword="null"/>.</param>
/// <param name="Reason">Why the record is rejected, without location, field or value.</param>
/// <param name="RawText">The record as read, without its line ending; for a record over the length limit, its first part.</param>
public sealed record InputRejection(
    string Source,
    long Line,
    int Column,
    string? Field,
    string? Value,
    string Reason,
    string? RawText)
{
    private const int MaxShownValue = 80;

    /// <summary>
    /// Gets every bad field of the record, in column order: the first is the one <see cref="Column"/>,
    /// <see cref="Field"/>, <see cref="Value"/> and <see cref="Reason"/> describe. A record rejected for one problem
    /// has one (the default, made from those four).
    /// </summary>
    public IReadOnlyList<InputFieldProblem> Problems
    {
        get => field ?? [new InputFieldProblem(Column, Field, Value, Reason)];
        init => field = value is { Count: > 0 } ? value : throw new ArgumentException("A rejection has at least one problem.", nameof(value));
    }

    /// <summary>
    /// Formats the rejection as one line: <c>FILE:LINE:COLUMN: field 'x' value 'y': reason</c>, followed by
    /// <c> Also column N: field 'z' value 'w': reason</c> for each other bad field.
    /// </summary>
    /// <returns>The line, with control characters in the values escaped and long values shortened.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(Source.Length + Reason.Length + 64);
        text.Append(Source).Append(':').Append(Line.ToString(CultureInfo.InvariantCulture))
            .Append(':').Append(Column.ToString(CultureInfo.InvariantCulture)).Append(": ");
        AppendProblem(text, Field, Value, Reason);
        var problems = Problems;
        for (int i = 1; i < problems.Count; i++)
        {
            var problem = problems[i];
            text.Append(" Also column ").Append(problem.Column.ToString(CultureInfo.InvariantCulture)).Append(": ");
            AppendProblem(text, problem.Field, problem.Value, problem.Reason);
        }
        return text.ToString();
    }

    private static void AppendProblem(StringBuilder text, string? field, string? value, string reason)
    {
        if (field is not null)
        {
            text.Append("field '").Append(field).Append('\'');
            if (value is not null)
                AppendValue(text.Append(" value '"), value).Append('\'');
            text.Append(": ");
        }
        else if (value is not null)
        {
            AppendValue(text.Append("value '"), value).Append("': ");
        }
        text.Append(reason);
    }

    private static StringBuilder AppendValue(StringBuilder text, string value)
    {
        int shown = value.Length <= MaxShownValue ? value.Length : MaxShownValue - 3;
        foreach (char c in value.AsSpan(0, shown))
        {
            switch (c)
            {
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        text.Append(c);
                    break;
            }
        }
        return shown < value.Length ? text.Append("...") : text;
    }
}
