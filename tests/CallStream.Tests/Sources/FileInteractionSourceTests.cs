using System.Text;
using CallStream.Csv;
using CallStream.Generation;
using CallStream.Ndjson;
using CallStream.Rules;

namespace CallStream.Tests.Sources;

public sealed class FileInteractionSourceTests
{
    private const string Header = "interaction_id,customer_id,agent_id,channel,start_time,duration_seconds,outcome,satisfaction,region";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Pipeline_OverAFile_EvaluatesTheEventsHeldAtTheEnd_AndGivesTheEngineAlerts(int evaluationThreads)
    {
        string csv = ToCsv(new InteractionGenerator(new InteractionGeneratorOptions { Seed = 5, InteractionsPerDay = 2000 }).Generate(6000));
        List<Interaction> rows;
        using (var all = new CsvInteractionReader(new StringReader(csv)))
            rows = [.. all.ReadAll()];
        var expected = new List<Alert>();
        var expectedOrder = new List<string>();
        IReadOnlyList<RuleStatistics> expectedRules;
        using (var engine = new RuleEngine(DefaultRules.RuleSet, expected.Add, new RuleEngineOptions { OnEventEvaluated = e => expectedOrder.Add(e.Interaction.InteractionId) }))
        {
            foreach (var row in rows)
                engine.Offer(row);
            engine.Complete();
            expectedRules = engine.GetStatistics().Rules;
        }
        using var reader = new CsvInteractionReader(new StringReader(csv));
        var source = new FileInteractionSource(reader);
        var alerts = new List<Alert>();
        var evaluated = new List<string>();
        PipelineSummary summary;
        await using (source)
        {
            var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet, new InteractionPipelineOptions
            {
                OnAlert = alerts.Add,
                OnEvaluated = (interaction, _) => evaluated.Add(interaction.InteractionId),
                EvaluationThreads = evaluationThreads,
            });
            await using (pipeline)
                summary = await pipeline.RunAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(summary.InputCompleted);
        Assert.Equal(0, summary.Held);
        Assert.Equal(rows.Count, summary.Evaluated);
        Assert.Equal(expectedOrder, evaluated);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(a => a.AlertId), alerts.Select(a => a.AlertId));
        Assert.Equal(expected.Count, summary.Alerts);
        Assert.Equal(expected.Count, summary.Rules.Sum(r => r.Alerts));
        Assert.Equal(DefaultRules.RuleSet.Select(r => r.Name), summary.Rules.Select(r => r.Rule));
        Assert.Equal(
            expectedRules.Select(r => (r.EventsTaken, r.Candidates, r.Alerts, r.Suppressed, r.Groups)),
            summary.Rules.Select(r => (r.EventsTaken, r.Candidates, r.Alerts, r.Suppressed, r.Groups)));
    }

    [Fact]
    public async Task Pipeline_OverAFile_EvaluatesTheLastEventsWithinTheLateness()
    {
        // Both rows are within the allowed lateness of the newest: only the end of the input releases them.
        string csv = Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,3001,resolved,4,north\n"
            + "i2,c2,a1,voice,2024-03-01T09:00:01Z,3002,resolved,4,north\n";
        using var reader = new CsvInteractionReader(new StringReader(csv));
        var alerts = new List<Alert>();

        var summary = await RunAsync(new FileInteractionSource(reader), new InteractionPipelineOptions { OnAlert = alerts.Add, AllowedLateness = TimeSpan.FromMinutes(5) });

        Assert.True(summary.InputCompleted);
        Assert.Equal(2, summary.Evaluated);
        Assert.Equal(["i1", "i2"], alerts.Where(a => a.Rule == "LongCall").Select(a => a.InteractionId));
    }

    [Fact]
    public async Task ReadAsync_GivesOnePartition_OffsetsOfTheAcceptedRecords_AndTheEndOfInput()
    {
        string csv = Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,60,resolved,4,north\n"
            + "i2,c1,a1,fax,2024-03-01T09:01:00Z,60,resolved,4,north\n"
            + "i3,c1,a1,chat,2024-03-01T09:02:00Z,60,resolved,4,north\n";
        var rejected = new List<InputRejection>();
        using var reader = new CsvInteractionReader(new StringReader(csv), new CsvReaderOptions { OnRejected = rejected.Add });
        await using var source = new FileInteractionSource(reader);

        var events = await ReadAllAsync(source);

        Assert.Equal(InteractionSourceEvent.PartitionAssigned(0, 0, -1), events[0]);
        Assert.Equal(
            [(0L, "i1", new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.Zero)), (1L, "i3", new DateTimeOffset(2024, 3, 1, 9, 2, 0, TimeSpan.Zero))],
            events.Where(e => e.Kind == InteractionSourceEventKind.Record).Select(e => (e.Offset, e.Interaction!.InteractionId, e.Timestamp)));
        Assert.All(events.Where(e => e.Kind == InteractionSourceEventKind.Record), e => Assert.Equal(0, e.Partition));
        Assert.Equal(InteractionSourceEvent.EndOfInput(), events[^1]);
        Assert.Equal(4, events.Count);
        Assert.Equal((3L, 2L, 1L), (reader.RecordsRead, reader.RecordsAccepted, reader.RecordsRejected));
        Assert.Equal("fax", Assert.Single(rejected).Value);
    }

    [Fact]
    public async Task ReadAsync_ManyRecords_CountsProgressBatchByBatch_InOffsetOrder()
    {
        var rows = new InteractionGenerator(new InteractionGeneratorOptions { Seed = 3 }).Generate(5000).ToList();
        using var reader = new CsvInteractionReader(new StringReader(ToCsv(rows)));
        var progress = new List<long>();
        await using var source = new FileInteractionSource(reader) { OnProgress = progress.Add };

        var events = await ReadAllAsync(source);

        var records = events.Where(e => e.Kind == InteractionSourceEventKind.Record).ToList();
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(i => (long)i), records.Select(e => e.Offset));
        Assert.Equal(rows.Select(r => r.InteractionId), records.Select(e => e.Interaction!.InteractionId));
        Assert.Equal([1024L, 2048, 3072, 4096, 5000], progress);
    }

    [Fact]
    public async Task ReadAsync_FromNdjson_GivesTheRecordsOfTheSameLogInCsv()
    {
        var rows = new InteractionGenerator(new InteractionGeneratorOptions { Seed = 4 }).Generate(1500).ToList();
        using var json = new MemoryStream();
        using (var writer = NdjsonWriter.ForInteractions(json, leaveOpen: true))
        {
            foreach (var row in rows)
                writer.Write(row);
        }
        json.Position = 0;
        using var ndjson = NdjsonReader.ForInteractions(json);
        using var csv = new CsvInteractionReader(new StringReader(ToCsv(rows)));
        await using var fromJson = new FileInteractionSource(ndjson);
        await using var fromCsv = new FileInteractionSource(csv);

        var a = await ReadAllAsync(fromJson);
        var b = await ReadAllAsync(fromCsv);

        Assert.Equal(rows.Count + 2, a.Count);
        Assert.Equal(b.Select(e => (e.Kind, e.Offset, e.Timestamp, e.Interaction?.InteractionId)), a.Select(e => (e.Kind, e.Offset, e.Timestamp, e.Interaction?.InteractionId)));
    }

    [Fact]
    public async Task Pipeline_StrictReader_FailsWithTheRejection()
    {
        string csv = Header + "\n"
            + "i1,c1,a1,voice,2024-03-01T09:00:00Z,60,resolved,4,north\n"
            + "i2,c1,a1,voice,2024-03-01T09:01:00Z,-3,resolved,4,north\n";
        using var reader = new CsvInteractionReader(new StringReader(csv), new CsvReaderOptions { Strict = true, SourceName = "log.csv" });

        var e = await Assert.ThrowsAsync<InputRejectedException>(() => RunAsync(new FileInteractionSource(reader), new InteractionPipelineOptions()));

        Assert.Equal(3, e.Rejection!.Line);
        Assert.StartsWith("log.csv:3:6: ", e.Rejection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_UnusableHeader_FailsWithTheHeaderError()
    {
        using var reader = new CsvInteractionReader(new StringReader("id,when\n1,2\n"));

        await Assert.ThrowsAsync<CsvHeaderException>(() => RunAsync(new FileInteractionSource(reader), new InteractionPipelineOptions()));
    }

    [Fact(Timeout = 60_000)]
    public async Task Pipeline_Stopped_EndsWithoutTheEndOfInput_AndStopsTheWorker()
    {
        // An endless log: only the stop ends the run, and the worker must stop parsing ahead.
        using var text = new EndlessLog();
        using var reader = new CsvInteractionReader(text);
        using var stop = new CancellationTokenSource();
        var source = new FileInteractionSource(reader) { OnProgress = n => { if (n >= 8192) stop.Cancel(); } };
        PipelineSummary summary;
        await using (source)
        {
            var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet);
            await using (pipeline)
                summary = await pipeline.RunAsync(stop.Token);
        }

        Assert.False(summary.InputCompleted);
        Assert.InRange(summary.Consumed, 8192, 8192 + 1024);
        long parsed = reader.RecordsRead;
        Assert.InRange(parsed, summary.Consumed, summary.Consumed + (6 * 1024)); // the batches queued and the one being filled, no more
        Assert.Equal(parsed, reader.RecordsRead); // the worker has ended
    }

    [Fact]
    public async Task DisposeAsync_BeforeReading_StopsTheStartedWorker_AndReadingAfterwardsThrows()
    {
        using var text = new EndlessLog();
        using var reader = new CsvInteractionReader(text);
        var source = new FileInteractionSource(reader);
        source.Start();
        source.Start(); // once

        await source.DisposeAsync();
        long parsed = reader.RecordsRead;

        Assert.InRange(parsed, 0, 6 * 1024);
        await using var events = source.ReadAsync(cancellationToken: TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await events.MoveNextAsync());
        Assert.Equal(parsed, reader.RecordsRead);
    }

    [Fact]
    public async Task Arguments_AreChecked_AndASourceIsReadOnce()
    {
        Assert.Throws<ArgumentNullException>(() => new FileInteractionSource((CsvInteractionReader)null!));
        Assert.Throws<ArgumentNullException>(() => new FileInteractionSource((NdjsonReader<Interaction>)null!));
        using var reader = new CsvInteractionReader(new StringReader(Header + "\n"));
        await using var source = new FileInteractionSource(reader);

        var events = await ReadAllAsync(source);

        Assert.Equal([InteractionSourceEvent.PartitionAssigned(0, 0, -1), InteractionSourceEvent.EndOfInput()], events);
        Assert.Throws<InvalidOperationException>(() => source.ReadAsync(cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<NotSupportedException>(() => source.GetOffsetsForTimeAsync([0], DateTimeOffset.UnixEpoch, TestContext.Current.CancellationToken));
        source.StoreOffset(0, 1); // ignored: a file keeps no position
    }

    [Fact]
    public void EndOfInput_IsAnEventOfNoPartition()
    {
        var e = InteractionSourceEvent.EndOfInput();

        Assert.Equal(InteractionSourceEventKind.EndOfInput, e.Kind);
        Assert.Equal((-1, -1L, -1L), (e.Partition, e.Offset, e.CommittedOffset));
        Assert.Null(e.Interaction);
        Assert.Equal("end of input", e.ToString());
    }

    private static async Task<PipelineSummary> RunAsync(FileInteractionSource source, InteractionPipelineOptions options)
    {
        await using (source)
        {
            var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet, options);
            await using (pipeline)
                return await pipeline.RunAsync(TestContext.Current.CancellationToken);
        }
    }

    private static async Task<List<InteractionSourceEvent>> ReadAllAsync(FileInteractionSource source)
    {
        var events = new List<InteractionSourceEvent>();
        await foreach (var e in source.ReadAsync(cancellationToken: TestContext.Current.CancellationToken))
            events.Add(e);
        return events;
    }

    private static string ToCsv(IEnumerable<Interaction> rows)
    {
        var text = new StringWriter();
        using (var writer = new CsvInteractionWriter(text, ["region"], leaveOpen: true))
        {
            foreach (var row in rows)
                writer.Write(row);
        }
        return text.ToString();
    }

    /// <summary>A CSV log that never ends: a header, then rows one second apart.</summary>
    private sealed class EndlessLog : TextReader
    {
        private static readonly DateTimeOffset Start = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        private readonly StringBuilder _pending = new(Header + "\n");
        private long _row;

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            while (_pending.Length < buffer.Length)
            {
                _row++;
                _pending.Append("i").Append(_row).Append(",c").Append(_row % 97).Append(",a").Append(_row % 13).Append(",voice,")
                    .Append(Start.AddSeconds(_row).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)).Append(",60,resolved,4,north\n");
            }
            _pending.CopyTo(0, buffer, buffer.Length);
            _pending.Remove(0, buffer.Length);
            return buffer.Length;
        }
    }
}
