using System.Runtime.InteropServices;
using CallStream.Pipeline;
using Microsoft.Extensions.Logging;

namespace CallStream;

// The bookkeeping types of InteractionPipeline: hand-over requests, per-partition state, sinks.
public sealed partial class InteractionPipeline
{
    private enum ControlKind
    {
        Revoke,
        Complete,
    }

    /// <summary>A request from a source handler (or <see cref="Complete"/>) to the loop.</summary>
    private sealed record ControlRequest(ControlKind Kind, IReadOnlyList<int> Partitions)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>An evaluated event whose outputs are to be written under its ticket, or (nothing to write) whose slot is to be completed;
    /// no interaction for an event dropped as a duplicate (its first copy is the one stored).</summary>
    private readonly record struct Released(Interaction? Interaction, RecordTicket? Ticket, CheckpointTracker.Slot Slot, Alert[]? Alerts);

    /// <summary>An event evaluated while no one owned its partition here: its outputs wait for a re-read.</summary>
    private readonly record struct Orphan(Interaction? Interaction, Alert[]? Alerts);

    /// <summary>What this pipeline's engine holds of a partition; kept across hand-overs, as the engine's state is.</summary>
    private sealed class PartitionLog
    {
        private long _offeredUpTo = -1;

        /// <summary>Gets or sets the highest offset offered to the engine (read by the assignment handler on the source's thread).</summary>
        public long OfferedUpTo
        {
            get => Volatile.Read(ref _offeredUpTo);
            set => Volatile.Write(ref _offeredUpTo, value);
        }

        /// <summary>Gets the events offered to the engine and not yet evaluated, with their checkpoint slot under their current owner
        /// (an untracked slot after a hand-over).</summary>
        public Dictionary<long, CheckpointTracker.Slot> Pending { get; } = [];

        public Dictionary<long, Orphan> Orphans { get; } = [];

        public void DetachSlots()
        {
            foreach (long offset in Pending.Keys)
                CollectionsMarshal.GetValueRefOrNullRef(Pending, offset) = default; // in place: the enumeration stays valid
        }
    }

    /// <summary>A partition assigned to this pipeline now.</summary>
    private sealed class OwnedPartition(PartitionLog log, PartitionView view)
    {
        public PartitionLog Log { get; } = log;

        public PartitionView View { get; } = view;

        /// <summary>Gets or sets the committed offset at assignment: records before it only warm up state.</summary>
        public long WarmUpUntil { get; init; } = -1;

        public long LastBegun { get; set; } = -1;
    }

    /// <summary>The figures of an assigned partition, written by the loop and sink threads, read by <see cref="GetStatistics"/>.</summary>
    private sealed class PartitionView(int partition, long committed, long warmUpFrom)
    {
        private long _stored = -1;
        private long _lastRead = -1;
        private volatile bool _caughtUp;

        public int Partition { get; } = partition;

        public long Stored
        {
            get => Interlocked.Read(ref _stored);
            set => Interlocked.Exchange(ref _stored, value);
        }

        public long LastRead
        {
            get => Volatile.Read(ref _lastRead);
            set => Volatile.Write(ref _lastRead, value); // the loop only
        }

        public bool CaughtUp
        {
            get => _caughtUp;
            set => _caughtUp = value;
        }

        public PartitionStatistics Snapshot() => new(Partition, committed, Stored, warmUpFrom, LastRead, CaughtUp);
    }

    /// <summary>A sink as added, and its batching sink once the pipeline runs.</summary>
    private sealed class SinkHandle(string name, string kind, IBatchedSink<Alert>? alertSink, IBatchedSink<Interaction>? interactionSink, BatchingOptions? batching)
    {
        public string Name { get; } = name;

        public string Kind { get; } = kind;

        public BatchingOptions? Batching { get; } = batching;

        public BatchingSink<Alert>? Alerts { get; private set; }

        public BatchingSink<Interaction>? Interactions { get; private set; }

        public Task Completion => Alerts?.Completion ?? Interactions?.Completion ?? Never;

        public void Start(TimeProvider time, ILogger logger)
        {
            if (alertSink is not null)
                Alerts = new BatchingSink<Alert>(alertSink, Name, Batching, time, logger);
            else
                Interactions = new BatchingSink<Interaction>(interactionSink!, Name, Batching, time, logger);
        }

        public Task FlushAsync(CancellationToken cancellationToken) =>
            Alerts?.FlushAsync(cancellationToken) ?? Interactions?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

        public ValueTask DisposeAsync() => Alerts?.DisposeAsync() ?? Interactions?.DisposeAsync() ?? ValueTask.CompletedTask;

        public SinkStatistics GetStatistics()
        {
            long enqueued = Alerts?.Enqueued ?? Interactions?.Enqueued ?? 0;
            long written = Alerts?.Written ?? Interactions?.Written ?? 0;
            long rejected = Alerts?.Rejected ?? Interactions?.Rejected ?? 0;
            long? alreadyStored = ((object?)alertSink ?? interactionSink) is IDeduplicatingSink counting ? counting.AlreadyStored : null;
            return new SinkStatistics(Name, Kind, enqueued, written, Completion.IsFaulted ? enqueued - written - rejected : 0, rejected, alreadyStored);
        }
    }
}
