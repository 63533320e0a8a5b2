using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using CallStream.Cli.Connections;
using CallStream.Cli.Logging;
using CallStream.Cli.Progress;
using CallStream.Cli.Topology;
using CallStream.Kafka;
using CallStream.Mongo;
using CallStream.Ndjson;
using CallStream.Pipeline;
using CallStream.Rules;
using Microsoft.Extensions.Logging;

namespace CallStream.Cli.Commands;

/// <summary>
/// <c>callstream consume [--kafka HOSTS] [--topic T] [--group G] [--rules FILE] [--alerts OUT] [--mongo URI]
/// [--event-time start|end] [--lateness D] [--idle-timeout D] [--max-messages N] [--idle-exit D]</c>: the seed's consumer. Reads the topic as a member of a
/// consumer group, runs the rules in event time and writes the alerts (NDJSON file and/or MongoDB, both idempotent
/// by alert id) and, with MongoDB, the interactions; at least once, resuming from the committed offsets. Runs until
/// Ctrl+C or SIGTERM (a graceful stop: drain, flush, commit), or until <c>--max-messages</c> / <c>--idle-exit</c>.
/// </summary>
internal static class ConsumeCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Builds the command.</summary>
    /// <param name="context">The surroundings it runs in.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var kafka = KafkaConnection.CreateBrokersOption();
        var topic = KafkaConnection.CreateTopicOption();
        var settings = KafkaConnection.CreateSettingsOption();
        // Defaults are applied below rather than with DefaultValueFactory, whose value --help would print a second
        // time after the description's, and in its own notation (00:00:05 for 5s).
        var group = new Option<string?>("--group")
        {
            Description = $"The consumer group; its committed offsets are where reading resumes. [default: {KafkaSourceOptions.DefaultGroupId}]",
            HelpName = "GROUP",
        };
        var rules = new Option<string?>("--rules")
        {
            Description = $"The rule file; without it (or with '{RuleLoader.DefaultName}') the built-in default rules.",
            HelpName = "FILE",
        };
        var alerts = new Option<string?>("--alerts")
        {
            Description = "Appends the alerts as NDJSON to this file; alerts already in it are not written again (idempotent by alert id across restarts).",
            HelpName = "OUT",
        };
        alerts.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string?>();
            if (value == "-" || (value is not null && string.IsNullOrWhiteSpace(value)))
                result.AddError("--alerts needs a file (not standard output): alerts are appended to it and kept unique by id across restarts.");
        });
        var mongo = MongoConnection.CreateOption("the alerts (collection 'alerts') and the interactions (collection 'interactions')");
        var defaultLateness = new EventOrderingOptions().AllowedLateness;
        var lateness = new Option<TimeSpan?>("--lateness")
        {
            Description = $"The allowed lateness of the event-time ordering, e.g. 5s, 2m. [default: {DurationText.Format(defaultLateness)}]",
            HelpName = "DURATION",
            CustomParser = r => OptionParsers.ParseDuration(r, "--lateness", allowZero: true),
        };
        var eventTime = OptionParsers.EventTimeOption();
        var defaultIdleTimeout = new InteractionPipelineOptions().IdleTimeout;
        var idleTimeout = new Option<TimeSpan?>("--idle-timeout")
        {
            Description = $"How long a partition read to its end waits before it stops holding the event-time watermark back. [default: {DurationText.Format(defaultIdleTimeout)}]",
            HelpName = "DURATION",
            CustomParser = r => OptionParsers.ParseDuration(r, "--idle-timeout", allowZero: true),
        };
        var maxMessages = new Option<long?>("--max-messages")
        {
            Description = "Stops gracefully once this many messages were consumed in this run (for scripts and tests).",
            HelpName = "N",
            CustomParser = r => OptionParsers.ParseWholeNumber(r, "--max-messages"),
        };
        var idleExit = new Option<TimeSpan?>("--idle-exit")
        {
            Description = "Once every assigned partition has been read to its end and nothing new arrived for this long (e.g. 5s), treats the input as complete: evaluates the events still held for the watermark, as replay does at the end of a file, stores everything, commits and exits (for scripts and tests).",
            HelpName = "DURATION",
            CustomParser = r => OptionParsers.ParseDuration(r, "--idle-exit", allowZero: false),
        };
        var command = new Command("consume", "Consumes a Kafka topic through the rules: alerts to NDJSON and/or MongoDB (idempotent), interactions to MongoDB; at least once, resumes from committed offsets. Ctrl+C stops gracefully.")
        {
            kafka,
            topic,
            settings,
            group,
            rules,
            alerts,
            mongo,
            eventTime,
            lateness,
            idleTimeout,
            maxMessages,
            idleExit,
        };
        CommandAction.Set(command, context, (parseResult, cancellationToken) => RunAsync(
            context,
            KafkaConnection.Resolve(context, parseResult.GetValue(kafka), parseResult.GetValue(topic)!, parseResult.GetValue(settings)),
            new ConsumeSettings(
                parseResult.GetValue(group) ?? KafkaSourceOptions.DefaultGroupId,
                parseResult.GetValue(rules),
                parseResult.GetValue(alerts),
                parseResult.GetValue(mongo),
                parseResult.GetValue(lateness) ?? defaultLateness,
                parseResult.GetValue(idleTimeout) ?? defaultIdleTimeout,
                parseResult.GetValue(maxMessages),
                parseResult.GetValue(idleExit))
            {
                EventTime = parseResult.GetValue(eventTime) ?? EventTimeMode.Start,
            },
            cancellationToken));
        return command;
    }

    /// <summary>Runs the command.</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="kafka">Where to consume from.</param>
    /// <param name="settings">The other options.</param>
    /// <param name="cancellationToken">Ctrl+C / SIGTERM: stops gracefully.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliContext context, KafkaConnection kafka, ConsumeSettings settings, CancellationToken cancellationToken)
    {
        var ruleSet = await RuleLoader.LoadAsync(context, settings.Rules, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(settings.GroupId))
            throw CliException.InvalidInput("--group must not be empty.");
        if (settings.Alerts is not null)
            CommandFiles.RequireOutput(settings.Alerts, "--alerts");
        using var store = await MongoConnection.OpenAsync(context, settings.Mongo, "consume", cancellationToken).ConfigureAwait(false);
        if (settings.Alerts is null && store is null)
            await context.Error.WriteLineAsync("consume: neither --alerts nor --mongo given: alerts are only counted.").ConfigureAwait(false);
        await context.Error.WriteLineAsync($"consume: {kafka.Describe()}, group {settings.GroupId}; Ctrl+C stops gracefully.").ConfigureAwait(false);

        var progress = new ProgressReporter(context.Error, context.Time, context.ErrorIsTerminal, "consume", null, "messages");
        var idle = settings.IdleExit is { } idleTime ? new IdleWatch(idleTime) : null;
        using var logging = new StandardErrorLoggerFactory(context.Error, "consume");
        ConsumeResult result;
        try
        {
            result = await ConsumeAsync(
                context,
                new ConsumeRun(kafka, settings.GroupId, ruleSet, settings.Lateness, settings.Alerts, store) { EventTime = settings.EventTime, IdleTimeout = settings.IdleTimeout, LoggerFactory = logging, MaxMessages = settings.MaxMessages },
                status => idle is not null && idle.IsIdle(status) ? ConsumeStop.CompleteInput : ConsumeStop.None,
                progress,
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress.Complete();
        }

        await context.Out.WriteLineAsync(Summarize("consume", kafka, result, settings.Alerts, store)).ConfigureAwait(false);
        await context.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Consumes through the rules until <paramref name="stopWhen"/> says so or <paramref name="stoppingToken"/>
    /// is cancelled, then stops gracefully: the work of <c>consume</c>, also used by <c>demo</c>.</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="run">What to consume and where to write.</param>
    /// <param name="stopWhen">Checked every 100 ms with the topology's status: whether to go on, stop gracefully, or declare
    /// the input complete (evaluate what the watermark holds, as at the end of a replay, then stop).</param>
    /// <param name="progress">Where progress (messages consumed) is reported, or <see langword="null"/>.</param>
    /// <param name="stoppingToken">Stops gracefully (Ctrl+C).</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="CliException">Invalid settings (exit code 2) or a failure of the source or a sink (exit code 1).</exception>
    public static async Task<ConsumeResult> ConsumeAsync(
        CliContext context,
        ConsumeRun run,
        Func<TopologyStatus, ConsumeStop> stopWhen,
        ProgressReporter? progress,
        CancellationToken stoppingToken)
    {
        long started = context.Time.GetTimestamp();
        NdjsonAlertSink? ndjson = null;
        ConsumerTopology? topology = null;
        bool succeeded = false;
        try
        {
            ndjson = run.AlertsPath is null ? null : OpenAlertFile(run.AlertsPath);
            var alertSinks = new List<(string, IBatchedSink<Alert>)>();
            var interactionSinks = new List<(string, IBatchedSink<Interaction>)>();
            if (ndjson is not null)
                alertSinks.Add((FileSinkName(run.AlertsPath!), ndjson));
            if (run.Store is { } store)
            {
                alertSinks.Add((MongoAlertSinkName(store), new MongoAlertSink(store)));
                interactionSinks.Add(("mongo:" + store.InteractionsCollectionName, new MongoInteractionSink(store)));
            }
            if (run.ExtraInteractionSink is { } extra)
                interactionSinks.Add((extra.Name, extra.Sink));
            var settings = new TopologySettings(run.Kafka, run.GroupId, run.Rules)
            {
                Members = run.Members,
                WholeGroup = run.SourcePartitions is not null,
                EventTime = run.EventTime,
                Lateness = run.Lateness,
                IdleTimeout = run.IdleTimeout,
                BaseSettings = run.BaseSettings,
                LoggerFactory = run.LoggerFactory,
                MaxMessages = run.MaxMessages,
                AlertSinks = alertSinks,
                InteractionSinks = interactionSinks,
            };
            try
            {
                topology = await ConsumerTopology.StartAsync(settings, stoppingToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw KafkaConnection.InvalidOption(e);
            }
            catch (InvalidOperationException e)
            {
                throw CliException.Failure($"Kafka ({run.Kafka.Describe()}): {e.Message}", e);
            }

            var limited = topology.Limited;
            bool stopping = false;
            while (topology.Running)
            {
                await Task.WhenAny(topology.AnyEnded(), limited?.Reached ?? topology.AnyEnded(), Task.Delay(PollInterval, TimeProvider.System, CancellationToken.None)).ConfigureAwait(false);
                var statistics = topology.GetStatistics();
                progress?.Report(statistics.Consumed);
                if (stopping)
                    continue;
                if (stoppingToken.IsCancellationRequested || limited is { Reached.IsCompleted: true })
                {
                    stopping = true;
                    await topology.StopAsync().ConfigureAwait(false);
                    continue;
                }
                switch (stopWhen(new TopologyStatus(statistics, topology.AssignedNone, topology.AtEnd(), topology.Activity(), run.SourcePartitions is { } expected && topology.Settled(expected))))
                {
                    case ConsumeStop.Stop:
                        stopping = true;
                        await topology.StopAsync().ConfigureAwait(false);
                        break;
                    case ConsumeStop.CompleteInput:
                        stopping = true;
                        topology.Complete();
                        break;
                }
            }
            var (inputCompleted, final) = await topology.WaitAsync().ConfigureAwait(false);
            succeeded = true;
            var elapsed = context.Time.GetElapsedTime(started);
            return new ConsumeResult(final, new PipelineSummary(final, elapsed, inputCompleted), ndjson?.DuplicatesSuppressed ?? 0, elapsed);
        }
        catch (SinkWriteException e) when (run.AlertsPath is { } path && e.SinkName == FileSinkName(path) && e.InnerException is IOException io)
        {
            string failure = Output.OutputWriteException.ForFile(run.AlertsOption, path, io).Message;
            throw CliException.Failure($"{failure} (after {e.Attempts} attempts); nothing was committed past what it had not stored.", e);
        }
        catch (SinkWriteException e)
        {
            throw CliException.Failure($"a sink failed, nothing was committed past what it had not stored: {e.Message}", e);
        }
        catch (Confluent.Kafka.KafkaException e) when (e.Error.Code == Confluent.Kafka.ErrorCode.Local_AllBrokersDown)
        {
            throw CliException.Failure(e.Message, e); // names the servers tried
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            throw CliException.Failure($"Kafka ({run.Kafka.Describe()}): {e.Message}", e);
        }
        finally
        {
            if (topology is not null)
                await topology.DisposeAsync().ConfigureAwait(false);
            if (ndjson is not null)
            {
                try
                {
                    await ndjson.DisposeAsync().ConfigureAwait(false);
                }
                catch (IOException) when (!succeeded)
                {
                    // The run already failed on this file (a full disk): that failure is the one to report.
                }
            }
        }
    }

    /// <summary>Formats the one-line summary of a consume run.</summary>
    /// <param name="label">The command's name.</param>
    /// <param name="kafka">Where it consumed from.</param>
    /// <param name="result">What it did.</param>
    /// <param name="alertsPath">The NDJSON alert file, or <see langword="null"/>.</param>
    /// <param name="store">The MongoDB store, or <see langword="null"/>.</param>
    /// <returns>The line.</returns>
    internal static string Summarize(string label, KafkaConnection kafka, ConsumeResult result, string? alertsPath, MongoStore? store)
    {
        var s = result.Statistics;
        var invariant = CultureInfo.InvariantCulture;
        // Each store says how many of the alerts it already held, counted by the store that was written.
        var targets = new List<string>();
        if (alertsPath is not null)
            targets.Add(alertsPath + AlreadyStored(s, FileSinkName(alertsPath)));
        if (store is not null)
            targets.Add($"MongoDB {store.Endpoint} {store.DatabaseName}.{store.AlertsCollectionName}" + AlreadyStored(s, MongoAlertSinkName(store)));
        string to = targets.Count == 0 ? "counted only" : "to " + string.Join(" and ", targets);
        string refused = string.Concat(s.Sinks.Where(k => k.Rejected > 0).Select(k => string.Create(invariant, $"; {k.Rejected} {k.Kind} refused for good by {k.Name} (not stored, see the errors above)")));
        return string.Create(
            invariant,
            $"{label}: {s.Consumed} messages consumed from {kafka.Describe()} ({s.DeadLettered} dead-lettered, {s.WarmUpEvents} re-read to warm up, {s.Late} late{ReplayCommand.DuplicatesSkipped(s.Duplicates)}); "
            + $"{s.Alerts} alerts {to}{refused} in {result.Elapsed.TotalSeconds:0.00} s "
            + $"({ProgressReporter.FormatRate(s.Consumed, result.Elapsed)} msgs/s).");
    }

    private static string FileSinkName(string path) => "ndjson:" + Path.GetFileName(path);

    private static string MongoAlertSinkName(MongoStore store) => "mongo:" + store.AlertsCollectionName;

    private static string AlreadyStored(PipelineStatistics statistics, string sinkName) =>
        statistics.Sinks.FirstOrDefault(k => k.Name == sinkName)?.AlreadyStored is { } count
            ? string.Create(CultureInfo.InvariantCulture, $" ({count} already stored)")
            : "";

    private static NdjsonAlertSink OpenAlertFile(string path)
    {
        try
        {
            return new NdjsonAlertSink(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CliException.Failure($"--alerts: cannot open '{path}': {e.Message}", e);
        }
    }

    /// <summary>Tells when every assigned partition has been read to its end (or the group assigned none) and nothing was
    /// consumed for a while (wall time).</summary>
    private sealed class IdleWatch(TimeSpan idleFor)
    {
        private long _lastCount = -1;
        private long _since = TimeProvider.System.GetTimestamp();

        public bool IsIdle(TopologyStatus status)
        {
            long count = status.Activity;
            bool atEnd = status.AtEnd && (status.AssignedNone || status.Statistics.Partitions.Count > 0);
            if (count != _lastCount || !atEnd)
            {
                _lastCount = count;
                _since = TimeProvider.System.GetTimestamp();
                return false;
            }
            return TimeProvider.System.GetElapsedTime(_since) >= idleFor;
        }
    }

    /// <summary>The options of <c>consume</c> besides the Kafka connection.</summary>
    /// <param name="GroupId">The consumer group.</param>
    /// <param name="Rules">The rule file, <c>default</c> or <see langword="null"/>.</param>
    /// <param name="Alerts">The NDJSON alert file, or <see langword="null"/>.</param>
    /// <param name="Mongo">The <c>--mongo</c> value, or <see langword="null"/>.</param>
    /// <param name="Lateness">The allowed lateness.</param>
    /// <param name="IdleTimeout">How long a caught-up partition holds the watermark.</param>
    /// <param name="MaxMessages">Stop after this many messages, or <see langword="null"/>.</param>
    /// <param name="IdleExit">Stop after being idle at the end of every partition this long, or <see langword="null"/>.</param>
    internal sealed record ConsumeSettings(string GroupId, string? Rules, string? Alerts, string? Mongo, TimeSpan Lateness, TimeSpan IdleTimeout, long? MaxMessages, TimeSpan? IdleExit)
    {
        /// <summary>Gets which instant is the event time (<c>--event-time</c>).</summary>
        public EventTimeMode EventTime { get; init; }
    }
}

/// <summary>What a consume run reads and where it writes.</summary>
/// <param name="Kafka">The topic and brokers.</param>
/// <param name="GroupId">The consumer group.</param>
/// <param name="Rules">The rules.</param>
/// <param name="Lateness">The allowed lateness.</param>
/// <param name="AlertsPath">The NDJSON alert file, or <see langword="null"/>.</param>
/// <param name="Store">The MongoDB store, or <see langword="null"/>.</param>
internal sealed record ConsumeRun(KafkaConnection Kafka, string GroupId, RuleSet Rules, TimeSpan Lateness, string? AlertsPath, MongoStore? Store)
{
    /// <summary>Gets which instant is the event time.</summary>
    public EventTimeMode EventTime { get; init; }

    /// <summary>Gets how long a caught-up partition waits before it stops holding the watermark back.</summary>
    public TimeSpan IdleTimeout { get; init; } = new InteractionPipelineOptions().IdleTimeout;

    /// <summary>Gets how many members of the group run in this process (the demo's <c>--consumers</c>). Default 1.</summary>
    public int Members { get; init; } = 1;

    /// <summary>Gets the source topic's partition count when the caller knows it (the demo), for <see cref="TopologyStatus.Settled"/>.</summary>
    public int? SourcePartitions { get; init; }

    /// <summary>Gets librdkafka settings applied before the user's (the demo's tuning), or <see langword="null"/>.</summary>
    public IEnumerable<KeyValuePair<string, string>>? BaseSettings { get; init; }

    /// <summary>Gets where the Kafka source and the pipeline log, or <see langword="null"/>.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Gets how many messages to consume before stopping gracefully (exactly that many: later ones are left for
    /// the next run), or <see langword="null"/> for no limit.</summary>
    public long? MaxMessages { get; init; }

    /// <summary>Gets a further interaction sink (the demo's reconciliation), or <see langword="null"/>.</summary>
    public (string Name, IBatchedSink<Interaction> Sink)? ExtraInteractionSink { get; init; }

    /// <summary>Gets the option that named the alerts file, for messages (the demo's is its <c>--output</c> directory).</summary>
    public string AlertsOption { get; init; } = "--alerts";
}

/// <summary>What a consume run's topology looks like, every 100 ms.</summary>
/// <param name="Statistics">The pipelines' figures added up (<see cref="ConsumerTopology.GetStatistics"/>).</param>
/// <param name="AssignedNone">Whether the group's latest assignment gave this process no source partition at all.</param>
/// <param name="AtEnd">Whether everything read so far has gone all the way through (<see cref="ConsumerTopology.AtEnd"/>).</param>
/// <param name="Activity">Records read or forwarded so far: when it stops changing, nothing moves.</param>
/// <param name="Settled">Whether every group of the topology has settled (<see cref="ConsumerTopology.Settled"/>); only known
/// when the run was told the source topic's partition count (<see cref="ConsumeRun.SourcePartitions"/>).</param>
internal sealed record TopologyStatus(PipelineStatistics Statistics, bool AssignedNone, bool AtEnd, long Activity, bool Settled);

/// <summary>What a consume run does next, decided every 100 ms from the topology's status.</summary>
internal enum ConsumeStop
{
    /// <summary>Goes on.</summary>
    None,

    /// <summary>Stops gracefully; events held for the watermark are read again by the next run.</summary>
    Stop,

    /// <summary>Declares the input complete: evaluates the held events as at the end of a replay, stores everything, commits and stops.</summary>
    CompleteInput,
}

/// <summary>What a consume run did.</summary>
/// <param name="Statistics">The pipeline's final statistics.</param>
/// <param name="Summary">The pipeline's summary.</param>
/// <param name="DuplicatesSuppressed">Alerts the NDJSON file already held.</param>
/// <param name="Elapsed">The time it took.</param>
internal sealed record ConsumeResult(PipelineStatistics Statistics, PipelineSummary Summary, long DuplicatesSuppressed, TimeSpan Elapsed);
