using System.Runtime.CompilerServices;
using CallStream.Input;

namespace CallStream.Csv;

/// <summary>
/// Words what is wrong with a CSV input for the reader: a header that cannot be taken, a record the guard could not
/// frame, a row with bytes that are not UTF-8, and a row the mapper rejected (with every bad field). Apart from
/// <see cref="CsvInteractionReader"/> because none of it runs for a good row.
/// </summary>
internal sealed class CsvRejectionDescriber
{
    private readonly string _sourceName;
    private readonly char _delimiter;
    private readonly int _maxRowLength;
    private readonly int _maxQuotedLineBreaks;

    /// <summary>Creates the describer of one input.</summary>
    /// <param name="sourceName">The input's name, which locations start with.</param>
    /// <param name="delimiter">The field delimiter.</param>
    /// <param name="maxRowLength">The longest row allowed, for messages.</param>
    /// <param name="maxQuotedLineBreaks">The most line breaks in a quoted field, for messages.</param>
    public CsvRejectionDescriber(string sourceName, char delimiter, int maxRowLength, int maxQuotedLineBreaks)
    {
        _sourceName = sourceName;
        _delimiter = delimiter;
        _maxRowLength = maxRowLength;
        _maxQuotedLineBreaks = maxQuotedLineBreaks;
    }

    private string QuotedLineLimit => _maxQuotedLineBreaks == 1 ? "1 line" : $"{_maxQuotedLineBreaks} lines";

    /// <summary>Describes an input whose header row cannot be taken: empty, malformed or too long.</summary>
    public CsvHeaderException NoHeader(CsvRecordGuard guard)
    {
        long line = guard.LeadingBlankLines + 1;
        var text = guard.PendingText;
        int column = CsvRecordGuard.FieldIndexAt(text, guard.PendingOffset, _delimiter) + 1;
        return guard.Pending switch
        {
            CsvRecordProblem.TooLong => new(_sourceName, line, 1,
                $"the header row is longer than {_maxRowLength} characters (CsvReaderOptions.MaxRowLength)."),
            CsvRecordProblem.TextAfterClosingQuote => new(_sourceName, line, column,
                "a quoted header name must end with its closing quote, followed by the delimiter or the end of the line."),
            CsvRecordProblem.UnclosedQuote => new(_sourceName, line, column,
                "a quoted header name is never closed before the end of the input."),
            CsvRecordProblem.QuoteNotClosedInTime => new(_sourceName, line, column,
                $"a quoted header name is not closed within {QuotedLineLimit} (CsvReaderOptions.MaxQuotedLineBreaks)."),
            CsvRecordProblem.StartsWithNul => new(_sourceName, line, 1,
                "the header row starts with a NUL character; is the input UTF-16, or not text?"),
            _ => new(_sourceName, line, 1,
                $"the input is empty; a header row is required (for example {string.Join(_delimiter, CsvColumns.All)})."),
        };
    }

    /// <summary>Describes a rejected row with every one of its bad fields (the mapper stops at the first).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public InputRejection Reject(CsvRowMapper mapper, CsvRecord record, long line, CsvRowError first, out string? lineEnding)
    {
        var problems = mapper.Diagnose(record, first);
        var raw = record.Raw;
        var text = WithoutLineEnding(raw);
        lineEnding = raw.Length == text.Length ? null : raw[text.Length..] is "\r\n" ? "\r\n" : "\n";
        var shown = problems[0];
        var rejection = new InputRejection(_sourceName, line, shown.Column, shown.Field, shown.Value, shown.Reason, new string(text));
        if (problems.Count == 1)
            return rejection;
        return rejection with { Problems = problems.ConvertAll(p => new InputFieldProblem(p.Column, p.Field, p.Value, p.Reason)) };
    }

    /// <summary>Describes a row with bytes that are not UTF-8: each field that has one, with the bytes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public InputRejection RejectInvalidUtf8(CsvRowMapper mapper, CsvRecord record, long line, out string? lineEnding)
    {
        var problems = new List<InputFieldProblem>();
        var headers = mapper.Headers;
        for (int i = 0; i < record.FieldCount; i++)
        {
            var value = record[i];
            if (Utf8InputReader.IndexOfInvalidByte(value) < 0)
                continue;
            problems.Add(new InputFieldProblem(i + 1, i < headers.Count ? headers[i] : null, Utf8InputReader.Printable(new string(value)),
                $"is not valid UTF-8 ({Utf8InputReader.DescribeInvalidBytes(value)}; shown as U+FFFD); save the input as UTF-8."));
        }
        var raw = record.Raw;
        var text = WithoutLineEnding(raw);
        lineEnding = raw.Length == text.Length ? null : raw[text.Length..] is "\r\n" ? "\r\n" : "\n";
        var shown = problems[0];
        var rejection = new InputRejection(_sourceName, line, shown.Column, shown.Field, shown.Value, shown.Reason, Utf8InputReader.Printable(new string(text)));
        return problems.Count == 1 ? rejection : rejection with { Problems = problems };
    }

    /// <summary>Describes the record the guard could not frame (<see cref="CsvRecordGuard.Pending"/>), starting at <paramref name="line"/>.</summary>
    public InputRejection DescribePending(CsvRecordGuard guard, CsvRowMapper mapper, long line)
    {
        var text = guard.PendingText;
        string raw = Utf8InputReader.Printable(new string(WithoutLineEnding(text)));
        int field = CsvRecordGuard.FieldIndexAt(text, guard.PendingOffset, _delimiter);
        string? header = field < mapper.Headers.Count ? mapper.Headers[field] : null;
        string value = Utf8InputReader.Printable(new string(CsvRecordGuard.RawFieldText(text, field, _delimiter)));
        return guard.Pending switch
        {
            CsvRecordProblem.TextAfterClosingQuote => new(_sourceName, line, field + 1, header, value,
                "a quoted field must end with its closing quote, followed by the delimiter or the end of the line; write a quote inside a quoted field as two quotes (\"\").",
                raw),
            CsvRecordProblem.UnclosedQuote => new(_sourceName, line, field + 1, header, value,
                "the quoted field that starts here is never closed; the row is rejected as its first line, and reading goes on with the next line.",
                raw),
            CsvRecordProblem.QuoteNotClosedInTime => new(_sourceName, line, field + 1, header, value,
                $"the quoted field that starts here is not closed within {QuotedLineLimit} (CsvReaderOptions.MaxQuotedLineBreaks); the row is rejected as its first line, and reading goes on with the next line.",
                raw),
            CsvRecordProblem.StartsWithNul => new(_sourceName, line, 1, null, null,
                "the row starts with a NUL character; is the input UTF-16, or not text?",
                raw),
            _ => new(_sourceName, line, 1, null, null,
                $"the row is longer than {_maxRowLength} characters (CsvReaderOptions.MaxRowLength).",
                raw),
        };
    }

    internal static ReadOnlySpan<char> WithoutLineEnding(ReadOnlySpan<char> text)
    {
        if (text.EndsWith("\r\n"))
            return text[..^2];
        return text.Length > 0 && text[^1] is '\n' or '\r' ? text[..^1] : text;
    }
}
