using System.Globalization;

namespace CallStream.Cli.Commands;

/// <summary>
/// Reports rejected rows, late events and similar problems on standard error: the first <see cref="MaxPrinted"/> as
/// lines (control characters escaped), the rest only counted; <see cref="Complete"/> says how many more there were
/// and where the rejected rows not printed can be found. Thread-safe.
/// </summary>
/// <param name="error">Standard error.</param>
/// <param name="label">The prefix of each line, the command's name.</param>
internal sealed class ProblemPrinter(TextWriter error, string label)
{
    /// <summary>How many problems are printed before they are only counted.</summary>
    public const int MaxPrinted = 20;

    private readonly Lock _lock = new();
    private long _count;
    private long _unprintedRows;
    private long _unprintedOthers;
    private int _printed;

    /// <summary>Gets how many problems were reported.</summary>
    public long Count
    {
        get
        {
            using var held = _lock.EnterScope();
            return _count;
        }
    }

    /// <summary>Reports a rejected row.</summary>
    /// <param name="line">What is wrong and where.</param>
    public void ReportRejectedRow(string line) => Report(line, rejectedRow: true);

    /// <summary>Reports a late event.</summary>
    /// <param name="line">What and where.</param>
    public void ReportLateEvent(string line) => Report(line, rejectedRow: false);

    /// <summary>Writes how many problems were not printed, if any, and where the rejected rows among them are.</summary>
    /// <param name="rejectsHint">Where every rejected row can be found, for example <c>the rest are in 'rejects.csv'</c>,
    /// or how to get them; written only when rejected rows were left out.</param>
    public void Complete(string? rejectsHint = null)
    {
        using var held = _lock.EnterScope();
        if (_unprintedRows == 0 && _unprintedOthers == 0)
            return;
        var invariant = CultureInfo.InvariantCulture;
        var parts = new List<string>(2);
        if (_unprintedRows > 0)
            parts.Add(string.Create(invariant, $"{_unprintedRows} more rejected rows"));
        if (_unprintedOthers > 0)
            parts.Add(string.Create(invariant, $"{_unprintedOthers} more late events"));
        string hint = _unprintedRows > 0 && rejectsHint is not null ? "; " + rejectsHint : "";
        error.WriteLine(ConsoleText.Escape($"{label}: ... and {string.Join(" and ", parts)} (counted in the summary){hint}."));
    }

    private void Report(string line, bool rejectedRow)
    {
        using var held = _lock.EnterScope();
        _count++;
        if (_printed < MaxPrinted)
        {
            _printed++;
            error.WriteLine(label + ": " + ConsoleText.Escape(line));
        }
        else if (rejectedRow)
        {
            _unprintedRows++;
        }
        else
        {
            _unprintedOthers++;
        }
    }
}
