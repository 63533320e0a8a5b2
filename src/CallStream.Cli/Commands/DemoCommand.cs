using System.Diagnostics;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using CallStream.Cli.Connections;
using CallStream.Cli.Demo;
using CallStream.Cli.Logging;
using CallStream.Cli.Progress;
using CallStream.Cli.Topology;
using CallStream.Csv;
using CallStream.Generation;
using CallStream.Json;
using CallStream.Insights;
using CallStream.Kafka;
using CallStream.Pipeline;
using CallStream.Rules;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CallStream.Cli.Commands;

/// <summary>
/// <c>callstream demo [--output DIR] [--rows N] [--seed S] [--partitions P] [--event-time start|end] [--chaos] [--sequential] [--timeout D]</c>: the zero
/// set-up tour. Generates a log, starts an in-process Kafka cluster (3 brokers, <c>consumerdata</c> with several
/// partitions), produces the log while a consumer runs it through the default rules, and checks the outcome: every
/// row produced and consumed, and alerts identical to an in-process replay of the same file and rules. With
/// <c>--event-time end</c> the log is written in end order, as a live feed delivers it, and both the consumer and the
/// replay take end times as event times. With
/// <c>--chaos</c> brokers go down and come back, leaders and the coordinator move and requests fail meanwhile.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The default output directory.</summary>
    public const string DefaultOutput = "callstream-demo";

    /// <summary>The default number of rows.</summary>
    public const long DefaultRows = 200_000;

    private const int DefaultPartitions = 8;
    private const int Brokers = 3;
    private const string GroupId = "callstream-demo";

    /// <summary>
    /// How long a partition read to its end holds the watermark. The producer has one batch in flight: while part of it
    /// waits for a broker that is down (or slow), every partition may be read to its end, and with the default 1 s they
    /// would all go idle and let the watermark pass the waiting records, which then arrive late. The demo's input is
    /// bounded: its end is declared when everything is read, so a long idle timeout costs nothing.
    /// </summary>
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long producing waits at most for the consumers' groups to settle.</summary>
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Client settings for the loopback cluster: quick reconnects and retries (as <see cref="InProcessKafkaCluster.CreateProducerConfig"/>).</summary>
    private static readonly KeyValuePair<string, string>[] LoopbackTuning =
    [
        new("reconnect.backoff.ms", "10"), new("reconnect.backoff.max.ms", "250"),
        new("retry.backoff.ms", "10"), new("retry.backoff.max.ms", "250"),
    ];

    /// <summary>The producer's: the same, plus LZ4. The in-process cluster keeps only about 5 MB per partition, which
    /// 200,000 uncompressed interactions in 8 partitions exceed (about 45 MB); only the demo reads its topic.</summary>
    private static readonly KeyValuePair<string, string>[] ProducerTuning =
    [
        .. LoopbackTuning,
        new("compression.type", "lz4"),
    ];

    /// <summary>The consumer's: quick reconnects and heartbeats; the session outlives the chaos's broker outages.</summary>
    private static readonly KeyValuePair<string, string>[] ConsumerTuning =
    [
        .. LoopbackTuning,
        new("heartbeat.interval.ms", "500"), new("session.timeout.ms", "10000"),
    ];

    /// <summary>Builds the command.</summary>
    /// <param name="context">The surroundings it runs in.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        // Defaults are applied below rather than with DefaultValueFactory, whose value --help would print a second
        // time after the description's, and in its own notation (00:10:00 for 10m).
        long defaultSeed = new InteractionGeneratorOptions().Seed;
        var output = new Option<string?>("--output")
        {
            Description = $"The directory to write interactions.csv, default.rules, alerts.ndjson, report.html and summary.json to. [default: ./{DefaultOutput}]",
            HelpName = "DIR",
        };
        var rows = new Option<long?>("--rows")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"How many interactions to generate. [default: {DefaultRows}]"),
            HelpName = "N",
            CustomParser = r => OptionParsers.ParseWholeNumber(r, "--rows", 1, 50_000_000),
        };
        var seed = new Option<long?>("--seed")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"The seed of the generated log (and of the chaos schedule). [default: {defaultSeed}]"),
            HelpName = "S",
            CustomParser = r => OptionParsers.ParseSeed(r),
        };
        var partitions = new Option<int?>("--partitions")
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"The partitions of the consumerdata topic. [default: {DefaultPartitions}]"),
            HelpName = "P",
            CustomParser = r => (int)OptionParsers.ParseWholeNumber(r, "--partitions", 1, 256),
        };
        var consumers = new Option<int?>("--consumers")
        {
            Description = "How many consumers of one group share the topic, each with its share of the partitions; rules grouped by another field than the customer meet through repartition topics. [default: 1]",
            HelpName = "N",
            CustomParser = r => (int)OptionParsers.ParseWholeNumber(r, "--consumers", 1, 16),
        };
        var processes = new Option<bool>("--processes")
        {
            Description = "Runs each consumer as its own OS process (callstream consume), as a deployment does; with --chaos, consumers are also killed (SIGKILL) and started again.",
        };
        var eventTime = OptionParsers.EventTimeOption();
        eventTime.Description += " With end, the log is generated in end order, as a live feed delivers it.";
        var chaos = new Option<bool>("--chaos")
        {
            Description = "Meanwhile takes brokers down and up, moves partition leaders and the group coordinator, and makes produce, fetch and commit requests fail.",
        };
        var sequential = new Option<bool>("--sequential")
        {
            Description = "Produces everything first and consumes afterwards, to measure each side alone (the in-process cluster keeps only about 5 MB per partition: keep --rows moderate).",
        };
        var timeout = new Option<TimeSpan?>("--timeout")
        {
            Description = $"Fails if consuming has not caught up with producing within this time. [default: {DurationText.Format(DefaultTimeout)}]",
            HelpName = "DURATION",
            CustomParser = r => OptionParsers.ParseDuration(r, "--timeout", allowZero: false),
        };
        var command = new Command(
            "demo",
            "Zero set-up tour: generates a log, produces it to an in-process Kafka cluster, consumes it through the default rules, "
            + "checks the alerts against an in-process replay and writes everything to ./callstream-demo/. No server needed.")
        {
            output,
            rows,
            seed,
            partitions,
            consumers,
            processes,
            eventTime,
            chaos,
            sequential,
            timeout,
        };
        CommandAction.Set(command, context, (parseResult, cancellationToken) => RunAsync(
            context,
            new DemoSettings(
                parseResult.GetValue(output) ?? DefaultOutput,
                parseResult.GetValue(rows) ?? DefaultRows,
                parseResult.GetValue(seed) ?? defaultSeed,
                parseResult.GetValue(partitions) ?? DefaultPartitions,
                parseResult.GetValue(chaos),
                parseResult.GetValue(sequential),
                parseResult.GetValue(timeout) ?? DefaultTimeout)
            {
                EventTime = parseResult.GetValue(eventTime) ?? EventTimeMode.Start,
                Consumers = parseResult.GetValue(consumers) ?? 1,
                Processes = parseResult.GetValue(processes),
            },
            cancellationToken));
        return command;
    }

    /// <summary>Runs the demo.</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="settings">The options.</param>
    /// <param name="cancellationToken">Cancels the demo.</param>
    /// <returns>The exit code: 0 when everything reconciles, 1 otherwise.</returns>
    public static async Task<int> RunAsync(CliContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        var invariant = CultureInfo.InvariantCulture;
        var time = context.Time;
        long started = time.GetTimestamp();
        var files = DemoFiles.Create(settings.Output);
        bool overwriting = files.Existing().Any();
        string label = settings.Chaos ? "demo --chaos" : "demo";

        // 1. The log and the rules.
        bool endOrder = settings.EventTime == EventTimeMode.End;
        await context.Error.WriteLineAsync(string.Create(invariant, $"{label}: generating {settings.Rows} interactions{(endOrder ? " in end order" : "")} to {ConsoleText.Escape(files.Interactions)}")).ConfigureAwait(false);
        long step = time.GetTimestamp();
        var generator = new InteractionGenerator(new InteractionGeneratorOptions { Seed = settings.Seed });
        await WriteLogAsync(generator, settings.Rows, endOrder ? GenerationOrder.End : GenerationOrder.Start, files.Interactions, cancellationToken).ConfigureAwait(false);
        var generateTime = time.GetElapsedTime(step);
        await WriteFileAsync(files.Rules, () => File.WriteAllTextAsync(files.Rules, DefaultRules.Text, cancellationToken)).ConfigureAwait(false);
        var ruleSet = RuleText.Parse(DefaultRules.Text, files.Rules).RuleSet
            ?? throw CliException.Failure("the built-in default rules do not parse (a bug).");
        File.Delete(files.Alerts); // the NDJSON sink keeps what a file holds; the demo starts afresh

        // 2. The cluster.
        await using var cluster = DemoCluster.Start(Brokers);
        var kafka = KafkaConnection.Resolve(context, cluster.BootstrapServers, KafkaSinkOptions.DefaultInteractionsTopic, null);
        cluster.CreateTopic(kafka.Topic, settings.Partitions, Brokers);
        cluster.CreateTopic(kafka.Topic + KafkaSourceOptions.DeadLetterSuffix, 1, Brokers);
        // The mock cluster cannot create topics on request, as the consumers do on a real cluster.
        cluster.CreateTopic(GroupId + KafkaSourceOptions.ProgressSuffix, 1, Brokers);
        DemoCluster.CreateRepartitionTopics(cluster, GroupId, ruleSet, settings.Partitions, Brokers);
        await context.Error.WriteLineAsync(string.Create(invariant, $"{label}: in-process Kafka cluster of {Brokers} brokers at {cluster.BootstrapServers}, topic {kafka.Topic} with {settings.Partitions} partitions")).ConfigureAwait(false);

        // 3. Consume alongside producing (the in-process cluster keeps only about 5 MB per partition), with or without chaos.
        // Warnings on standard error, except under chaos, where failures are the point (the summary counts them).
        using var logging = new StandardErrorLoggerFactory(context.Error, label, settings.Chaos ? LogLevel.Critical : LogLevel.Warning);
        var tally = new InteractionTally();
        long produced = -1;
        var consumeRun = new ConsumeRun(kafka, GroupId, ruleSet, new EventOrderingOptions().AllowedLateness, files.Alerts, null)
        {
            BaseSettings = ConsumerTuning,
            LoggerFactory = logging,
            IdleTimeout = IdleTimeout,
            EventTime = settings.EventTime,
            Members = settings.Consumers,
            SourcePartitions = settings.Partitions,
            ExtraInteractionSink = ("reconciliation", tally),
            AlertsOption = "--output",
        };
        using var chaosStop = new CancellationTokenSource();
        var chaos = settings.Chaos ? new ChaosSchedule(cluster, kafka.Topic, settings.Partitions, GroupId, unchecked((int)settings.Seed), TimeProvider.System) : null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        var progress = new ProgressReporter(context.Error, time, context.ErrorIsTerminal, label + ": consumed", settings.Rows, "messages");
        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ConsumeStop Done(TopologyStatus status)
        {
            if (status.Settled)
                settled.TrySetResult();
            var statistics = status.Statistics;
            long target = Interlocked.Read(ref produced);
            if (target < 0 || statistics.Consumed + statistics.DeadLettered < target)
                return ConsumeStop.None;
            // Every acknowledged record has been read: heal the cluster, so that every partition can be confirmed read to
            // its end (a partition whose leader is down is not) and the final commit goes through.
            if (!chaosStop.IsCancellationRequested)
                chaosStop.Cancel();
            return statistics.Partitions.Select(p => p.Partition).Distinct().Count() == settings.Partitions && status.AtEnd
                ? ConsumeStop.CompleteInput
                : ConsumeStop.None;
        }

        ConsumerProcesses? children = null;
        Task<ConsumeResult> StartConsuming()
        {
            if (!settings.Processes)
                return ConsumeCommand.ConsumeAsync(context, consumeRun, Done, progress, deadline.Token);
            children = new ConsumerProcesses(settings.Consumers, DemoProcesses.ChildArguments(kafka, settings, GroupId, IdleTimeout, ConsumerTuning), files.Directory);
            settled.TrySetResult(); // children join while the rows arrive: a hand-over re-reads, the alerts stay the same
            return DemoProcesses.RunAsync(
                children, kafka, settings, GroupId, IdleTimeout, ConsumerTuning, files, () => Interlocked.Read(ref produced) >= 0,
                () => DemoCluster.CountCommitted(cluster, kafka.Topic, settings.Partitions, GroupId) >= DemoCluster.CountTopicRecords(cluster, kafka.Topic, settings.Partitions, GroupId + "-audit"),
                chaosStop,
                deadline.Token);
        }

        step = time.GetTimestamp();
        Task<ConsumeResult>? consuming = settings.Sequential ? null : StartConsuming();
        var chaosRun = chaos?.RunAsync(chaosStop.Token) ?? Task.CompletedTask;
        ProduceCommand.ProduceResult produce;
        try
        {
            if (consuming is not null)
            {
                // The consumers' groups settle first, as a running deployment has: rows arriving meanwhile would be read
                // partly twice after the hand-overs (the duplicates are dropped, but the counts would say so).
                await Task.WhenAny(settled.Task, consuming, Task.Delay(SettleTimeout, time, deadline.Token)).ConfigureAwait(false);
                if (consuming.IsFaulted)
                    await consuming.ConfigureAwait(false);
            }
            var quiet = new ProgressReporter(TextWriter.Null, time, false, "produce", null, "rows");
            produce = await ProduceCommand.ProduceAsync(context, files.Interactions, kafka, null, strict: false, ProducerTuning, quiet, logging, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref produced, produce.Produced);
        }
        catch
        {
            await deadline.CancelAsync().ConfigureAwait(false);
            await chaosStop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(consuming ?? Task.CompletedTask, chaosRun).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }
        if (consuming is null)
        {
            step = time.GetTimestamp(); // --sequential: the consumer's time alone
            consuming = StartConsuming();
        }
        ConsumeResult consumed;
        try
        {
            consumed = await consuming.ConfigureAwait(false);
        }
        finally
        {
            progress.Complete();
            await chaosStop.CancelAsync().ConfigureAwait(false);
            await chaosRun.ConfigureAwait(false);
        }
        var pipelineTime = time.GetElapsedTime(step);
        cancellationToken.ThrowIfCancellationRequested();
        long topicRecords = DemoCluster.CountTopicRecords(cluster, kafka.Topic, settings.Partitions, GroupId + "-audit");
        if (children is not null)
        {
            // The children's interactions are not in this process: every record committed by the group was read and its
            // outputs stored; the report shows the rows of the log.
            await DemoProcesses.FillTallyAsync(tally, files.Interactions, cancellationToken).ConfigureAwait(false);
        }
        long consumedDistinct = children is null ? tally.Distinct : DemoCluster.CountCommitted(cluster, kafka.Topic, settings.Partitions, GroupId);

        // 4. The reference: an in-process replay of the same file and rules.
        step = time.GetTimestamp();
        var expected = await ReplayAsync(files.Interactions, ruleSet, settings.EventTime, cancellationToken).ConfigureAwait(false);
        var replayTime = time.GetElapsedTime(step);
        var stored = AlertComparison.ReadFile(files.Alerts);
        var comparison = AlertComparison.Compare(expected, stored);

        // 5. The insights report of what was consumed and stored.
        var reportFiles = new ReportCommand.ReportFiles(files.Report);
        var figures = new InsightsAccumulator(ReportCommand.CreateOptions(
            context, "callstream demo: " + Path.GetFileName(files.Interactions) + " through an in-process Kafka cluster", reportFiles));
        tally.AddTo(figures);
        var storedOnce = new Dictionary<string, Alert>(StringComparer.Ordinal); // an alert stored twice counts once, as in a store
        foreach (var alert in stored)
            storedOnce[alert.AlertId] = alert;
        foreach (var alert in storedOnce.Values)
            figures.Add(alert, tally.Find(alert.InteractionId));
        var report = ReportCommand.Write(figures.ToFigures(), reportFiles);

        var totalTime = time.GetElapsedTime(started);
        var s = consumed.Statistics;
        bool reconciled = produce.Rejected == 0 && produce.Produced == settings.Rows && topicRecords == produce.Produced
            && consumedDistinct == produce.Produced && comparison.Identical;
        var summary = new DemoSummary(
            settings, produce, consumed, consumedDistinct, tally.Delivered, topicRecords, expected.Count, comparison, chaos,
            generateTime, pipelineTime, replayTime, totalTime, reconciled);
        await WriteFileAsync(files.Summary, () => summary.WriteJsonAsync(files.Summary, cancellationToken)).ConfigureAwait(false);

        var output = context.Out;
        await output.WriteLineAsync(string.Create(
            invariant,
            $"{label}: {settings.Rows} rows generated -> {produce.Produced} produced (acknowledged, {ProgressReporter.FormatRate(produce.Produced, produce.Elapsed)} rows/s) -> "
            + $"{topicRecords} records on {kafka.Topic} ({settings.Partitions} partitions, {Brokers} brokers) -> {consumedDistinct} consumed "
            + $"({s.Consumed} deliveries, {s.DeadLettered} dead-lettered, {s.Late} late{ReplayCommand.DuplicatesSkipped(s.Duplicates)}, {ProgressReporter.FormatRate(s.Consumed, pipelineTime)} msgs/s) -> {s.Alerts} alerts.")).ConfigureAwait(false);
        if (chaos is not null)
            await output.WriteLineAsync($"{label}: chaos meanwhile: {chaos.Describe()}{(children is null ? "" : string.Create(invariant, $", {children.Kills} consumer processes killed (SIGKILL) and started again"))}.").ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(
            invariant,
            $"{label}: alerts in {ConsoleText.Escape(files.Alerts)} vs an in-process replay of {Path.GetFileName(files.Interactions)} with {Path.GetFileName(files.Rules)}: {comparison.Describe()}.")).ConfigureAwait(false);
        await output.WriteLineAsync(string.Create(
            invariant,
            $"{label}: {(reconciled ? "OK, nothing lost, nothing stored twice" : "FAILED: the counts or alerts do not reconcile")}: rows {settings.Rows} = produced {produce.Produced} = on topic {topicRecords} = consumed {consumedDistinct}; "
            + $"files in {ConsoleText.Escape(files.Directory)} (report.html: {report.Figures.Notes.Count} charts; summary.json); {totalTime.TotalSeconds:0.0} s in all.")).ConfigureAwait(false);
        if (overwriting)
            await output.WriteLineAsync($"{label}: overwrote the files of the previous demo in {ConsoleText.Escape(files.Directory)}{Path.DirectorySeparatorChar}.").ConfigureAwait(false);
        await output.WriteLineAsync($"{label}: next, open {ConsoleText.Escape(files.Report)} in a browser to see the insights report.").ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        if (!reconciled && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw CliException.Failure(string.Create(
                invariant,
                $"consuming did not catch up within --timeout {settings.Timeout.TotalSeconds:0} s: {consumedDistinct} of {produce.Produced} interactions consumed, {s.Held} events held."));
        }
        return reconciled ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task WriteLogAsync(InteractionGenerator generator, long rows, GenerationOrder order, string path, CancellationToken cancellationToken)
    {
        try
        {
            var writer = CsvInteractionWriter.Create(path, generator.AttributeColumns);
            await using (writer.ConfigureAwait(false))
            {
                foreach (var interaction in generator.Generate(rows, order))
                    writer.Write(interaction);
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Failure($"cannot write '{path}': {e.Message}", e);
        }
    }

    /// <summary>Writes one of the demo's files, naming it when that fails.</summary>
    private static async Task WriteFileAsync(string path, Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw Output.OutputWriteException.ForFile("--output", path, e);
        }
    }

    /// <summary>Runs the rules over the file in-process, as <c>replay</c> does, with the consumer's event time.</summary>
    private static async Task<List<Alert>> ReplayAsync(string path, RuleSet rules, EventTimeMode eventTime, CancellationToken cancellationToken)
    {
        var alerts = new List<Alert>();
        var replay = LogReplay.Open(path, new CsvReaderOptions { SourceName = path });
        await using (replay.ConfigureAwait(false))
            await replay.RunAsync(rules, new InteractionPipelineOptions { EventTime = eventTime, OnAlert = alerts.Add }, null, cancellationToken).ConfigureAwait(false);
        return alerts;
    }

    /// <summary>The options of the demo.</summary>
    /// <param name="Output">The output directory.</param>
    /// <param name="Rows">The number of rows.</param>
    /// <param name="Seed">The seed.</param>
    /// <param name="Partitions">The partitions of the topic.</param>
    /// <param name="Chaos">Whether faults are injected.</param>
    /// <param name="Sequential">Whether the consumer starts only after everything was produced.</param>
    /// <param name="Timeout">How long consuming may take.</param>
    internal sealed record DemoSettings(string Output, long Rows, long Seed, int Partitions, bool Chaos, bool Sequential, TimeSpan Timeout)
    {
        /// <summary>Gets which instant is the event time (<c>--event-time</c>); with end, the log is generated in end order.</summary>
        public EventTimeMode EventTime { get; init; }

        /// <summary>Gets how many consumers of the group share the topic (<c>--consumers</c>). Default 1.</summary>
        public int Consumers { get; init; } = 1;

        /// <summary>Gets whether each consumer runs as its own OS process (<c>--processes</c>).</summary>
        public bool Processes { get; init; }
    }
}
