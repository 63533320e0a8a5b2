using CallStream.Cli.Commands;
using CallStream.Cli.Connections;
using CallStream.Kafka;
using CallStream.Pipeline;
using CallStream.Rules;
using Microsoft.Extensions.Logging;

namespace CallStream.Cli.Topology;

/// <summary>
/// What one member of a consumer group runs so that its alerts do not depend on how many members share the topic:
/// the rules grouped by the message key (or per event) on the source records it is assigned, and, when some rules group
/// by another field, a forwarder to the repartition topics and a reader of each, whose pipelines run those rules on
/// every event of the groups they own (docs/architecture.md, "Several consumers"). Several members can run in one
/// process (the demo's <c>--consumers</c>); they share the sinks, which are idempotent by id.
/// </summary>
/// <remarks>A rule set grouped only by the message key runs one pipeline per member and pays nothing for the hop.</remarks>
internal sealed class ConsumerTopology : IAsyncDisposable
{
    private readonly List<Stage> _stages = [];
    private readonly List<(KafkaRepartitionForwarder Forwarder, Task Run)> _forwarders = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _stopForwarders = new();
    private readonly TopologySettings _settings;
    private readonly RulePlacement _plan;

    private ConsumerTopology(TopologySettings settings)
    {
        _settings = settings;
        _plan = RulePlacement.Plan(settings.Rules, Field.CustomerId);
    }

    /// <summary>Gets how the rules were placed: which run where the records are read and which behind a repartition topic.</summary>
    public RulePlacement Plan => _plan;

    /// <summary>Gets the local source of the first member with its <c>--max-messages</c> limit, or <see langword="null"/> without a limit.</summary>
    public MessageLimitSource? Limited { get; private set; }

    /// <summary>Gets whether the group's latest assignment gave every member's local source no partition at all.</summary>
    public bool AssignedNone => _stages.Where(s => s.IsLocal).All(s => s.Source is KafkaInteractionSource { AssignedNone: true });

    /// <summary>Starts every pipeline and forwarder of <paramref name="settings"/>' members.</summary>
    /// <param name="settings">What to run.</param>
    /// <param name="cancellationToken">Cancels waiting for the repartition topics.</param>
    /// <returns>The running topology.</returns>
    /// <exception cref="ArgumentException">Invalid Kafka options.</exception>
    public static async Task<ConsumerTopology> StartAsync(TopologySettings settings, CancellationToken cancellationToken)
    {
        var topology = new ConsumerTopology(settings);
        try
        {
            await topology.StartCoreAsync(cancellationToken).ConfigureAwait(false);
            return topology;
        }
        catch
        {
            await topology.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        for (int member = 0; member < _settings.Members; member++)
        {
            var local = new KafkaInteractionSource(SourceOptions(_settings.Kafka.Topic, _settings.GroupId), _settings.LoggerFactory);
            IInteractionSource input = local;
            if (member == 0 && _settings.MaxMessages is { } max)
                input = Limited = new MessageLimitSource(local, max);
            var pipeline = CreatePipeline(input, _plan.Local);
            foreach (var (name, sink) in _settings.InteractionSinks)
                pipeline.AddInteractionSink(name, sink);
            Start(new Stage(local, pipeline, null));
        }
        if (_plan.IsLocal)
            return;

        var parts = _plan.Repartitioned.Select(p => p.Name).ToList();
        for (int member = 0; member < _settings.Members; member++)
        {
            var forwarder = new KafkaRepartitionForwarder(SourceOptions(_settings.Kafka.Topic, _settings.GroupId), parts, _settings.EventTime == EventTimeMode.End, _settings.LoggerFactory);
            _forwarders.Add((forwarder, forwarder.RunAsync(_stopForwarders.Token)));
        }
        // Readers subscribe only once the topics exist: subscribing first could have a broker auto-create them.
        var first = _forwarders[0].Forwarder;
        try
        {
            await first.TopicsReady.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // stopped while starting: what runs stops gracefully, the readers never start
        }
        for (int member = 0; member < _settings.Members; member++)
        {
            foreach (var part in _plan.Repartitioned)
            {
                var options = SourceOptions(RepartitionTopics.Name(_settings.GroupId, part.Name), RepartitionTopics.GroupId(_settings.GroupId, part.Name));
                var reader = new KafkaRepartitionSource(options, first.SourcePartitions, _settings.LoggerFactory);
                Start(new Stage(reader, CreatePipeline(reader, part.Rules), part.Name));
            }
        }
    }

    private KafkaSourceOptions SourceOptions(string topic, string groupId)
    {
        var options = new KafkaSourceOptions { Topic = topic, GroupId = groupId };
        _settings.Kafka.ApplyTo(options, _settings.BaseSettings);
        return options;
    }

    private InteractionPipeline CreatePipeline(IInteractionSource source, RuleSet rules)
    {
        var pipeline = new InteractionPipeline(
            source,
            rules,
            new InteractionPipelineOptions { EventTime = _settings.EventTime, AllowedLateness = _settings.Lateness, IdleTimeout = _settings.IdleTimeout },
            _settings.LoggerFactory);
        foreach (var (name, sink) in _settings.AlertSinks)
            pipeline.AddAlertSink(name, sink);
        return pipeline;
    }

    private void Start(Stage stage)
    {
        _stages.Add(stage);
        stage.Run = stage.Pipeline.RunAsync(_stop.Token);
    }

    /// <summary>Gets a task that completes when any pipeline or forwarder ends (they end together only when stopped).</summary>
    /// <returns>The task.</returns>
    public Task AnyEnded() => Task.WhenAny(_stages.Select(s => (Task)s.Run!).Concat(_forwarders.Select(f => f.Run)));

    /// <summary>Gets whether every pipeline is still running.</summary>
    public bool Running => _stages.All(s => !s.Run!.IsCompleted) && _forwarders.All(f => !f.Run.IsCompleted);

    /// <summary>Adds up the pipelines' figures per record of the source topic: records read, dead-lettered, warmed up,
    /// evaluated and duplicates are the local pipelines'; late events are the most that the local rules or any one
    /// repartitioned part saw (each sees every record); alerts, held and in-flight events are every pipeline's;
    /// partitions are the source topic's; a shared sink's written counts are summed and its already-stored count (its
    /// own) taken once.</summary>
    /// <returns>The figures.</returns>
    public PipelineStatistics GetStatistics()
    {
        var all = _stages.Select(s => (s.IsLocal, s.Part, Statistics: s.Pipeline.GetStatistics())).ToList();
        var local = all.Where(s => s.IsLocal).Select(s => s.Statistics).ToList();
        var sinks = all.SelectMany(s => s.Statistics.Sinks)
            .GroupBy(k => (k.Name, k.Kind))
            .Select(g => new SinkStatistics(g.Key.Name, g.Key.Kind, g.Sum(k => k.Enqueued), g.Sum(k => k.Written), g.Sum(k => k.Failed), g.Sum(k => k.Rejected), g.Max(k => k.AlreadyStored)))
            .ToList();
        var watermarks = local.Where(s => s.Watermark is not null).Select(s => s.Watermark!.Value).ToList();
        return new PipelineStatistics(
            local.Sum(s => s.Consumed),
            local.Sum(s => s.DeadLettered),
            local.Sum(s => s.WarmUpEvents),
            local.Sum(s => s.Evaluated),
            all.GroupBy(s => s.Part).Max(g => g.Sum(s => s.Statistics.Late)),
            all.Sum(s => s.Statistics.Alerts),
            all.Sum(s => s.Statistics.AlertsNotReemitted),
            local.Sum(s => s.Replayed),
            all.Sum(s => s.Statistics.Held),
            all.Sum(s => s.Statistics.InFlight),
            watermarks.Count == 0 ? null : watermarks.Min(),
            sinks,
            [.. local.SelectMany(s => s.Partitions).OrderBy(p => p.Partition)])
        {
            Duplicates = local.Sum(s => s.Duplicates),
        };
    }

    /// <summary>Gets how many records every pipeline and forwarder has read or forwarded: when it stops changing, nothing moves.</summary>
    /// <returns>The count.</returns>
    public long Activity()
    {
        long count = _forwarders.Sum(f => f.Forwarder.Forwarded);
        foreach (var stage in _stages)
        {
            var s = stage.Pipeline.GetStatistics();
            count += s.Consumed + s.DeadLettered + s.WarmUpEvents;
        }
        return count;
    }

    /// <summary>
    /// Gets whether everything read so far has gone all the way through: every assigned source partition read to its
    /// end, forwarded and committed, and every assigned repartition partition read to its end (and, when the whole group
    /// runs here, each part's readers having read at least as many records as the forwarders forwarded).
    /// </summary>
    /// <returns>Whether the topology is at the end of its input.</returns>
    public bool AtEnd()
    {
        foreach (var stage in _stages)
        {
            if (!stage.Pipeline.GetStatistics().Partitions.All(p => p.CaughtUp))
                return false;
        }
        if (!_forwarders.All(f => f.Forwarder.CaughtUp))
            return false;
        if (!_settings.WholeGroup)
            return true; // other processes read part of what these forwarders wrote, and write part of what these readers read
        long forwarded = _forwarders.Sum(f => f.Forwarder.Forwarded);
        return _plan.Repartitioned.All(part => _stages.Where(s => s.Part == part.Name).Sum(s => ((KafkaRepartitionSource)s.Source).Consumed) >= forwarded);
    }

    /// <summary>
    /// Gets whether every group of the topology has settled: each partition of the source topic, and of each
    /// repartition topic, is owned, and every member owns some where there are partitions enough. Data that arrives
    /// before then is read, and partly read again after the hand-overs.
    /// </summary>
    /// <param name="sourcePartitions">The source topic's partition count.</param>
    /// <returns>Whether the groups have settled.</returns>
    public bool Settled(int sourcePartitions)
    {
        if (!Owned(_stages.Where(s => s.IsLocal).Select(s => s.Pipeline.GetStatistics().Partitions.Select(p => p.Partition).ToList()), sourcePartitions)
            || !Owned(_forwarders.Select(f => f.Forwarder.AssignedPartitions.ToList()), sourcePartitions))
        {
            return false;
        }
        return _plan.Repartitioned.All(part => Owned(
            _stages.Where(s => s.Part == part.Name).Select(s => ((KafkaRepartitionSource)s.Source).AssignedPartitions.ToList()),
            part.By is null ? 1 : sourcePartitions));

        static bool Owned(IEnumerable<List<int>> members, int partitions)
        {
            var owned = members.ToList();
            return owned.SelectMany(m => m).Distinct().Count() == partitions && (owned.Count > partitions || owned.All(m => m.Count > 0));
        }
    }

    /// <summary>Declares the input complete: every pipeline evaluates what it holds as at the end of a replay, stores
    /// everything, commits and stops; then the forwarders stop.</summary>
    public void Complete()
    {
        foreach (var stage in _stages)
            stage.Pipeline.Complete();
    }

    /// <summary>Stops gracefully: every pipeline drains, flushes and commits; events held for the watermark are read again by the next run.</summary>
    /// <returns>A task that completes when the stop was requested.</returns>
    public Task StopAsync() => _stop.CancelAsync();

    /// <summary>Waits for every pipeline to end (after <see cref="Complete"/> or <see cref="StopAsync"/>, or a failure, which
    /// stops the others), then stops the forwarders (after their last flush and commit).</summary>
    /// <returns>Whether every pipeline completed its input, and the combined figures.</returns>
    /// <exception cref="Exception">The first failure of a pipeline or forwarder.</exception>
    public async Task<(bool InputCompleted, PipelineStatistics Statistics)> WaitAsync()
    {
        var runs = _stages.Select(s => (Task)s.Run!).Concat(_forwarders.Select(f => f.Run)).ToList();
        while (runs.Any(r => !r.IsCompleted))
        {
            if (runs.Any(r => r.IsFaulted))
            {
                // One part failing for good stops the rest gracefully: what they stored stays committed, nothing past it.
                await _stop.CancelAsync().ConfigureAwait(false);
                await _stopForwarders.CancelAsync().ConfigureAwait(false);
            }
            else if (_stages.All(s => s.Run!.IsCompleted))
            {
                await _stopForwarders.CancelAsync().ConfigureAwait(false); // nothing reads what they would forward now
            }
            await Task.WhenAny(runs.Where(r => !r.IsCompleted)).ConfigureAwait(false);
        }
        var failure = _stages.Select(s => (Task)s.Run!).Concat(_forwarders.Select(f => f.Run)).FirstOrDefault(r => r.IsFaulted);
        if (failure is not null)
            await failure.ConfigureAwait(false); // throws the failure as it is
        return (_stages.All(s => s.Run!.Result.InputCompleted), GetStatistics());
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _stopForwarders.CancelAsync().ConfigureAwait(false);
        foreach (var stage in _stages)
        {
            await stage.Pipeline.DisposeAsync().ConfigureAwait(false);
            await stage.Source.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var (forwarder, _) in _forwarders)
            await forwarder.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _stopForwarders.Dispose();
    }

    /// <summary>One pipeline of the topology and the source it reads.</summary>
    /// <param name="Source">The source topic's consumer, or a repartition topic's reader.</param>
    /// <param name="Pipeline">The pipeline.</param>
    /// <param name="Part">The repartitioned part it runs, or <see langword="null"/> for the rules run where the records are read.</param>
    private sealed record Stage(IAsyncDisposable Source, InteractionPipeline Pipeline, string? Part)
    {
        public bool IsLocal => Part is null;

        public Task<PipelineSummary>? Run { get; set; }
    }
}

/// <summary>What a <see cref="ConsumerTopology"/> runs.</summary>
/// <param name="Kafka">The source topic and brokers.</param>
/// <param name="GroupId">The consumer group; the repartition topics and their groups are named after it.</param>
/// <param name="Rules">The rules.</param>
internal sealed record TopologySettings(KafkaConnection Kafka, string GroupId, RuleSet Rules)
{
    /// <summary>Gets how many members of the group run in this process (the demo's <c>--consumers</c>). Default 1.</summary>
    public int Members { get; init; } = 1;

    /// <summary>Gets which instant is the event time.</summary>
    public EventTimeMode EventTime { get; init; }

    /// <summary>Gets whether every member of the group runs in this process (the demo without <c>--processes</c>), so that
    /// what the forwarders wrote is what the readers read.</summary>
    public bool WholeGroup { get; init; }

    /// <summary>Gets the allowed lateness.</summary>
    public TimeSpan Lateness { get; init; } = new EventOrderingOptions().AllowedLateness;

    /// <summary>Gets how long a caught-up partition waits before it stops holding the watermark back.</summary>
    public TimeSpan IdleTimeout { get; init; } = new InteractionPipelineOptions().IdleTimeout;

    /// <summary>Gets librdkafka settings applied before the user's, or <see langword="null"/>.</summary>
    public IEnumerable<KeyValuePair<string, string>>? BaseSettings { get; init; }

    /// <summary>Gets where the sources and pipelines log, or <see langword="null"/>.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Gets how many messages the first member's local pipeline lets through, or <see langword="null"/>.</summary>
    public long? MaxMessages { get; init; }

    /// <summary>Gets the alert sinks every pipeline writes to (shared: they must be thread-safe and idempotent by alert id).</summary>
    public IReadOnlyList<(string Name, IBatchedSink<Alert> Sink)> AlertSinks { get; init; } = [];

    /// <summary>Gets the interaction sinks the local pipelines write to (each source record is stored once, by the member that reads it).</summary>
    public IReadOnlyList<(string Name, IBatchedSink<Interaction> Sink)> InteractionSinks { get; init; } = [];
}
