using System.Diagnostics.Metrics;
using CallStream.Kafka.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace CallStream.Kafka.Tests.Source;

/// <summary>The skip-and-count policy alone: every record counted, one log line per thousand, nothing held back.</summary>
public sealed class SkippingPoisonRecordHandlerTests
{
    [Fact]
    public void Handle_ManyPoisonRecords_CountsEach_LogsTheFirstAndOneInAThousand_HoldsNoOffsetBack()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var skipped = new MetricCollector<long>(meters, "CallStream", "callstream.kafka.poison_records");
        using var metrics = new KafkaMetrics(meters);
        var logs = new ListLoggerFactory();
        var handler = new SkippingPoisonRecordHandler("consumerdata", logs.CreateLogger("skip"), metrics);
        var error = new PoisonRecordException(DeadLetterHeaders.ErrorNoValue, "the message has no value (null).");

        for (long offset = 0; offset < 2500; offset++)
            Assert.Equal(PoisonOutcome.Skipped, handler.Handle(Record(offset), error));

        Assert.Equal(2500, skipped.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(skipped.GetMeasurementSnapshot(), m => Assert.Equal("skipped", m.Tags["outcome"]));
        Assert.Equal(
            ["Record consumerdata[3]@0 is not a valid interaction (no-value: the message has no value (null).); skipped (1 skipped so far; one line per 1000).",
             "Record consumerdata[3]@1000 is not a valid interaction (no-value: the message has no value (null).); skipped (1001 skipped so far; one line per 1000).",
             "Record consumerdata[3]@2000 is not a valid interaction (no-value: the message has no value (null).); skipped (2001 skipped so far; one line per 1000)."],
            logs.Entries.Where(e => e.EventId == 4040).Select(e => e.Message));
        Assert.Null(handler.FirstUnsettled(3));
        Assert.False(handler.TakeSettled());
        Assert.Null(handler.Failure);
    }

    private static ConsumeResult<byte[], byte[]> Record(long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset("consumerdata", 3, offset),
        Message = new Message<byte[], byte[]> { Value = null! },
    };
}
