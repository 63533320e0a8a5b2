using System.Text.Json;
using CallStream.Cli.Commands;

namespace CallStream.Cli.Demo;

/// <summary>What the demo did and how it reconciled, written as <c>summary.json</c>.</summary>
/// <param name="Settings">The demo's options.</param>
/// <param name="Produce">The producer's counts.</param>
/// <param name="Consume">The consumer's counts.</param>
/// <param name="ConsumedDistinct">Distinct interactions the consumer delivered to its sinks.</param>
/// <param name="ConsumedDeliveries">Interactions delivered, redeliveries included.</param>
/// <param name="TopicRecords">Records the topic received (the sum of its partitions' high watermarks).</param>
/// <param name="ReplayAlerts">Alerts of the in-process replay.</param>
/// <param name="Comparison">The stored alerts compared with the replay's.</param>
/// <param name="Chaos">The faults injected, or <see langword="null"/>.</param>
/// <param name="GenerateTime">Time to write the log.</param>
/// <param name="PipelineTime">Time from starting the consumer until it stopped (producing included, unless sequential).</param>
/// <param name="ReplayTime">Time of the reference replay.</param>
/// <param name="TotalTime">Time of the whole demo.</param>
/// <param name="Reconciled">Whether every count and the alerts reconcile.</param>
internal sealed record DemoSummary(
    DemoCommand.DemoSettings Settings,
    ProduceCommand.ProduceResult Produce,
    ConsumeResult Consume,
    long ConsumedDistinct,
    long ConsumedDeliveries,
    long TopicRecords,
    int ReplayAlerts,
    AlertComparison Comparison,
    ChaosSchedule? Chaos,
    TimeSpan GenerateTime,
    TimeSpan PipelineTime,
    TimeSpan ReplayTime,
    TimeSpan TotalTime,
    bool Reconciled)
{
    /// <summary>Writes the summary as indented JSON.</summary>
    /// <param name="path">The file.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the file is written.</returns>
    public async Task WriteJsonAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        await using (stream.ConfigureAwait(false))
        {
            var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            await using (json.ConfigureAwait(false))
            {
                Write(json);
                await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Write(Utf8JsonWriter json)
    {
        var s = Consume.Statistics;
        json.WriteStartObject();
        json.WriteNumber("rows", Settings.Rows);
        json.WriteNumber("produced", Produce.Produced);
        json.WriteNumber("consumed", ConsumedDistinct);
        json.WriteNumber("rejected", Produce.Rejected + s.DeadLettered);
        json.WriteNumber("late", s.Late);
        json.WriteNumber("alerts", Comparison.Stored - Comparison.Duplicates);
        json.WriteNumber("partitions", Settings.Partitions);
        json.WriteNumber("consumers", Settings.Consumers);
        json.WriteBoolean("processes", Settings.Processes);
        json.WriteNumber("duplicatesSuppressed", Consume.DuplicatesSuppressed);
        json.WriteStartObject("timings");
        json.WriteNumber("generateSeconds", Math.Round(GenerateTime.TotalSeconds, 3));
        json.WriteNumber("produceSeconds", Math.Round(Produce.Elapsed.TotalSeconds, 3));
        json.WriteNumber("consumeSeconds", Math.Round(PipelineTime.TotalSeconds, 3));
        json.WriteNumber("replaySeconds", Math.Round(ReplayTime.TotalSeconds, 3));
        json.WriteNumber("totalSeconds", Math.Round(TotalTime.TotalSeconds, 3));
        json.WriteEndObject();
        json.WriteBoolean("reconciled", Reconciled);
        json.WriteStartObject("reconciliation");
        json.WriteNumber("csvRowsRead", Produce.Read);
        json.WriteNumber("csvRowsRejected", Produce.Rejected);
        json.WriteNumber("acknowledgedByBrokers", Produce.Produced);
        json.WriteNumber("recordsOnTopic", TopicRecords);
        json.WriteNumber("consumedDistinct", ConsumedDistinct);
        json.WriteNumber("consumerDeliveries", ConsumedDeliveries);
        json.WriteNumber("deadLettered", s.DeadLettered);
        json.WriteNumber("warmUpEvents", s.WarmUpEvents);
        json.WriteNumber("alertsEmitted", s.Alerts);
        json.WriteNumber("alertsStored", Comparison.Stored);
        json.WriteNumber("alertsStoredTwice", Comparison.Duplicates);
        json.WriteNumber("replayAlerts", ReplayAlerts);
        json.WriteBoolean("alertsIdenticalToReplay", Comparison.Identical);
        json.WriteNumber("alertsMissing", Comparison.Missing.Count);
        json.WriteNumber("alertsUnexpected", Comparison.Unexpected.Count);
        json.WriteNumber("alertsDifferent", Comparison.Different.Count);
        json.WriteEndObject();
        json.WriteStartObject("throughput");
        json.WriteNumber("produceRowsPerSecond", Rate(Produce.Produced, Produce.Elapsed));
        json.WriteNumber("consumeMessagesPerSecond", Rate(s.Consumed, PipelineTime));
        json.WriteEndObject();
        json.WriteNumber("brokers", 3);
        json.WriteNumber("seed", Settings.Seed);
        json.WriteBoolean("sequential", Settings.Sequential);
        json.WriteString("eventTime", Settings.EventTime == CallStream.Rules.EventTimeMode.End ? "end" : "start");
        if (Chaos is null)
        {
            json.WriteNull("chaos");
        }
        else
        {
            json.WriteStartObject("chaos");
            json.WriteNumber("brokerOutages", Chaos.BrokerOutages);
            json.WriteNumber("leaderMoves", Chaos.LeaderMoves);
            json.WriteNumber("coordinatorMoves", Chaos.CoordinatorMoves);
            json.WriteNumber("produceErrors", Chaos.ProduceErrorsInjected);
            json.WriteNumber("fetchErrors", Chaos.FetchErrorsInjected);
            json.WriteNumber("commitErrors", Chaos.CommitErrorsInjected);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }

    private static double Rate(long count, TimeSpan elapsed) =>
        elapsed > TimeSpan.Zero ? Math.Round(count / elapsed.TotalSeconds) : 0;
}
