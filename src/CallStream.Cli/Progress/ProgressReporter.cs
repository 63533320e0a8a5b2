using System.Globalization;

namespace CallStream.Cli.Progress;

/// <summary>
/// Shows the progress of long work on standard error: a bar redrawn in place when standard error is a terminal, plain
/// periodic lines otherwise (logs and CI keep them readable). When the amount of work is known (a number of units, or
/// the bytes of the file being read, <see cref="TotalBytes"/>), it shows the percentage done and an estimate of the
/// time left. Driven by a <see cref="TimeProvider"/>, so it is testable; cheap to call often, as it only writes when its
/// interval has passed.
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

    /// <summary>
    /// Gets the size in bytes of the file being read, when the progress is measured in bytes read
    /// (<see cref="Report(long, long)"/>); otherwise <see langword="null"/>.
    /// </summary>
    public long? TotalBytes
    {
        get;
        init => field = value is < 0 ? throw new ArgumentOutOfRangeException(nameof(value), value, "The size must not be negative.") : value;
    }

    /// <summary>Gets the time since the reporter was created.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Reports how much work is done; writes when the interval has passed since the last write.</summary>
    /// <param name="done">The amount of work done so far.</param>
    public void Report(long done) => Report(done, -1);

    /// <summary>Reports how much work is done and how many bytes of the file were read; writes when the interval has passed since the last write.</summary>
    /// <param name="done">The amount of work done so far (the units shown with their rate).</param>
    /// <param name="bytesRead">The bytes read so far, measured against <see cref="TotalBytes"/> for the percentage and the time left.</param>
    public void Report(long done, long bytesRead)
    {
        long now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_lastWrite, now) < Interval)
            return;
        _lastWrite = now;
        string text = Describe(done, bytesRead, _time.GetElapsedTime(_started, now));
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

    /// <summary>Formats an estimate of the time left: <c>45s</c>, <c>3m05s</c>, <c>1h02m</c>.</summary>
    /// <param name="left">The time left.</param>
    /// <returns>The text.</returns>
    public static string FormatTimeLeft(TimeSpan left)
    {
        var invariant = CultureInfo.InvariantCulture;
        long seconds = (long)Math.Ceiling(Math.Max(0, left.TotalSeconds));
        return seconds switch
        {
            < 60 => string.Create(invariant, $"{seconds}s"),
            < 3600 => string.Create(invariant, $"{seconds / 60}m{seconds % 60:00}s"),
            _ => string.Create(invariant, $"{seconds / 3600}h{seconds / 60 % 60:00}m"),
        };
    }

    /// <summary>Formats a size in bytes for a progress line: <c>512 KB</c>, <c>7.5 MB</c>, <c>69 MB</c>, <c>1.2 GB</c>.</summary>
    /// <param name="bytes">The size.</param>
    /// <returns>The text.</returns>
    public static string FormatBytes(long bytes)
    {
        var invariant = CultureInfo.InvariantCulture;
        const double Kilo = 1024, Mega = Kilo * 1024, Giga = Mega * 1024;
        return bytes switch
        {
            < (long)Mega => (bytes / Kilo).ToString("0", invariant) + " KB",
            < (long)(10 * Mega) => (bytes / Mega).ToString("0.0", invariant) + " MB",
            < (long)Giga => (bytes / Mega).ToString("0", invariant) + " MB",
            _ => (bytes / Giga).ToString("0.0", invariant) + " GB",
        };
    }

    private string Describe(long done, long bytesRead, TimeSpan elapsed)
    {
        var invariant = CultureInfo.InvariantCulture;
        string rate = FormatRate(done, elapsed) + " " + _unit + "/s";
        double share;
        string amount;
        if (TotalBytes is long totalBytes && bytesRead >= 0)
        {
            share = totalBytes == 0 ? 1 : Math.Clamp((double)bytesRead / totalBytes, 0, 1);
            amount = _interactive
                ? $"{FormatBytes(Math.Min(bytesRead, totalBytes))} of {FormatBytes(totalBytes)}, {done.ToString(invariant)} {_unit}"
                : $"of {FormatBytes(totalBytes)}, {done.ToString(invariant)} {_unit}";
        }
        else if (_total is long total && total > 0)
        {
            share = Math.Clamp((double)done / total, 0, 1);
            amount = string.Create(invariant, $"{done}/{total} {_unit}");
        }
        else
        {
            return string.Create(invariant, $"{_label}: {done} {_unit}, {rate}");
        }

        int percent = (int)(share * 100);
        // The rate so far, applied to what is left: steady work (reading a file) makes this a fair estimate.
        string left = share > 0 && share < 1 ? ", ETA " + FormatTimeLeft(elapsed * ((1 - share) / share)) : string.Empty;
        if (!_interactive)
        {
            return TotalBytes is not null && bytesRead >= 0
                ? string.Create(invariant, $"{_label}: {percent}% {amount}, {rate}{left}")
                : string.Create(invariant, $"{_label}: {amount} ({percent}%), {rate}{left}");
        }
        int filled = (int)(share * BarWidth);
        string bar = new string('=', filled) + (filled < BarWidth ? ">" + new string(' ', BarWidth - filled - 1) : string.Empty);
        return string.Create(invariant, $"{_label} [{bar}] {percent,3}% {amount}, {rate}{left}");
    }
}
