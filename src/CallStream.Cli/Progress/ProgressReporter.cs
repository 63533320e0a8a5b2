using System.Globalization;

namespace CallStream.Cli.Progress;

/// <summary>
/// Shows the progress of long work on standard error: a bar redrawn in place when standard error is a terminal, plain
/// periodic lines otherwise (logs and CI keep them readable). Driven by a <see cref="TimeProvider"/>, so it is testable;
/// cheap to call often, as it only writes when its interval has passed.
/// </summary>
internal sealed class ProgressReporter
{
    private const int BarWidth = 30;

    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly bool _interactive;
    private readonly string _label;
    private readonly long? _total;
    private readonly string _unit;
    private readonly long _started;
    private long _lastWrite;
    private int _drawnWidth;

    /// <summary>Creates a reporter and starts its clock.</summary>
    /// <param name="output">Where to write: standard error.</param>
    /// <param name="time">The clock.</param>
    /// <param name="interactive"><see langword="true"/> to draw a bar in place (a terminal), <see langword="false"/> for plain lines.</param>
    /// <param name="label">What is being done, for example the command's name.</param>
    /// <param name="total">The amount of work when known, for a percentage; otherwise <see langword="null"/>.</param>
    /// <param name="unit">The unit of work, plural, for example <c>rows</c>.</param>
    /// <param name="interval">How often to write at most: by default 200 ms on a terminal and 5 s otherwise.</param>
    public ProgressReporter(TextWriter output, TimeProvider time, bool interactive, string label, long? total, string unit, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrEmpty(label);
        ArgumentException.ThrowIfNullOrEmpty(unit);
        if (total is < 0)
            throw new ArgumentOutOfRangeException(nameof(total), total, "The total must not be negative.");
        _output = output;
        _time = time;
        _interactive = interactive;
        _label = label;
        _total = total;
        _unit = unit;
        Interval = interval ?? (interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5));
        _started = time.GetTimestamp();
        _lastWrite = _started;
    }

    /// <summary>Gets the least time between two writes.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Gets the time since the reporter was created.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Reports how much work is done; writes when the interval has passed since the last write.</summary>
    /// <param name="done">The amount of work done so far.</param>
    public void Report(long done)
    {
        long now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_lastWrite, now) < Interval)
            return;
        _lastWrite = now;
        string text = Describe(done, _time.GetElapsedTime(_started, now));
        if (_interactive)
        {
            _output.Write('\r' + text.PadRight(_drawnWidth));
            _drawnWidth = Math.Max(_drawnWidth, text.Length);
        }
        else
        {
            _output.WriteLine(text);
        }
        _output.Flush();
    }

    /// <summary>Ends the report: on a terminal, erases the bar so the summary line takes its place.</summary>
    public void Complete()
    {
        if (_interactive && _drawnWidth > 0)
        {
            _output.Write('\r' + new string(' ', _drawnWidth) + '\r');
            _output.Flush();
            _drawnWidth = 0;
        }
    }

    /// <summary>Formats a rate as whole units per second, for progress and summary lines.</summary>
    /// <param name="count">The amount of work.</param>
    /// <param name="elapsed">The time it took.</param>
    /// <returns>For example <c>412345</c>, or <c>-</c> when no time has passed.</returns>
    public static string FormatRate(long count, TimeSpan elapsed) =>
        elapsed > TimeSpan.Zero
            ? Math.Round(count / elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture)
            : "-";

    private string Describe(long done, TimeSpan elapsed)
    {
        var invariant = CultureInfo.InvariantCulture;
        string rate = FormatRate(done, elapsed) + " " + _unit + "/s";
        if (_total is not long total || total == 0)
            return string.Create(invariant, $"{_label}: {done} {_unit}, {rate}");

        double share = Math.Clamp((double)done / total, 0, 1);
        int percent = (int)(share * 100);
        if (!_interactive)
            return string.Create(invariant, $"{_label}: {done}/{total} {_unit} ({percent}%), {rate}");
        int filled = (int)(share * BarWidth);
        string bar = new string('=', filled) + (filled < BarWidth ? ">" + new string(' ', BarWidth - filled - 1) : string.Empty);
        return string.Create(invariant, $"{_label} [{bar}] {percent,3}% {done}/{total} {_unit}, {rate}");
    }
}
