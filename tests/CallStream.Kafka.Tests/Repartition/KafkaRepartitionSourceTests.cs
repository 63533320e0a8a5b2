using System.Text.Json;
using CallStream.Json;
using CallStream.Kafka.Tests.Support;
using Confluent.Kafka;

namespace CallStream.Kafka.Tests.Repartition;

/// <summary>How a reader of a repartition topic turns the forwarders' progress markers into channel states.</summary>
public class KafkaRepartitionSourceTests
{
    private const string Topic = "g-by-agent_id-repartition";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After a restart the reader re-reads caught-up markers that a forwarder since killed wrote: the source partition may
    /// have received records nobody forwarded yet, so they must not let its channel go idle (and release the watermark
    /// past the records still to come). A caught-up marker written once the reader is at the topic's end does.
    /// </summary>
    [Fact]
    public async Task CaughtUpMarker_ReadBackFromBeforeTheAssignment_DoesNotMakeTheChannelIdle_AFreshOneDoes()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, 1, replicationFactor: 3);
        using var producer = new ProducerBuilder<byte[]?, byte[]>(cluster.CreateProducerConfig()).Build();
        var record = TestData.Interaction(1);
        var start = record.StartTime;
        await producer.ProduceAsync(Topic, new Message<byte[]?, byte[]>
        {
            Key = "A1"u8.ToArray(),
            Value = JsonSerializer.SerializeToUtf8Bytes(record, CallStreamJsonContext.Default.Interaction),
            Timestamp = new Timestamp(start),
            Headers = new Headers { { RepartitionHeaders.Source, RepartitionHeaders.EncodeSource(0, 0) } },
        }, cancellation);
        await ProduceMarkerAsync(producer, start, cancellation); // offset 1: the killed forwarder's last word
        const long Backlog = 2;

        await using var source = new KafkaRepartitionSource(KafkaOptions.Source(cluster, Topic, "g-by-agent_id"), sourcePartitions: 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stop.CancelAfter(Deadline);
        var seen = new List<InteractionSourceEvent>();
        using var fresh = new Timer(_ => ProduceMarkerAsync(producer, start, CancellationToken.None).GetAwaiter().GetResult());
        bool freshStarted = false;
        await foreach (var e in source.ReadAsync(null, stop.Token))
        {
            seen.Add(e);
            if (e.Kind == InteractionSourceEventKind.PartitionCaughtUp)
                break;
            if (!freshStarted && e.Kind == InteractionSourceEventKind.Progress)
            {
                // The backlog is read: from now on a forwarder that runs says the source partition is caught up, as the
                // forwarder repeats it while nothing arrives.
                freshStarted = true;
                fresh.Change(TimeSpan.Zero, TimeSpan.FromMilliseconds(200));
            }
        }

        Assert.Contains(seen, e => e.Kind == InteractionSourceEventKind.Record && e.Offset == 0);
        Assert.Contains(seen, e => e.Kind == InteractionSourceEventKind.Progress && e.Timestamp == start);
        var caughtUp = seen.Last();
        Assert.Equal(InteractionSourceEventKind.PartitionCaughtUp, caughtUp.Kind);
        Assert.True(caughtUp.Offset > Backlog, $"the channel was reported caught up at offset {caughtUp.Offset}, by a marker read back from before the assignment");
    }

    /// <summary>
    /// A forwarder that takes a source partition over from before the previous one's last commit forwards its records
    /// again, after the previous one's records and markers: the reader delivers each source record once, so the copies
    /// are neither late nor, past the duplicate horizon, evaluated twice.
    /// </summary>
    [Fact]
    public async Task RecordsForwardedAgain_AfterAHandOverOfTheirSourcePartition_AreDeliveredOnce()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var cluster = InProcessKafkaCluster.Start();
        cluster.CreateTopic(Topic, 1, replicationFactor: 3);
        using var producer = new ProducerBuilder<byte[]?, byte[]>(cluster.CreateProducerConfig()).Build();
        var records = Enumerable.Range(0, 8).Select(n => TestData.Interaction(n)).ToList();
        async Task ForwardAsync(int sourcePartition, int from, int to)
        {
            for (int n = from; n < to; n++)
            {
                await producer.ProduceAsync(Topic, new Message<byte[]?, byte[]>
                {
                    Key = "A1"u8.ToArray(),
                    Value = JsonSerializer.SerializeToUtf8Bytes(records[n], CallStreamJsonContext.Default.Interaction),
                    Timestamp = new Timestamp(records[n].StartTime),
                    Headers = new Headers { { RepartitionHeaders.Source, RepartitionHeaders.EncodeSource(sourcePartition, n) } },
                }, cancellation);
            }
        }
        await ForwardAsync(0, 0, 5);                                          // the first forwarder: source offsets 0-4
        await ProduceMarkerAsync(producer, records[4].StartTime, cancellation); // and its marker, then it is gone uncommitted
        await ForwardAsync(0, 2, 8);                                          // the next one, from the commit at 2
        await ForwardAsync(1, 0, 2);                                          // another source partition's own offsets 0-1

        await using var source = new KafkaRepartitionSource(KafkaOptions.Source(cluster, Topic, "g-by-agent_id"), sourcePartitions: 2);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        stop.CancelAfter(Deadline);
        var delivered = new List<(int Channel, string Id)>();
        await foreach (var e in source.ReadAsync(null, stop.Token))
        {
            if (e.Kind == InteractionSourceEventKind.Record)
                delivered.Add((e.Partition, e.Interaction!.InteractionId));
            if (delivered.Count + source.CopiesDropped == 13)
                break;
        }

        Assert.Equal(13, source.Consumed);
        Assert.Equal(3, source.CopiesDropped);
        Assert.Equal(records.Select(r => (0, r.InteractionId)).Concat(records.Take(2).Select(r => (1, r.InteractionId))), delivered);
    }

    private static Task ProduceMarkerAsync(IProducer<byte[]?, byte[]> producer, DateTimeOffset newest, CancellationToken cancellationToken) =>
        producer.ProduceAsync(Topic, new Message<byte[]?, byte[]>
        {
            Key = null,
            Value = [],
            Timestamp = new Timestamp(newest),
            Headers = new Headers { { RepartitionHeaders.Progress, RepartitionHeaders.EncodeProgress(new ProgressMarker(0, 1, newest, CaughtUp: true)) } },
        }, cancellationToken);
}
