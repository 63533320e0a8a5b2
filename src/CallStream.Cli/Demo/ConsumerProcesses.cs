using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CallStream.Cli.Commands;

namespace CallStream.Cli.Demo;

/// <summary>
/// The demo's <c>--processes</c>: each consumer of the group is a <c>callstream consume</c> child process, as a deployment
/// runs them, with its own alert file; with <c>--chaos</c> children are killed (SIGKILL) and started again meanwhile.
/// Each child ends by itself once its share is read to the end and idle (<c>--idle-exit</c>).
/// </summary>
internal sealed partial class ConsumerProcesses
{
    /// <summary>
    /// How long a child waits idle at the end before it ends. Longer than the session timeout the children use (see
    /// <see cref="SessionTimeout"/>) and the rebalance after it: a killed child's partitions are handed to the others only
    /// once its session expired, and a child that ended before would leave them unread.
    /// </summary>
    private static readonly TimeSpan IdleExit = TimeSpan.FromSeconds(8);

    /// <summary>The children's session timeout: a killed child's partitions move on after it.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(3);

    private readonly Child[] _children;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string _directory;
    private readonly int _firstIndex;
    private int _kills;

    /// <summary>Starts <paramref name="count"/> children.</summary>
    /// <param name="count">How many consumers.</param>
    /// <param name="consumeArguments">The arguments of <c>consume</c> every child shares (connection, group, event time, …).</param>
    /// <param name="directory">Where each child's alert file and log go.</param>
    /// <param name="firstIndex">The number of the first child's files, less one.</param>
    public ConsumerProcesses(int count, IReadOnlyList<string> consumeArguments, string directory, int firstIndex = 0)
    {
        _arguments = consumeArguments;
        _directory = directory;
        _firstIndex = firstIndex;
        _children = new Child[count];
        for (int i = 0; i < count; i++)
            _children[i] = Start(i);
    }

    /// <summary>Gets how many children were killed and started again.</summary>
    public int Kills => _kills;

    /// <summary>Gets whether every child has ended.</summary>
    public bool AllEnded => _children.All(c => c.Process.HasExited);

    /// <summary>Gets the alert files the children wrote.</summary>
    public IEnumerable<string> AlertFiles => _children.Select((_, i) => AlertFile(i)).Where(File.Exists);

    /// <summary>Kills children at seeded moments and starts them again, until <paramref name="stop"/> is cancelled.</summary>
    /// <param name="seed">The seed of the moments and the children chosen.</param>
    /// <param name="stop">Stops the kills.</param>
    /// <returns>A task that completes when the kills stopped.</returns>
    public async Task KillAndRestartAsync(int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 2500)), stop).ConfigureAwait(false);
                int index = random.Next(_children.Length);
                var child = _children[index];
                if (child.Process.HasExited)
                    continue;
                child.Process.Kill(entireProcessTree: true);
                await child.Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                _children[index] = Start(index);
                Interlocked.Increment(ref _kills);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Waits for every child to end, killing them all at <paramref name="deadline"/>.</summary>
    /// <param name="deadline">Gives up.</param>
    /// <returns>The children's figures added up.</returns>
    /// <exception cref="CliException">A child failed or did not end in time (exit code 1), with its last lines of output.</exception>
    public async Task<ChildFigures> WaitAsync(CancellationToken deadline)
    {
        var figures = new ChildFigures();
        for (int i = 0; i < _children.Length; i++)
        {
            var child = _children[i];
            try
            {
                await child.Process.WaitForExitAsync(deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                foreach (var other in _children)
                {
                    if (!other.Process.HasExited)
                        other.Process.Kill(entireProcessTree: true);
                }
                throw CliException.Failure($"consumer process {i + 1} did not finish in time:\n{child.Tail()}");
            }
            child.Process.WaitForExit(); // the output's last lines
            await File.WriteAllTextAsync(LogFile(i), child.Log(), CancellationToken.None).ConfigureAwait(false);
            if (child.Process.ExitCode != ExitCodes.Success)
                throw CliException.Failure($"consumer process {i + 1} failed (exit code {child.Process.ExitCode}):\n{child.Tail()}");
            var match = SummaryLine().Match(child.Output.ToString());
            if (!match.Success)
                throw CliException.Failure($"consumer process {i + 1} printed no summary:\n{child.Tail()}");
            figures.Add(match);
        }
        return figures;
    }

    private string LogFile(int index) => Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"consumer-{_firstIndex + index + 1}.log"));

    private string AlertFile(int index) => Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"alerts.consumer-{_firstIndex + index + 1}.ndjson"));

    private Child Start(int index)
    {
        var start = CliProcess.StartInfo();
        foreach (string argument in _arguments)
            start.ArgumentList.Add(argument);
        start.ArgumentList.Add("--alerts");
        start.ArgumentList.Add(AlertFile(index));
        start.ArgumentList.Add("--idle-exit");
        start.ArgumentList.Add(DurationText.Format(IdleExit));
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = new Process { StartInfo = start };
        var child = new Child(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data, summary: true);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data, summary: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    [GeneratedRegex(@"consume: (?<consumed>\d+) messages consumed .*?\((?<dead>\d+) dead-lettered, (?<warm>\d+) re-read to warm up, (?<late>\d+) late(, (?<duplicates>\d+) duplicates skipped)?\); (?<alerts>\d+) alerts")]
    private static partial Regex SummaryLine();

    /// <summary>One child and what it printed.</summary>
    private sealed class Child(Process process)
    {
        private readonly Queue<string> _last = new();
        private readonly StringBuilder _log = new();

        public Process Process { get; } = process;

        public StringBuilder Output { get; } = new();

        public void Append(string? line, bool summary)
        {
            if (line is null)
                return;
            lock (_last)
            {
                if (summary)
                    Output.AppendLine(line);
                _log.AppendLine(line);
                _last.Enqueue(line);
                if (_last.Count > 12)
                    _last.Dequeue();
            }
        }

        public string Log()
        {
            lock (_last)
                return _log.ToString();
        }

        public string Tail()
        {
            lock (_last)
                return string.Join('\n', _last);
        }
    }
}

/// <summary>The figures of the children's last runs, added up (a killed run prints none).</summary>
internal sealed class ChildFigures
{
    /// <summary>Gets the messages consumed.</summary>
    public long Consumed { get; private set; }

    /// <summary>Gets the messages dead-lettered.</summary>
    public long DeadLettered { get; private set; }

    /// <summary>Gets the records re-read to warm up.</summary>
    public long WarmUp { get; private set; }

    /// <summary>Gets the late events.</summary>
    public long Late { get; private set; }

    /// <summary>Gets the duplicates skipped.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Gets the alerts written.</summary>
    public long Alerts { get; private set; }

    /// <summary>Adds another set of children's figures.</summary>
    /// <param name="other">The figures.</param>
    public void Add(ChildFigures other)
    {
        Consumed += other.Consumed;
        DeadLettered += other.DeadLettered;
        WarmUp += other.WarmUp;
        Late += other.Late;
        Duplicates += other.Duplicates;
        Alerts += other.Alerts;
    }

    /// <summary>Adds one child's summary line.</summary>
    /// <param name="summary">The parsed line.</param>
    public void Add(Match summary)
    {
        long Number(string name) => summary.Groups[name].Success ? long.Parse(summary.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        Consumed += Number("consumed");
        DeadLettered += Number("dead");
        WarmUp += Number("warm");
        Late += Number("late");
        Duplicates += Number("duplicates");
        Alerts += Number("alerts");
    }
}
