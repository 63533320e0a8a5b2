using System.CommandLine;
using System.Globalization;
using CallStream.Cli.Connections;
using CallStream.Cli.Output;
using CallStream.Cli.Progress;
using CallStream.Csv;
using CallStream.Insights;
using CallStream.Mongo;
using CallStream.Rules;

namespace CallStream.Cli.Commands;

/// <summary>
/// <c>callstream report (--input CSV | --mongo URI) --output OUT.html [--json OUT.json] [--rules FILE]</c>: the insights
/// dashboard as one self-contained HTML page with charts (<see cref="InsightsReport"/>), over a log replayed through the
/// rules in process, or over the interactions and alerts stored in MongoDB.
/// </summary>
internal static class ReportCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="context">The surroundings it runs in.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var input = new Option<string?>("--input")
        {
            Description = "The interaction log (CSV in the CallStream format); its alerts come from replaying the rules over it.",
            HelpName = "CSV",
        };
        var mongo = new Option<string?>("--mongo")
        {
            Description = $"The MongoDB connection string whose interactions and alerts collections to report on (default: ${CliContext.MongoVariable} when --input is not given).",
            HelpName = "URI",
        };
        var output = new Option<string>("--output")
        {
            Description = "The HTML page to write.",
            HelpName = "OUT.html",
            Required = true,
        };
        var json = new Option<string?>("--json")
        {
            Description = "Also writes the figures as JSON to this file.",
            HelpName = "OUT.json",
        };
        var rules = new Option<string?>("--rules")
        {
            Description = $"With --input: the rule file; without it (or with '{RuleLoader.DefaultName}') the built-in default rules.",
            HelpName = "FILE",
        };
        var title = new Option<string?>("--title")
        {
            Description = "The page's title. [default: CallStream insights]",
            HelpName = "TEXT",
        };
        var command = new Command("report", "The insights dashboard as one self-contained HTML page with charts, from a log (--input) or from MongoDB (--mongo).")
        {
            input,
            mongo,
            output,
            json,
            rules,
            title,
        };
        CommandAction.Set(command, context, (parseResult, cancellationToken) => RunAsync(
            context,
            parseResult.GetValue(input),
            parseResult.GetValue(mongo),
            new ReportFiles(parseResult.GetValue(output)!, parseResult.GetValue(json), parseResult.GetValue(title)),
            parseResult.GetValue(rules),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string? input, string? mongo, ReportFiles files, string? rules, CancellationToken cancellationToken)
    {
        if (input is not null && mongo is not null)
            throw CliException.InvalidInput("give either --input or --mongo, not both.");
        if (input is not null)
            return await FromLogAsync(context, input, rules, files, cancellationToken).ConfigureAwait(false);
        if (rules is not null)
            throw CliException.InvalidInput("--rules applies to --input only: with --mongo the alerts come from the alerts collection.");
        string connectionString = context.GetSetting(mongo, CliContext.MongoVariable)
            ?? throw CliException.InvalidInput($"give --input CSV or --mongo URI (or set {CliContext.MongoVariable}).");
        MongoConnection.Check(connectionString, string.IsNullOrWhiteSpace(mongo) ? CliContext.MongoVariable : "--mongo");
        RequireOutputs(files);
        return await FromMongoAsync(context, connectionString, files, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> FromLogAsync(CliContext context, string input, string? rules, ReportFiles files, CancellationToken cancellationToken)
    {
        var ruleSet = await RuleLoader.LoadAsync(context, rules, cancellationToken).ConfigureAwait(false);
        CommandFiles.RequireInput(input, "--input");
        RequireOutputs(files);

        var problems = new ProblemPrinter(context.Error, "report");

        var collector = new ReportCollector(CreateOptions(context, Path.GetFileName(input), files));
        long read, rejected;
        PipelineSummary summary;
        var replay = LogReplay.Open(input, new CsvReaderOptions { SourceName = input, OnRejected = r => problems.ReportRejectedRow(r.ToString()) });
        var progress = new ProgressReporter(context.Error, context.Time, context.ErrorIsTerminal, "report", null, "rows") { TotalBytes = replay.Length };
        replay.Progress = progress;
        try
        {
            var options = new InteractionPipelineOptions
            {
                OnLateEvent = late => problems.ReportLateEvent($"late event {late.Event.Interaction.InteractionId}; evaluated at once."),
                OnEvaluated = collector.Add,
            };
            summary = await replay.RunAsync(ruleSet, options, null, cancellationToken).ConfigureAwait(false);
            read = replay.Reader.RecordsRead;
            rejected = replay.Reader.RecordsRejected;
        }
        finally
        {
            await replay.DisposeAsync().ConfigureAwait(false);
            progress.Complete();
        }
        problems.Complete(ReplayRejectsHint(input));

        var readTime = progress.Elapsed;
        if (readTime >= progress.Interval)
        {
            // A log that took long to read takes a while to sum up as well: say what is happening meanwhile.
            await context.Error.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"report: {read} rows read in {readTime.TotalSeconds:0.0} s; computing the figures and writing {ConsoleText.Escape(files.Html)}...")).ConfigureAwait(false);
        }
        var written = Write(collector.ToFigures(), files);
        var elapsed = progress.Elapsed;
        await context.Out.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"report: {read} rows read, {rejected} rejected{ReplayCommand.DuplicatesSkipped(summary.Duplicates)}; {Describe(written)}; rules replayed in process; "
            + $"in {elapsed.TotalSeconds:0.00} s ({ProgressReporter.FormatRate(read, elapsed)} rows/s)."))
            .ConfigureAwait(false);
        await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<int> FromMongoAsync(CliContext context, string connectionString, ReportFiles files, CancellationToken cancellationToken)
    {
        MongoStore store;
        try
        {
            store = new MongoStore(new MongoSinkOptions { ConnectionString = connectionString });
        }
        catch (ArgumentException e)
        {
            // The store's messages show the connection string without its secrets.
            throw CliException.InvalidInput("--mongo: " + e.Message);
        }
        using (store)
        {
            var started = context.Time.GetTimestamp();
            await context.Error.WriteLineAsync($"report: running the dashboard's queries on MongoDB at {store.Endpoint} (database {store.DatabaseName})...").ConfigureAwait(false);
            WrittenReport written;
            try
            {
                await store.PingAsync(cancellationToken).ConfigureAwait(false);
                written = await WriteAsync(context, new MongoInsightsSource(store), $"MongoDB {store.Endpoint}/{store.DatabaseName}", files, cancellationToken).ConfigureAwait(false);
            }
            catch (MongoStoreException e)
            {
                throw CliException.Failure(e.Message, e);
            }
            await context.Out.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"report: {Describe(written)}; from MongoDB at {store.Endpoint} (database {store.DatabaseName}) in {context.Time.GetElapsedTime(started).TotalSeconds:0.00} s."))
                .ConfigureAwait(false);
            await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        return ExitCodes.Success;
    }

    /// <summary>Creates the report's options: its source's name, the title asked for, the context's clock.</summary>
    /// <param name="context">The surroundings (the clock stamps the page).</param>
    /// <param name="sourceName">What the page names as its source (never a password).</param>
    /// <param name="files">Where the report goes, and its title.</param>
    /// <returns>The options.</returns>
    public static InsightsReportOptions CreateOptions(CliContext context, string sourceName, ReportFiles files)
    {
        var options = new InsightsReportOptions { Source = sourceName, TimeProvider = context.Time };
        if (files.Title is not null)
            options.Title = files.Title;
        return options;
    }

    /// <summary>Computes the report on a source and writes the page (and the JSON when asked); a file not completed is removed.</summary>
    /// <param name="context">The surroundings (the clock stamps the page).</param>
    /// <param name="source">Where the dashboard's queries run.</param>
    /// <param name="sourceName">What the page names as its source (never a password).</param>
    /// <param name="files">Where to write.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="CliException">A file cannot be created.</exception>
    /// <exception cref="OutputWriteException">A file cannot be written.</exception>
    public static async Task<WrittenReport> WriteAsync(
        CliContext context, IInsightsSource source, string sourceName, ReportFiles files, CancellationToken cancellationToken)
    {
        var figures = await InsightsReport.ComputeAsync(source, CreateOptions(context, sourceName, files), cancellationToken).ConfigureAwait(false);
        return Write(figures, files);
    }

    /// <summary>Writes the page (and the JSON when asked) of computed figures; a file not completed is removed.</summary>
    /// <param name="figures">The figures.</param>
    /// <param name="files">Where to write.</param>
    /// <param name="htmlOption">The option that named the page, for messages.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="CliException">A file cannot be created.</exception>
    /// <exception cref="OutputWriteException">A file cannot be written.</exception>
    public static WrittenReport Write(InsightsReportFigures figures, ReportFiles files, string htmlOption = "--output")
    {
        long htmlBytes = WriteFile(files.Html, htmlOption, s => InsightsReport.WriteHtml(figures, s));
        if (files.Json is not null)
            WriteFile(files.Json, "--json", s => InsightsReport.WriteJson(figures, s));
        return new WrittenReport(figures, files, htmlBytes);
    }

    /// <summary>Writes the report of a replayed log and prints one summary line, <c>COMMAND: report: …</c> (for <c>replay --report</c>).</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="summary">Where the summary line goes.</param>
    /// <param name="command">The command's name, the line's prefix.</param>
    /// <param name="report">The figures of the replayed interactions and their alerts.</param>
    /// <param name="files">Where to write.</param>
    /// <returns>A task that completes when the files are written.</returns>
    public static async Task WriteAndSummarizeAsync(CliContext context, TextWriter summary, string command, ReportCollector report, ReportFiles files)
    {
        var started = context.Time.GetTimestamp();
        var written = Write(report.ToFigures(), files, "--report");
        await summary.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture, $"{command}: report: {Describe(written)} in {context.Time.GetElapsedTime(started).TotalSeconds:0.00} s."))
            .ConfigureAwait(false);
    }

    /// <summary>Checks the files a report is written to before the work starts.</summary>
    /// <param name="files">Where the report goes.</param>
    /// <param name="htmlOption">The option that names the page.</param>
    /// <exception cref="CliException">A path is a directory (exit code 2).</exception>
    public static void RequireOutputs(ReportFiles files, string htmlOption = "--output")
    {
        CommandFiles.RequireOutput(files.Html, htmlOption);
        if (files.Json is not null)
            CommandFiles.RequireOutput(files.Json, "--json");
    }

    /// <summary>Writes one file of the report; a regular file not completed is removed.</summary>
    /// <returns>The bytes written.</returns>
    /// <exception cref="CliException">The file cannot be created.</exception>
    /// <exception cref="OutputWriteException">The file cannot be written, flushed or closed.</exception>
    private static long WriteFile(string path, string option, Action<Stream> write)
    {
        bool created = CommandFiles.IsFree(path); // only a file created here is removed when it cannot be completed
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CliException.Failure($"{option}: cannot create '{path}': {e.Message}", e);
        }
        // A device (/dev/stdout, /dev/full) or a pipe has no length to ask for: the bytes are counted on the way.
        var counting = new CountingWriteStream(file);
        try
        {
            try
            {
                write(counting);
                file.Flush();
            }
            finally
            {
                file.Dispose(); // writes what is buffered: a full disk can show here first
            }
            return counting.BytesWritten;
        }
        catch (Exception e)
        {
            if (created)
                TryDelete(path);
            if (e is IOException io)
                throw OutputWriteException.ForFile(option, path, io);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The failed write is the error to report; a leftover partial file is the lesser problem.
        }
    }

    /// <summary>
    /// The hint for rejected rows left out of the printed problems of a command without <c>--rejects</c>: how to get
    /// every rejected row of the log.
    /// </summary>
    /// <param name="input">The log.</param>
    /// <returns>The hint.</returns>
    internal static string ReplayRejectsHint(string input) =>
        $"'callstream replay --input {input} --rejects FILE' writes every rejected row to FILE";

    private static string Describe(WrittenReport w) => ConsoleText.Escape(string.Create(
        CultureInfo.InvariantCulture,
        $"{w.Figures.TotalInteractions} interactions, {w.Figures.TotalAgents} agents, {w.Figures.TotalAlerts} alerts; "
        + $"{w.Figures.Notes.Count} charts to {w.Files.Html} ({w.HtmlBytes / 1024.0:0} KB){(w.Files.Json is null ? "" : " and figures to " + w.Files.Json)}"));

    /// <summary>Where a report goes.</summary>
    /// <param name="Html">The HTML page.</param>
    /// <param name="Json">The JSON figures, or <see langword="null"/>.</param>
    /// <param name="Title">The page's title, or <see langword="null"/> for the default.</param>
    internal sealed record ReportFiles(string Html, string? Json = null, string? Title = null);

    /// <summary>A report written.</summary>
    /// <param name="Figures">Its figures.</param>
    /// <param name="Files">Where it went.</param>
    /// <param name="HtmlBytes">The page's size in bytes.</param>
    internal sealed record WrittenReport(InsightsReportFigures Figures, ReportFiles Files, long HtmlBytes);
}
