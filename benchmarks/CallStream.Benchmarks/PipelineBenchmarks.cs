using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using CallStream.Rules;

namespace CallStream.Benchmarks;

/// <summary>
/// The cost of <see cref="InteractionPipeline"/> itself: <see cref="EventCount"/> generated interactions over
/// <see cref="Partitions"/> partitions of an in-memory source, through the seven default rules into an alert sink that
/// counts, with checkpointing; against the bare <see cref="RuleEngine"/> over the same events. One operation is one event.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class PipelineBenchmarks
{
    /// <summary>The events per operation batch.</summary>
    public const int EventCount = 200_000;

    /// <summary>The partitions the events are spread over (round robin).</summary>
    public const int Partitions = 8;

    private Interaction[] _events = [];

    [GlobalSetup]
    public void Setup() => _events = GeneratedInteractions.InOrder(EventCount);

    /// <summary>The rule engine alone, as a replay runs it.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public int Engine()
    {
        int alerts = 0;
        using var engine = new RuleEngine(DefaultRules.RuleSet, _ => alerts++);
        for (int p = 0; p < Partitions; p++)
            engine.AddPartition(p);
        for (int i = 0; i < _events.Length; i++)
            engine.Offer(new PartitionedInteraction(_events[i], i % Partitions, i / Partitions));
        engine.Complete();
        return alerts;
    }

    /// <summary>The whole pipeline over an in-memory source.</summary>
    [Benchmark(OperationsPerInvoke = EventCount)]
    public async Task<long> Pipeline() => (await RunPipelineAsync(_events, Partitions).ConfigureAwait(false)).Alerts;

    /// <summary>Runs a pipeline with the default rules and a counting alert sink over the events, until all are evaluated and durable.</summary>
    /// <param name="events">The events.</param>
    /// <param name="partitions">The partitions to spread them over.</param>
    /// <returns>The summary.</returns>
    public static async Task<PipelineSummary> RunPipelineAsync(Interaction[] events, int partitions)
    {
        var source = new MemorySource(events, partitions);
        var sink = new CountingSink();
        await using var pipeline = new InteractionPipeline(source, DefaultRules.RuleSet);
        source.Drained = pipeline.Complete;
        pipeline.AddAlertSink("count", sink);
        var summary = await pipeline.RunAsync(CancellationToken.None).ConfigureAwait(false);
        if (summary.Evaluated != events.Length || source.StoredTotal != events.Length)
            throw new InvalidOperationException($"Evaluated {summary.Evaluated} and stored {source.StoredTotal} of {events.Length}.");
        return summary;
    }

    /// <summary>An alert sink that only counts.</summary>
    public sealed class CountingSink : IBatchedSink<Alert>
    {
        /// <summary>Gets the alerts written.</summary>
        public long Count { get; private set; }

        /// <inheritdoc/>
        public ValueTask WriteBatchAsync(IReadOnlyList<Alert> batch, CancellationToken cancellationToken)
        {
            Count += batch.Count;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A source over an array: assigns its partitions, yields every record (round robin), reports them caught up, then calls <see cref="Drained"/> and waits for the stop.</summary>
    public sealed class MemorySource(Interaction[] events, int partitions) : IInteractionSource
    {
        private readonly long[] _stored = Enumerable.Repeat(-1L, partitions).ToArray();

        /// <summary>Gets or sets what to call once everything was yielded.</summary>
        public Action? Drained { get; set; }

        /// <summary>Gets the sum of the stored offsets (the records durable).</summary>
        public long StoredTotal => _stored.Sum(s => Math.Max(s, 0));

        /// <inheritdoc/>
        public IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default) => ReadCoreAsync(handlers, cancellationToken);

        /// <inheritdoc/>
        public void StoreOffset(int partition, long nextOffset) => _stored[partition] = Math.Max(_stored[partition], nextOffset);

        /// <inheritdoc/>
        public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        /// <inheritdoc/>
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private async IAsyncEnumerable<InteractionSourceEvent> ReadCoreAsync(InteractionSourceHandlers? handlers, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (int p = 0; p < partitions; p++)
                yield return InteractionSourceEvent.PartitionAssigned(p, 0, -1);
            for (int i = 0; i < events.Length; i++)
                yield return InteractionSourceEvent.Record(i % partitions, i / partitions, events[i].StartTime, events[i]);
            for (int p = 0; p < partitions; p++)
                yield return InteractionSourceEvent.PartitionCaughtUp(p, (events.Length + partitions - 1 - p) / partitions);
            Drained?.Invoke();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
            if (handlers?.OnRevoking is { } revoking)
                await revoking([.. Enumerable.Range(0, partitions)], CancellationToken.None).ConfigureAwait(false);
        }
    }
}
