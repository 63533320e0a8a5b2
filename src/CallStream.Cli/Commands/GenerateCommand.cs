using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using CallStream.Cli.Output;
using CallStream.Cli.Progress;
using CallStream.Csv;
using CallStream.Generation;
using CallStream.Rules;

namespace CallStream.Cli.Commands;

/// <summary>
/// <c>callstream generate --rows N [--seed S] [--start DATE] [--order start|end] --output CSV</c>: writes a realistic
/// synthetic log in the CallStream CSV format with planted anomalies, the same bytes for the same arguments.
/// </summary>
internal static class GenerateCommand
{
    /// <summary>The <c>--output</c> value that means standard output.</summary>
    public const string StandardOutput = "-";

    private const int ProgressEvery = 1 << 14;

    /// <summary>Builds the command.</summary>
    /// <param name="context">The surroundings it runs in.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var defaults = new InteractionGeneratorOptions();
        var rows = new Option<long>("--rows")
        {
            Description = "How many interactions to generate (a whole number greater than 0).",
            HelpName = "N",
            Required = true,
            CustomParser = ParseRows,
        };
        // No DefaultValueFactory: --help would print its value after the description's [default: …].
        var seed = new Option<long?>("--seed")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"The seed: the same seed and arguments give the same file, byte for byte. [default: {defaults.Seed}]"),
            HelpName = "S",
            CustomParser = r => OptionParsers.ParseSeed(r),
        };
        var start = new Option<DateOnly?>("--start")
        {
            Description = string.Create(
                CultureInfo.InvariantCulture,
                $"The first day of the log, as YYYY-MM-DD; a weekend day moves to the next Monday. [default: {defaults.StartDate:yyyy-MM-dd}]"),
            HelpName = "DATE",
            CustomParser = ParseStart,
        };
        var order = new Option<GenerationOrder?>("--order")
        {
            Description = "The order of the rows: start (by start time) or end (by end time, start + duration, ties by interaction id, "
                + "as a contact-centre system writes a record when each contact ends; the same rows). [default: start]",
            HelpName = "start|end",
            CustomParser = r => OptionParsers.ParseStartOrEnd(r, "--order") switch
            {
                EventTimeMode.End => GenerationOrder.End,
                EventTimeMode.Start => GenerationOrder.Start,
                _ => null,
            },
        };
        var output = new Option<string>("--output")
        {
            Description = "The CSV file to write (replaced if it exists), or - for standard output.",
            HelpName = "CSV",
            Required = true,
        };
        output.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
                result.AddError("--output needs a file name, or - for standard output.");
        });

        var command = new Command(
            "generate",
            "Writes a realistic synthetic interaction log in the CallStream CSV format, with planted anomalies; the same bytes for the same seed.")
        {
            rows,
            seed,
            start,
            order,
            output,
        };
        CommandAction.Set(command, context, (parseResult, cancellationToken) => RunAsync(
            context,
            parseResult.GetValue(rows),
            parseResult.GetValue(seed) ?? defaults.Seed,
            parseResult.GetValue(start) ?? defaults.StartDate,
            parseResult.GetValue(output)!,
            parseResult.GetValue(order) ?? GenerationOrder.Start,
            cancellationToken));
        return command;
    }

    /// <summary>Generates the log and writes it with a progress report and a summary line.</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="rows">The number of interactions.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="start">The first day.</param>
    /// <param name="output">The file, or <see cref="StandardOutput"/>.</param>
    /// <param name="order">The order of the rows.</param>
    /// <param name="cancellationToken">Cancels the work; a partly written file is deleted.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliContext context, long rows, long seed, DateOnly start, string output, GenerationOrder order, CancellationToken cancellationToken)
    {
        var generator = new InteractionGenerator(new InteractionGeneratorOptions { Seed = seed, StartDate = start });
        GeneratedAnomalies anomalies;
        try
        {
            anomalies = generator.GetAnomalies(rows);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw CliException.InvalidInput($"--rows {rows.ToString(CultureInfo.InvariantCulture)} is too large: {FirstLine(e.Message)}");
        }

        bool toStandardOutput = output == StandardOutput;
        string shownOutput = toStandardOutput ? "standard output" : ConsoleText.Escape(output);
        string failedOutput = toStandardOutput ? "standard output" : $"--output '{output}'";
        var progress = new ProgressReporter(context.Error, context.Time, context.ErrorIsTerminal, "generate", rows, "rows");
        long written = 0;
        // Only a file created here is removed when it cannot be completed, never a device (/dev/full) or a pipe.
        bool created = !toStandardOutput && CommandFiles.IsFree(output);
        var writer = toStandardOutput ? new CsvInteractionWriter(context.Out, generator.AttributeColumns, leaveOpen: true) : CreateFile(output, generator);
        try
        {
            await using (writer.ConfigureAwait(false))
            {
                foreach (var interaction in generator.Generate(rows, order))
                {
                    writer.Write(interaction);
                    if ((++written & (ProgressEvery - 1)) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        progress.Report(written);
                    }
                }
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            if (toStandardOutput)
                await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false); // out before the summary says it is
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            progress.Complete();
            if (created)
                TryDelete(output);
            if (e is OperationCanceledException or OutputWriteException { IsClosedStandardOutput: true })
                throw;
            string reason = e is OutputWriteException failed ? failed.Reason : e.Message;
            throw CliException.Failure($"cannot write {failedOutput} after {written.ToString(CultureInfo.InvariantCulture)} rows: {reason}", e);
        }
        progress.Complete();

        var elapsed = progress.Elapsed;
        var invariant = CultureInfo.InvariantCulture;
        string summary = string.Create(
            invariant,
            $"generate: {written} interactions{(order == GenerationOrder.End ? " in end order" : "")} to {shownOutput} in {elapsed.TotalSeconds:0.00} s "
            + $"({ProgressReporter.FormatRate(written, elapsed)} rows/s); planted {anomalies.FailureBursts.Count} failure bursts, "
            + $"{anomalies.FailingAgentIds.Count} failing agents on {anomalies.FailingAgentDays.Count} agent-days, "
            + $"{anomalies.LongCalls.Count} long calls, {anomalies.LongVideoCalls.Count} long video calls, "
            + $"{anomalies.ChannelIncidents.Count} channel incidents (seed {seed}).");
        // The summary must not mix with CSV written to standard output.
        var summaryWriter = toStandardOutput ? context.Error : context.Out;
        await summaryWriter.WriteLineAsync(summary).ConfigureAwait(false);
        await summaryWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static CsvInteractionWriter CreateFile(string path, InteractionGenerator generator)
    {
        CommandFiles.RequireOutput(path, "--output");
        try
        {
            // A new folder for a generated log is what `--output samples/log.csv` asks for, as `dotnet publish -o` does.
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
                Directory.CreateDirectory(directory);
            return CsvInteractionWriter.Create(path, generator.AttributeColumns);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw CliException.Failure($"cannot create the output file '{path}': {e.Message}", e);
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
            // The original error is the one to report; a leftover partial file is the lesser problem.
        }
    }

    private static long ParseRows(ArgumentResult result)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0)
            return value;
        result.AddError($"--rows must be a whole number greater than 0, not '{token}'.");
        return 0;
    }

    private static DateOnly? ParseStart(ArgumentResult result)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (DateOnly.TryParseExact(token, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) && value.Year <= 9000)
            return value;
        result.AddError($"--start must be a date as YYYY-MM-DD (before the year 9000), not '{token}'.");
        return null;
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}
