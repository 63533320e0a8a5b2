using CallStream.Rules;

namespace CallStream.Tests.Pipeline;

/// <summary>A source's progress markers move the pipeline's watermark on, as events of the marked partition would.</summary>
public class ProgressMarkerPipelineTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_Marker_OfTheSlowPartition_ReleasesTheHeldEvent_BeforeTheInputEnds()
    {
        var rules = RuleText.Parse("rule Long\n  where duration_seconds > 100\n  severity info\n").RuleSet!;
        var source = new MarkerSource();
        var options = new InteractionPipelineOptions { AllowedLateness = TimeSpan.FromSeconds(5) };
        options.OnAlert = alert => source.AlertSeen.TrySetResult(alert);
        await using var pipeline = new InteractionPipeline(source, rules, options);

        var summary = await pipeline.RunAsync(TestContext.Current.CancellationToken);

        Assert.True(source.AlertBeforeEnd);
        Assert.Equal(1, summary.Alerts);
        Assert.Equal("long", (await source.AlertSeen.Task).InteractionId);
    }

    /// <summary>Partition 0 delivers a long call at T0 and an event a minute later; partition 1 delivers nothing but a marker.</summary>
    private sealed class MarkerSource : IInteractionSource
    {
        public TaskCompletionSource<Alert> AlertSeen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool AlertBeforeEnd { get; private set; }

        public IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default) => Read(cancellationToken);

        public void StoreOffset(int partition, long nextOffset)
        {
        }

        public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<int, long>>(new Dictionary<int, long>());

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private async IAsyncEnumerable<InteractionSourceEvent> Read([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return InteractionSourceEvent.PartitionAssigned(0, 0, -1);
            yield return InteractionSourceEvent.PartitionAssigned(1, 0, -1);
            yield return Record(0, 0, "long", T0, 500);
            yield return Record(0, 1, "later", T0.AddMinutes(1), 10);
            // Without the marker, partition 1 holds the watermark: nothing is evaluated until the input ends.
            yield return InteractionSourceEvent.Progress(1, T0.AddMinutes(2));
            try
            {
                await AlertSeen.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                AlertBeforeEnd = true;
            }
            catch (TimeoutException)
            {
            }
            yield return InteractionSourceEvent.EndOfInput();
        }

        private static InteractionSourceEvent Record(int partition, long offset, string id, DateTimeOffset start, double duration) =>
            InteractionSourceEvent.Record(partition, offset, start, new Interaction(id, "c1", "a1", Channel.Voice, start, duration, Outcome.Resolved, null));
    }
}
