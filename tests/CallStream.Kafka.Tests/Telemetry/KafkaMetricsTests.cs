using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace CallStream.Kafka.Tests.Telemetry;

public sealed class KafkaMetricsTests
{
    [Fact]
    public void PoisonRecords_DeadLetteredAndSkipped_AreOneInstrumentTaggedByOutcome()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var poison = new MetricCollector<long>(meters, "CallStream", "callstream.kafka.poison_records");
        using var metrics = new KafkaMetrics(meters);

        metrics.DeadLettered("consumerdata", "invalid-json");
        metrics.Skipped("consumerdata", "no-value");

        Assert.Equal(
            [("consumerdata", "invalid-json", "dead_lettered", 1L), ("consumerdata", "no-value", "skipped", 1L)],
            poison.GetMeasurementSnapshot().Select(m => ((string)m.Tags["topic"]!, (string)m.Tags["reason"]!, (string)m.Tags["outcome"]!, m.Value)));
        Assert.Equal("{message}", poison.Instrument!.Unit);
    }
}
