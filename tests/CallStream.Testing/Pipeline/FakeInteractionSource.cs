using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace CallStream.Testing.Pipeline;

/// <summary>
/// An in-memory <see cref="IInteractionSource"/> over a <see cref="FakeTopic"/> that behaves as the Kafka source does:
/// partitions are assigned (through <see cref="InteractionSourceHandlers.OnAssigned"/>, which may move the start back
/// for a warm-up), read round-robin, reported caught up at their end and active when records arrive; stored offsets
/// are committed on revocation (after <see cref="InteractionSourceHandlers.OnRevoking"/>) and on stop, never on loss.
/// Tests drive hand-overs with <see cref="RevokeAsync"/>, <see cref="LoseAsync"/> and <see cref="AssignAsync"/>.
/// </summary>
/// <remarks>Handlers are awaited on the reading path, as the Kafka source waits for them on its consume thread: the
/// reader's pending <c>MoveNextAsync</c> does not complete until they return.</remarks>
public sealed class FakeInteractionSource : IInteractionSource
{
    private readonly FakeTopic _topic;
    private readonly int[] _initial;
    private readonly ConcurrentQueue<Command> _commands = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<int, long> _stored = [];
    private readonly HashSet<int> _owned = [];
    private readonly ConcurrentQueue<InteractionSourceEvent> _yielded = new();
    private TaskCompletionSource _commandSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    /// <summary>Creates a source over a topic.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="partitions">The partitions assigned at the start, or <see langword="null"/> for all of them.</param>
    public FakeInteractionSource(FakeTopic topic, IEnumerable<int>? partitions = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        _topic = topic;
        _initial = partitions?.ToArray() ?? [.. Enumerable.Range(0, topic.PartitionCount)];
    }

    /// <summary>Gets or sets how many records of one partition are read before the next partition's turn.</summary>
    public int RecordsPerTurn { get; init; } = 1;

    /// <summary>Gets the events yielded so far, in order.</summary>
    public IReadOnlyList<InteractionSourceEvent> Yielded => [.. _yielded];

    /// <summary>Gets how many times <see cref="InteractionSourceHandlers.OnRevoking"/> was called.</summary>
    public int RevokingCalls { get; private set; }

    /// <summary>Gets the offsets the reader stored for the partitions it owns (not yet committed).</summary>
    public IReadOnlyDictionary<int, long> Stored
    {
        get
        {
            lock (_lock)
                return new Dictionary<int, long>(_stored);
        }
    }

    /// <summary>Gets the partitions owned now.</summary>
    public IReadOnlyCollection<int> Owned
    {
        get
        {
            lock (_lock)
                return [.. _owned.Order()];
        }
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("A source is read once.");
        return ReadEventsAsync(handlers ?? new InteractionSourceHandlers(), cancellationToken);
    }

    /// <inheritdoc/>
    public void StoreOffset(int partition, long nextOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfNegative(nextOffset);
        lock (_lock)
        {
            if (_owned.Contains(partition) && (!_stored.TryGetValue(partition, out long stored) || nextOffset > stored))
                _stored[partition] = nextOffset;
        }
    }

    /// <summary>Commits the stored offsets now, as a consumer's background commit does.</summary>
    public void CommitStored()
    {
        lock (_lock)
        {
            foreach (var (partition, offset) in _stored)
                _topic.Commit(partition, offset);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        var result = new Dictionary<int, long>();
        foreach (int partition in partitions)
        {
            var records = _topic.Records(partition);
            int index = 0;
            while (index < records.Count && records[index].Timestamp < timestamp)
                index++;
            result[partition] = index;
        }
        return Task.FromResult<IReadOnlyDictionary<int, long>>(result);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, DateTimeOffset>> GetTimestampsAsync(IReadOnlyDictionary<int, long> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var result = new Dictionary<int, DateTimeOffset>();
        foreach (var (partition, offset) in offsets)
        {
            if (offset < _topic.EndOf(partition))
                result[partition] = _topic.Get(partition, offset).Timestamp;
        }
        return Task.FromResult<IReadOnlyDictionary<int, DateTimeOffset>>(result);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyDictionary<int, IReadOnlyList<Interaction>>> ReadInteractionsBeforeAsync(IReadOnlyDictionary<int, long> offsets, int count, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        var result = new Dictionary<int, IReadOnlyList<Interaction>>();
        foreach (var (partition, offset) in offsets)
        {
            long end = Math.Min(offset, _topic.EndOf(partition));
            var found = new List<Interaction>();
            for (long o = Math.Max(0, end - count); o < end; o++)
            {
                if (_topic.Get(partition, o).Interaction is { } interaction)
                    found.Add(interaction);
            }
            if (found.Count > 0)
                result[partition] = found;
        }
        return Task.FromResult<IReadOnlyDictionary<int, IReadOnlyList<Interaction>>>(result);
    }

    /// <summary>Revokes partitions in an orderly way: the revoking handler runs, stored offsets are committed, then <c>PartitionRevoked</c> events follow.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <returns>A task that completes when the hand-over is done.</returns>
    public Task RevokeAsync(params int[] partitions) => Enqueue(new Command(CommandKind.Revoke, partitions));

    /// <summary>Loses partitions: nothing is committed, <c>PartitionLost</c> events follow.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <returns>A task that completes when the events are queued.</returns>
    public Task LoseAsync(params int[] partitions) => Enqueue(new Command(CommandKind.Lose, partitions));

    /// <summary>Assigns partitions (the assignment handler runs; reading starts at the committed offset or where it says).</summary>
    /// <param name="partitions">The partitions.</param>
    /// <returns>A task that completes when the events are queued.</returns>
    public Task AssignAsync(params int[] partitions) => Enqueue(new Command(CommandKind.Assign, partitions));

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task Enqueue(Command command)
    {
        _commands.Enqueue(command);
        lock (_lock)
            _commandSignal.TrySetResult();
        return command.Done.Task;
    }

    private async IAsyncEnumerable<InteractionSourceEvent> ReadEventsAsync(InteractionSourceHandlers handlers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var positions = new Dictionary<int, long>();
        var caughtUp = new Dictionary<int, bool>();
        var pending = new List<InteractionSourceEvent>();
        await AssignCoreAsync(handlers, _initial, positions, caughtUp, pending).ConfigureAwait(false);
        foreach (var e in Drain(pending))
            yield return e;

        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                await RevokeCoreAsync(handlers, [.. positions.Keys.Order()], positions, caughtUp, pending).ConfigureAwait(false);
                foreach (var e in Drain(pending))
                    yield return e;
                yield break;
            }

            Task commandSignal;
            lock (_lock)
            {
                if (_commandSignal.Task.IsCompleted)
                    _commandSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
                commandSignal = _commandSignal.Task;
            }
            var changed = _topic.Changed;
            while (_commands.TryDequeue(out var command))
            {
                switch (command.Kind)
                {
                    case CommandKind.Revoke:
                        await RevokeCoreAsync(handlers, command.Partitions, positions, caughtUp, pending).ConfigureAwait(false);
                        break;
                    case CommandKind.Lose:
                        foreach (int partition in command.Partitions.Where(positions.ContainsKey))
                        {
                            Release(partition, positions, caughtUp);
                            pending.Add(InteractionSourceEvent.PartitionLost(partition));
                        }
                        break;
                    case CommandKind.Assign:
                        await AssignCoreAsync(handlers, command.Partitions, positions, caughtUp, pending).ConfigureAwait(false);
                        break;
                }
                foreach (var e in Drain(pending))
                    yield return e;
                command.Done.TrySetResult();
            }

            bool progressed = false;
            foreach (int partition in positions.Keys.Order().ToList())
            {
                for (int k = 0; k < RecordsPerTurn; k++)
                {
                    long position = positions[partition];
                    long end = _topic.EndOf(partition);
                    if (position < end)
                    {
                        if (caughtUp[partition])
                        {
                            caughtUp[partition] = false;
                            yield return Log(InteractionSourceEvent.PartitionActive(partition, "new records arrived"));
                        }
                        var record = _topic.Get(partition, position);
                        positions[partition] = position + 1;
                        progressed = true;
                        yield return Log(record.Interaction is { } interaction
                            ? InteractionSourceEvent.Record(partition, position, record.Timestamp, interaction)
                            : InteractionSourceEvent.DeadLettered(partition, position, record.Timestamp, record.PoisonReason!));
                    }
                    else
                    {
                        if (!caughtUp[partition])
                        {
                            caughtUp[partition] = true;
                            yield return Log(InteractionSourceEvent.PartitionCaughtUp(partition, end));
                        }
                        break;
                    }
                }
            }

            if (!progressed)
                await Task.WhenAny(changed, commandSignal, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        }
    }

    private async Task AssignCoreAsync(InteractionSourceHandlers handlers, IReadOnlyList<int> partitions, Dictionary<int, long> positions, Dictionary<int, bool> caughtUp, List<InteractionSourceEvent> pending)
    {
        var assigned = partitions.Select(p => new AssignedPartition(p, _topic.CommittedOf(p))).ToList();
        IReadOnlyDictionary<int, long>? starts = null;
        if (handlers.OnAssigned is { } onAssigned)
            starts = await onAssigned(assigned, CancellationToken.None).ConfigureAwait(false);
        foreach (var partition in assigned)
        {
            long start = starts is not null && starts.TryGetValue(partition.Partition, out long chosen) && chosen >= 0
                ? chosen
                : Math.Max(partition.CommittedOffset, 0);
            positions[partition.Partition] = start;
            caughtUp[partition.Partition] = false;
            lock (_lock)
            {
                _owned.Add(partition.Partition);
                _stored.Remove(partition.Partition);
            }
            pending.Add(InteractionSourceEvent.PartitionAssigned(partition.Partition, start, partition.CommittedOffset));
        }
    }

    private async Task RevokeCoreAsync(InteractionSourceHandlers handlers, IReadOnlyList<int> partitions, Dictionary<int, long> positions, Dictionary<int, bool> caughtUp, List<InteractionSourceEvent> pending)
    {
        var owned = partitions.Where(positions.ContainsKey).ToList();
        if (owned.Count == 0)
            return;
        RevokingCalls++;
        if (handlers.OnRevoking is { } onRevoking)
            await onRevoking(owned, CancellationToken.None).ConfigureAwait(false);
        lock (_lock)
        {
            foreach (int partition in owned)
            {
                if (_stored.TryGetValue(partition, out long offset))
                    _topic.Commit(partition, offset);
            }
        }
        foreach (int partition in owned)
        {
            Release(partition, positions, caughtUp);
            pending.Add(InteractionSourceEvent.PartitionRevoked(partition));
        }
    }

    private void Release(int partition, Dictionary<int, long> positions, Dictionary<int, bool> caughtUp)
    {
        positions.Remove(partition);
        caughtUp.Remove(partition);
        lock (_lock)
        {
            _owned.Remove(partition);
            _stored.Remove(partition);
        }
    }

    private IEnumerable<InteractionSourceEvent> Drain(List<InteractionSourceEvent> pending)
    {
        var events = pending.ToList();
        pending.Clear();
        foreach (var e in events)
            yield return Log(e);
    }

    private InteractionSourceEvent Log(InteractionSourceEvent e)
    {
        _yielded.Enqueue(e);
        return e;
    }

    private enum CommandKind
    {
        Revoke,
        Lose,
        Assign,
    }

    private sealed record Command(CommandKind Kind, int[] Partitions)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
