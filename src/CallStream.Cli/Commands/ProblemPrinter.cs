using System.Globalization;

namespace CallStream.Cli.Commands;

/// <summary>
/// Reports rejected rows, late events and similar problems on standard error: the first <see cref="MaxPrinted"/> as
/// lines, the rest only counted (<see cref="Complete"/> says how many). Thread-safe.
/// </summary>
/// <param name="error">Standard error.</param>
/// <param name="label">The prefix of each line, the command's name.</param>
internal sealed class ProblemPrinter(TextWriter error, string label)
{
    /// <summary>How many problems are printed before they are only counted.</summary>
    public const int MaxPrinted = 20;

    private readonly Lock _lock = new();
    private long _count;
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

    /// <summary>Reports one problem.</summary>
    /// <param name="line">What went wrong and where.</param>
    public void Report(string line)
    {
        using var held = _lock.EnterScope();
        _count++;
        if (_printed < MaxPrinted)
        {
            _printed++;
            error.WriteLine(label + ": " + line);
        }
    }

    /// <summary>Writes how many problems were not printed, if any.</summary>
    public void Complete()
    {
        using var held = _lock.EnterScope();
        if (_count > _printed)
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: ... and {_count - _printed} more (counted in the summary)."));
    }
}
