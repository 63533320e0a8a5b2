using System.CommandLine;
using System.Globalization;
using CallStream.Cli.Connections;
using CallStream.Cli.Logging;
using CallStream.Cli.Progress;
using CallStream.Csv;
using CallStream.Kafka;
using CallStream.Mongo;
using CallStream.Pipeline;
using Microsoft.Extensions.Logging;

namespace CallStream.Cli.Commands;

/// <summary>
/// <c>callstream produce --input CSV [--kafka HOSTS] [--topic T] [--kafka-setting K=V]… [--mongo URI] [--strict]</c>:
/// the seed's producer. Reads the log and produces each interaction to the topic as the JSON of the data contract,
/// keyed by customer id, with an idempotent producer and the event time as message timestamp; with <c>--mongo</c>
/// also upserts each interaction into MongoDB. Counts as produced only what the brokers acknowledged.
/// </summary>
internal static class ProduceCommand
{
    /// <summary>Interactions per produce batch (one batch is in flight at a time; a write waits for its acknowledgements).</summary>
    private const int BatchSize = 5000;

    /// <summary>Builds the command.</summary>
    /// <param name="context">The surroundings it runs in.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliContext context)
    {
        var input = new Option<string>("--input")
        {
            Description = "The interaction log to produce (CSV in the CallStream format).",
            HelpName = "CSV",
            Required = true,
        };
        var kafka = KafkaConnection.CreateBrokersOption();
        var topic = KafkaConnection.CreateTopicOption();
        var settings = KafkaConnection.CreateSettingsOption();
        var mongo = MongoConnection.CreateOption("each interaction (collection 'interactions')");
        var strict = new Option<bool>("--strict")
        {
            Description = "Stops at the first bad row with exit code 2 instead of rejecting it and going on.",
        };
        var command = new Command("produce", "Produces a CSV log to a Kafka topic (and MongoDB with --mongo): JSON messages keyed by customer id, each acknowledged by the brokers.")
        {
            input,
            kafka,
            topic,
            settings,
            mongo,
            strict,
        };
        CommandAction.Set(command, context, (parseResult, cancellationToken) => RunAsync(
            context,
            parseResult.GetValue(input)!,
            KafkaConnection.Resolve(context, parseResult.GetValue(kafka), parseResult.GetValue(topic)!, parseResult.GetValue(settings)),
            parseResult.GetValue(mongo),
            parseResult.GetValue(strict),
            cancellationToken));
        return command;
    }

    /// <summary>Runs the command.</summary>
    /// <param name="context">The surroundings.</param>
    /// <param name="input">The CSV log.</param>
    /// <param name="kafka">Where to produce.</param>
    /// <param name="mongo">The <c>--mongo</c> value, or <see langword="null"/> (then <c>CALLSTREAM_MONGO</c>, if set).</param>
    /// <param name="strict">Whether the first bad row stops the command.</param>
    /// <param name="cancellationToken">Stops reading; what was read is still delivered.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(CliContext context, string input, KafkaConnection kafka, string? mongo, bool strict, CancellationToken cancellationToken)
    {
        CommandFiles.RequireInput(input, "--input");
        using var store = await MongoConnection.OpenAsync(context, mongo, "produce", cancellationToken).ConfigureAwait(false);
        await context.Error.WriteLineAsync($"produce: {input} to {kafka.Describe()}").ConfigureAwait(false);
        var progress = new ProgressReporter(context.Error, context.Time, context.ErrorIsTerminal, "produce", null, "rows");
        ProduceResult result;
        try
        {
            using var logging = new StandardErrorLoggerFactory(context.Error, "produce");
            result = await ProduceAsync(context, input, kafka, store, strict, null, progress, logging, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            progress.Complete();
        }

        var invariant = CultureInfo.InvariantCulture;
        string stored = store is null ? string.Empty : string.Create(invariant, $"; {result.Stored} stored in MongoDB ({store.Endpoint}, {store.DatabaseName}.{store.InteractionsCollectionName})");
        await context.Out.WriteLineAsync(string.Create(
            invariant,
            $"produce: {result.Read} rows read, {result.Accepted} accepted, {result.Rejected} rejected; {result.Produced} produced to {kafka.Describe()}{stored} "
            + $"in {result.Elapsed.TotalSeconds:0.00} s ({ProgressReporter.FormatRate(result.Produced, result.Elapsed)} rows/s).")).ConfigureAwait(false);
        await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Produces the log: the work of <c>produce</c>, also used by <c>demo</c>.</summary>
    /// <param name="context">The surroundings (standard error for rejected rows).</param>
    /// <param name="input">The CSV log.</param>
    /// <param name="kafka">Where to produce.</param>
    /// <param name="store">The MongoDB store to upsert interactions into as well, or <see langword="null"/>.</param>
    /// <param name="strict">Whether the first bad row stops the work (exit code 2).</param>
    /// <param name="baseSettings">librdkafka settings applied before the user's, or <see langword="null"/>.</param>
    /// <param name="progress">Where progress is reported (rows read).</param>
    /// <param name="loggerFactory">Where the Kafka and MongoDB packages log (warnings on standard error), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops reading; what was read is still delivered before this returns.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="CliException">Invalid input (exit code 2) or messages the brokers did not acknowledge (exit code 1, naming them).</exception>
    public static async Task<ProduceResult> ProduceAsync(
        CliContext context,
        string input,
        KafkaConnection kafka,
        MongoStore? store,
        bool strict,
        IEnumerable<KeyValuePair<string, string>>? baseSettings,
        ProgressReporter progress,
        ILoggerFactory? loggerFactory,
        CancellationToken cancellationToken)
    {
        var options = new KafkaSinkOptions { Topic = kafka.Topic, MessageTimestamp = KafkaMessageTimestamp.EventTime };
        kafka.ApplyTo(options, baseSettings);
        KafkaInteractionSink producer;
        try
        {
            producer = new KafkaInteractionSink(options, loggerFactory);
        }
        catch (ArgumentException e)
        {
            throw KafkaConnection.InvalidOption(e);
        }

        var problems = new ProblemPrinter(context.Error, "produce");
        var readerOptions = new CsvReaderOptions { Strict = strict, OnRejected = r => problems.Report(r.ToString()) };
        // One attempt per batch: the Kafka sink already retries each message until its delivery timeout, and writing a
        // failed batch again would produce its acknowledged messages a second time.
        var batching = new BatchingOptions { BatchSize = BatchSize, QueueCapacity = 4 * BatchSize, MaxAttempts = 1 };
        long started = context.Time.GetTimestamp();
        long read, accepted, rejected, produced, stored = 0;
        await using (producer.ConfigureAwait(false))
        {
            var toKafka = new BatchingSink<Interaction>(producer, "kafka:" + kafka.Topic, batching);
            var toMongo = store is null ? null : new BatchingSink<Interaction>(new MongoInteractionSink(store), "mongo:" + store.InteractionsCollectionName, batching);
            try
            {
                using var reader = OpenReader(input, readerOptions);
                try
                {
                    await Task.Run(
                        async () =>
                        {
                            long count = 0;
                            foreach (var interaction in reader.ReadAll())
                            {
                                if (cancellationToken.IsCancellationRequested)
                                    break;
                                await toKafka.EnqueueAsync(interaction, null, cancellationToken).ConfigureAwait(false);
                                if (toMongo is not null)
                                    await toMongo.EnqueueAsync(interaction, null, cancellationToken).ConfigureAwait(false);
                                if (++count % 1024 == 0)
                                    progress.Report(count);
                            }
                        },
                        CancellationToken.None).ConfigureAwait(false);
                }
                catch (CsvHeaderException e)
                {
                    throw CliException.InvalidInput(e.Message);
                }
                catch (InputRejectedException e)
                {
                    throw CliException.InvalidInput("--strict: " + (e.Rejection?.ToString() ?? e.Message));
                }
                read = reader.RecordsRead;
                accepted = reader.RecordsAccepted;
                rejected = reader.RecordsRejected;
                await toKafka.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                if (toMongo is not null)
                    await toMongo.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (SinkWriteException e)
            {
                throw DeliveryFailure(e);
            }
            finally
            {
                await toKafka.DisposeAsync().ConfigureAwait(false);
                if (toMongo is not null)
                    await toMongo.DisposeAsync().ConfigureAwait(false);
                problems.Complete();
            }
            produced = toKafka.Written;
            stored = toMongo?.Written ?? 0;
        }
        cancellationToken.ThrowIfCancellationRequested();
        return new ProduceResult(read, accepted, rejected, produced, stored, context.Time.GetElapsedTime(started));
    }

    private static CsvInteractionReader OpenReader(string input, CsvReaderOptions options)
    {
        try
        {
            return new CsvInteractionReader(input, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Failure($"--input: cannot read '{input}': {e.Message}", e);
        }
    }

    private static CliException DeliveryFailure(SinkWriteException e)
    {
        if (e.InnerException is KafkaDeliveryException delivery)
        {
            var ids = delivery.FailedIds;
            string shown = string.Join(", ", ids.Take(5)) + (ids.Count > 5 ? string.Create(CultureInfo.InvariantCulture, $" and {ids.Count - 5} more") : string.Empty);
            string reasons = string.Join("; ", delivery.Failures.Select(f => f.Reason).Distinct(StringComparer.Ordinal).Take(3));
            return CliException.Failure(string.Create(
                CultureInfo.InvariantCulture,
                $"{ids.Count} interaction(s) were not acknowledged by the brokers of topic '{delivery.Topic}': {reasons} (ids: {shown})."), e);
        }
        if (e.InnerException is Confluent.Kafka.KafkaException kafka)
            return CliException.Failure(kafka.Message, e); // no broker answered: the message names the servers tried
        if (e.InnerException is MongoStoreException mongo)
            return CliException.Failure($"MongoDB ({mongo.Endpoint}): {mongo.Message}", e);
        return CliException.Failure(e.Message, e);
    }

    /// <summary>What a produce run did.</summary>
    /// <param name="Read">Rows read.</param>
    /// <param name="Accepted">Valid rows.</param>
    /// <param name="Rejected">Rejected rows.</param>
    /// <param name="Produced">Interactions acknowledged by the brokers.</param>
    /// <param name="Stored">Interactions stored in MongoDB (0 without it).</param>
    /// <param name="Elapsed">The time it took.</param>
    internal sealed record ProduceResult(long Read, long Accepted, long Rejected, long Produced, long Stored, TimeSpan Elapsed);
}
