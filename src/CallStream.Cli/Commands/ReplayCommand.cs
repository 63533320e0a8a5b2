using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using CallStream.Cli.Output;
using CallStream.Cli.Progress;
using CallStream.Csv;
using CallStream.Ndjson;
using CallStream.Rules;

namespace CallStream.Cli.Commands;

/// <summary>
/// <c>callstream replay --input CSV [--rules FILE] [--alerts OUT] [--rejects OUT] [--report OUT.html] [--event-time start|end] [--lateness D] [--rule-threads N|auto] [--strict]</c>:
/// a backtest that reads a log and runs the rules over it in event time, in-process.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="context">The surroundings it runs in.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input")
        {
            Description = "The interaction log to replay (CSV in the CallStream format).",
            HelpName = "CSV",
            Required = true,
        };
        var rules = new Option<string?>("--rules")
        {
            Description = $"The rule file; without it (or with '{RuleLoader.DefaultName}') the built-in default rules.",
            HelpName = "FILE",
        };
        var alerts = new Option<string?>("--alerts")
        {
            Description = "Writes the alerts as NDJSON to this file, or to standard output with -.",
            HelpName = "OUT",
        };
        var rejects = new Option<string?>("--rejects")
        {
            Description = "Writes rejected rows (the header, then each bad row as read) to this file, to fix and replay.",
            HelpName = "OUT",
        };
        // No DefaultValueFactory: --help would print its value (00:00:05) after the description's [default: …].
        var defaultLateness = new EventOrderingOptions().AllowedLateness;
        var lateness = new Option<TimeSpan?>("--lateness")
        {
            Description = $"The allowed lateness of the event-time ordering, e.g. 5s, 2m. [default: {DurationText.Format(defaultLateness)}]",
            HelpName = "DURATION",
            CustomParser = r => ParseLateness(r),
        };
        var eventTime = OptionParsers.EventTimeOption();
        var report = new Option<string?>("--report")
        {
            Description = "Also writes the insights report (HTML with charts) of the log and its alerts to this file.",
            HelpName = "OUT.html",
        };
        var ruleThreads = new Option<int?>("--rule-threads")
        {
            Description = "How many threads evaluate the rules: a number, or auto to use a second one only for rules costly enough to gain "
                + "(long sliding windows, distinct counts). The alerts are the same either way. [default: auto]",
            HelpName = "N|auto",
            CustomParser = r => ParseRuleThreads(r),
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Stops at the first bad row with exit code 2 instead of rejecting it and going on.",
        };
        var command = new Command("replay", "Backtest: reads a log and runs the rules over it in event time, in-process; writes alerts as NDJSON.")
        {
            input,
            rules,
            alerts,
            rejects,
            report,
            eventTime,
            lateness,
            ruleThreads,
            strict,
        };
        CommandAction.Set(command, context, (parseResult, cancellationToken) => RunAsync(
            context,
            new ReplaySettings(
                parseResult.GetValue(input)!,
                parseResult.GetValue(rules),
                parseResult.GetValue(alerts),
                parseResult.GetValue(rejects),
                parseResult.GetValue(lateness) ?? defaultLateness,
                parseResult.GetValue(strict))
            {
                Report = parseResult.GetValue(report),
                EventTime = parseResult.GetValue(eventTime) ?? EventTimeMode.Start,
                RuleThreads = parseResult.GetValue(ruleThreads) ?? 0,
            },
            cancellationToken));
        return command;
    }

    /// <summary>Runs the replay.</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="settings">What to replay and where to write.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliContext context, ReplaySettings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Input))
        {
            // Problems of the rules are reported first, as when the input exists (the rules are loaded while it is read).
            await RuleLoader.LoadAsync(context, settings.Rules, cancellationToken).ConfigureAwait(false);
            CommandFiles.RequireInput(settings.Input, "--input");
        }
        if (settings.Alerts is not null and not "-")
            CommandFiles.RequireOutput(settings.Alerts, "--alerts");
        if (settings.Rejects is not null)
            CommandFiles.RequireOutput(settings.Rejects, "--rejects");
        if (settings.Report is not null)
            ReportCommand.RequireOutputs(new(settings.Report), "--report");

        var invariant = CultureInfo.InvariantCulture;
        bool alertsToStandardOutput = settings.Alerts == "-";
        var summaryWriter = alertsToStandardOutput ? context.Error : context.Out;
        var problems = new ProblemPrinter(context.Error, "replay");

        // Opened on the first rejected row or once the rules are loaded, whichever comes first: reading starts before
        // the rules are loaded, and a rule file with errors must leave the outputs of an earlier run alone.
        var rejectsWriter = settings.Rejects is null ? null : new DeferredFileWriter(settings.Rejects, "--rejects");
        var readerOptions = new CsvReaderOptions
        {
            SourceName = settings.Input,
            Strict = settings.Strict,
            Rejects = rejectsWriter,
            OnRejected = r => problems.ReportRejectedRow(r.ToString()),
        };
        AlertOutput? alertSink = null;
        var report = settings.Report is null
            ? null
            : new ReportCollector(ReportCommand.CreateOptions(context, Path.GetFileName(settings.Input), new(settings.Report)));
        ProgressReporter? progress = null;
        PipelineSummary summary;
        long read, accepted, rejected;
        LogReplay? replay = null;
        try
        {
            // The log is parsed from the start, on the source's thread, while the rules are loaded and compiled here: the
            // two warm up (and are just-in-time compiled) side by side instead of one after the other.
            replay = LogReplay.Open(settings.Input, readerOptions);
            progress = new ProgressReporter(context.Error, context.Time, context.ErrorIsTerminal, "replay", null, "rows") { TotalBytes = replay.Length };
            replay.Progress = progress;
            var ruleSet = await RuleLoader.LoadAsync(context, settings.Rules, cancellationToken).ConfigureAwait(false);
            rejectsWriter?.Open();
            alertSink = AlertOutput.Open(context, settings.Alerts);
            string instant = settings.EventTime == EventTimeMode.End ? "ending" : "at";
            var options = new InteractionPipelineOptions
            {
                EventTime = settings.EventTime,
                AllowedLateness = settings.Lateness,
                EvaluationThreads = settings.RuleThreads,
                OnLateEvent = late => problems.ReportLateEvent(string.Create(
                    invariant,
                    $"late event {late.Event.Interaction.InteractionId} {instant} {Iso8601.Format(late.EventTime)}, {late.Lateness.TotalSeconds:0.###} s behind the last released event; evaluated at once.")),
                OnEvaluated = report is null ? null : report.Add,
            };
            // Alerts not written anywhere are only counted: no sink, so the pipeline has nothing to wait for.
            summary = await replay.RunAsync(ruleSet, options, settings.Alerts is null ? null : alertSink, cancellationToken).ConfigureAwait(false);
            read = replay.Reader.RecordsRead;
            accepted = replay.Reader.RecordsAccepted;
            rejected = replay.Reader.RecordsRejected;
            await alertSink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (replay is not null)
            {
                // A reader waiting on a full rejects buffer (the rules never loaded) must not keep the stop waiting.
                rejectsWriter?.StopWaiting();
                await replay.DisposeAsync().ConfigureAwait(false); // ends the parsing, also when the replay stops early
            }
            alertSink?.Dispose();
            progress?.Complete();
            if (rejectsWriter is not null)
                await rejectsWriter.DisposeAsync().ConfigureAwait(false);
        }

        problems.Complete(settings.Rejects is null
            ? "pass --rejects FILE to get every rejected row"
            : $"the rest are in '{settings.Rejects}' (every rejected row, after the header)");
        var elapsed = progress.Elapsed;
        var byRule = new StringBuilder();
        long alerts = 0;
        foreach (var rule in summary.Rules)
        {
            byRule.Append(invariant, $"{(byRule.Length == 0 ? "" : ", ")}{rule.Rule} {rule.Alerts}");
            alerts += rule.Alerts;
        }
        await summaryWriter.WriteLineAsync(string.Create(
            invariant,
            $"replay: {read} rows read, {accepted} accepted, {rejected} rejected, {summary.Late} late{DuplicatesSkipped(summary.Duplicates)}; "
            + $"{alerts} alerts ({byRule}) in {elapsed.TotalSeconds:0.00} s ({ProgressReporter.FormatRate(read, elapsed)} rows/s)."))
            .ConfigureAwait(false);
        if (report is not null)
        {
            if (elapsed >= progress.Interval)
                await context.Error.WriteLineAsync($"replay: computing the report's figures and writing {ConsoleText.Escape(settings.Report!)}...").ConfigureAwait(false);
            await ReportCommand.WriteAndSummarizeAsync(context, summaryWriter, "replay", report, new(settings.Report!)).ConfigureAwait(false);
        }
        await summaryWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>The summary's note of interactions dropped as duplicates of one already evaluated (nothing when there were none).</summary>
    internal static string DuplicatesSkipped(long duplicates) =>
        duplicates == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $", {duplicates} duplicate{(duplicates == 1 ? "" : "s")} skipped");

    internal static StreamWriter OpenText(string path, string option)
    {
        try
        {
            return new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CliException.Failure($"{option}: cannot create '{path}': {e.Message}", e);
        }
    }

    private static TimeSpan ParseLateness(ArgumentResult result)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (DurationText.TryParse(token, out var value) && value >= TimeSpan.Zero)
            return value;
        result.AddError($"--lateness must be a duration such as 5s, 90s, 2m or 1h (or a number of seconds), not '{token}'.");
        return TimeSpan.Zero;
    }

    /// <summary>Parses <c>--rule-threads</c>: <c>auto</c> (0) or a number of threads from 1 to 64.</summary>
    private static int? ParseRuleThreads(ArgumentResult result)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (string.Equals(token, "auto", StringComparison.OrdinalIgnoreCase))
            return 0;
        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int threads) && threads is >= 1 and <= 64)
            return threads;
        result.AddError($"--rule-threads must be auto or a number of threads from 1 to 64, not '{token}'.");
        return null;
    }

    /// <summary>What a replay reads and writes.</summary>
    /// <param name="Input">The CSV log.</param>
    /// <param name="Rules">The rule file, <c>default</c> or <see langword="null"/>.</param>
    /// <param name="Alerts">The NDJSON alert file, <c>-</c> for standard output, or <see langword="null"/>.</param>
    /// <param name="Rejects">The rejects file, or <see langword="null"/>.</param>
    /// <param name="Lateness">The allowed lateness.</param>
    /// <param name="Strict">Whether the first bad row stops the replay.</param>
    internal sealed record ReplaySettings(string Input, string? Rules, string? Alerts, string? Rejects, TimeSpan Lateness, bool Strict)
    {
        /// <summary>Gets the insights report's HTML file, or <see langword="null"/> for none.</summary>
        public string? Report { get; init; }

        /// <summary>Gets which instant is the event time (<c>--event-time</c>).</summary>
        public EventTimeMode EventTime { get; init; }

        /// <summary>Gets the number of threads that evaluate the rules (<c>--rule-threads</c>), 0 to choose from the rules' cost.</summary>
        public int RuleThreads { get; init; }
    }
}
