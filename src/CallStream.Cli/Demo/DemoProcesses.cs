using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CallStream.Cli.Commands;
using CallStream.Cli.Connections;
using CallStream.Csv;
using CallStream.Json;
using CallStream.Pipeline;
using CallStream.Rules;

namespace CallStream.Cli.Demo;

/// <summary>The demo's <c>--processes</c> run: the children's arguments, the run with its kills and sweeps, and the merge
/// of their alert files.</summary>
internal static class DemoProcesses
{
    /// <summary>The arguments every child <c>consume</c> of <c>--processes</c> shares.</summary>
    public static List<string> ChildArguments(KafkaConnection kafka, DemoCommand.DemoSettings settings, string groupId, TimeSpan idleTimeout, IEnumerable<KeyValuePair<string, string>> tuning)
    {
        var arguments = new List<string>
        {
            "consume", "--kafka", kafka.BootstrapServers, "--topic", kafka.Topic, "--group", groupId,
            "--event-time", settings.EventTime == EventTimeMode.End ? "end" : "start",
            "--idle-timeout", DurationText.Format(idleTimeout),
        };
        foreach (var (key, value) in tuning.Where(s => s.Key != "session.timeout.ms"))
        {
            arguments.Add("--kafka-setting");
            arguments.Add(key + "=" + value);
        }
        arguments.Add("--kafka-setting");
        arguments.Add(string.Create(CultureInfo.InvariantCulture, $"session.timeout.ms={ConsumerProcesses.SessionTimeout.TotalMilliseconds}"));
        return arguments;
    }

    /// <summary>Runs the consumers as child processes until each ended by itself, killing and restarting some under
    /// <c>--chaos</c> while rows are produced; merges their alert files into <c>alerts.ndjson</c>.</summary>
    public static async Task<ConsumeResult> RunAsync(
        ConsumerProcesses children, KafkaConnection kafka, DemoCommand.DemoSettings settings, string groupId, TimeSpan idleTimeout, IEnumerable<KeyValuePair<string, string>> tuning, DemoFiles files, Func<bool> producedAll, Func<bool> committedAll, CancellationTokenSource brokerChaos, CancellationToken deadline)
    {
        long started = Stopwatch.GetTimestamp();
        using var killStop = new CancellationTokenSource();
        var kills = settings.Chaos ? children.KillAndRestartAsync(unchecked((int)settings.Seed), killStop.Token) : Task.CompletedTask;
        // Under chaos, kills go on until everything is produced and each child was killed once on average.
        while ((!producedAll() || (settings.Chaos && children.Kills < settings.Consumers && !children.AllEnded)) && !deadline.IsCancellationRequested)
            await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
        // Then the faults stop, so that every child can read to the end and commit.
        await killStop.CancelAsync().ConfigureAwait(false);
        await kills.ConfigureAwait(false);
        await brokerChaos.CancelAsync().ConfigureAwait(false);
        var figures = await children.WaitAsync(deadline).ConfigureAwait(false);
        var alertFiles = children.AlertFiles.ToList();
        // A child's last commit can be refused by the rebalance another child's exit started (at least once: its last
        // records are read again by the next run). As an operator restarting it, run one more consumer until the group
        // has committed everything.
        for (int extra = 0; extra < 3 && !committedAll(); extra++)
        {
            var sweep = new ConsumerProcesses(1, ChildArguments(kafka, settings, groupId, idleTimeout, tuning), files.Directory, settings.Consumers + extra);
            figures.Add(await sweep.WaitAsync(deadline).ConfigureAwait(false));
            alertFiles.AddRange(sweep.AlertFiles);
        }

        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string file in alertFiles)
        {
            foreach (string line in await File.ReadAllLinesAsync(file, CancellationToken.None).ConfigureAwait(false))
            {
                Alert? alert;
                try
                {
                    alert = line.Length == 0 ? null : JsonSerializer.Deserialize(line, CallStreamJsonContext.Default.Alert);
                }
                catch (JsonException)
                {
                    continue; // the incomplete last line of a killed run's batch, never acknowledged (its restart wrote it again)
                }
                if (alert is not null)
                    merged.TryAdd(alert.AlertId, line); // each store keeps an alert once, as MongoDB would by id
            }
            File.Delete(file);
        }
        await File.WriteAllLinesAsync(files.Alerts, merged.Values, CancellationToken.None).ConfigureAwait(false);

        var elapsed = Stopwatch.GetElapsedTime(started);
        var statistics = new PipelineStatistics(figures.Consumed, figures.DeadLettered, figures.WarmUp, 0, figures.Late, figures.Alerts, 0, 0, 0, 0, null, [], [])
        {
            Duplicates = figures.Duplicates,
        };
        return new ConsumeResult(statistics, new PipelineSummary(statistics, elapsed, InputCompleted: true), 0, elapsed);
    }

    /// <summary>Feeds the log's rows to the tally, for the report, when the consumers ran in other processes.</summary>
    public static async Task FillTallyAsync(InteractionTally tally, string path, CancellationToken cancellationToken)
    {
        using var reader = new CsvInteractionReader(path, new CsvReaderOptions { SourceName = path });
        var batch = new List<Interaction>(4096);
        await foreach (var interaction in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Add(interaction);
            if (batch.Count == batch.Capacity)
            {
                await tally.WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
                batch = new List<Interaction>(4096);
            }
        }
        await tally.WriteBatchAsync(batch, cancellationToken).ConfigureAwait(false);
    }
}
