using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CallStream.Pipeline;

/// <summary>
/// The pipeline's one loop: reads the source's events and moves each one way through the stages — the
/// <see cref="RuleStage"/> (ordering and rules), the <see cref="OutputDispatcher"/> (sinks), the
/// <see cref="CheckpointWriter"/> (stored offsets) — and answers hand-over requests between events. It alone touches the
/// rule engine and the partition ledger's owned partitions.
/// </summary>
internal sealed class PipelineLoop(
    RuleStage stage,
    OutputDispatcher outputs,
    SinkSet sinks,
    CheckpointWriter checkpoints,
    PartitionLedger ledger,
    PipelineFigures figures,
    PipelineControl control,
    TimeProvider time,
    CancellationTokenSource abort,
    CancellationTokenSource completeInput,
    ILogger logger)
{
    private static readonly Task Never = new TaskCompletionSource().Task;

    private Task<bool>? _pendingMove;

    /// <summary>Runs until the source ends its sequence (after a stop) or something fails.</summary>
    public async Task RunAsync(IAsyncEnumerator<InteractionSourceEvent> events)
    {
        var batches = events as IRecordBatches;
        while (true)
        {
            while (control.TryTake(out var request))
                await HandleControlAsync(request).ConfigureAwait(false);

            if (_pendingMove is null)
            {
                // Fast path: a source that has events ready completes synchronously; no task per event.
                var move = events.MoveNextAsync();
                if (move.IsCompletedSuccessfully)
                {
                    if (!move.Result)
                        return;
                    await HandleAsync(events.Current).ConfigureAwait(false);
                    if (batches is not null)
                        await HandleRestOfBatchAsync(batches).ConfigureAwait(false);
                    continue;
                }
                _pendingMove = move.AsTask();
            }
            if (!_pendingMove.IsCompleted)
            {
                await WaitAsync(_pendingMove).ConfigureAwait(false);
                continue;
            }

            bool more = await _pendingMove.ConfigureAwait(false);
            _pendingMove = null;
            if (!more)
                return;
            await HandleAsync(events.Current).ConfigureAwait(false);
            if (batches is not null)
                await HandleRestOfBatchAsync(batches).ConfigureAwait(false);
        }
    }

    /// <summary>Offers the rest of a batch read by the source (a file's) in one call, then dispatches what it released.</summary>
    private ValueTask HandleRestOfBatchAsync(IRecordBatches batches)
    {
        var records = batches.TakeRestOfBatch(out int partition, out long firstOffset);
        if (records.IsEmpty)
            return ValueTask.CompletedTask;
        stage.OnRecords(records, partition, firstOffset);
        figures.Refresh(stage.Engine);
        if (outputs.HasPending)
            return DispatchAsync();
        checkpoints.StoreAdvanced();
        return ValueTask.CompletedTask;
    }

    /// <summary>Reads what the source still yields after a stop (not processed), then disposes it; returns the first failure.</summary>
    public async Task<Exception?> CloseSourceAsync(IAsyncEnumerator<InteractionSourceEvent> events, Exception? failure)
    {
        try
        {
            if (_pendingMove is { } pending)
            {
                while (await pending.ConfigureAwait(false))
                    pending = events.MoveNextAsync().AsTask();
            }
        }
#pragma warning disable CA1031 // the source's failure is reported unless an earlier one is
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure ??= ex;
        }
        try
        {
            await events.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // as above
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure ??= ex;
        }
        return failure;
    }

    /// <summary>Waits for the next event, a request, a sink failure, a partition going idle or an offset to store.</summary>
    private async Task WaitAsync(Task<bool> pendingMove)
    {
        sinks.ThrowIfFailed();
        checkpoints.StoreAdvanced();
        figures.Refresh(stage.Engine);
        var controlReady = control.NextSignal();
        if (control.HasPending)
            return; // posted before the signal was taken
        using var idleCancel = new CancellationTokenSource();
        var idle = Never;
        if (stage.GetTimeUntilIdle() is { } due)
        {
            idle = Task.Delay(due, time, idleCancel.Token);
            // The clock may have moved on between reading the due time and starting the timer; a virtual clock does not come back for it.
            if (!idle.IsCompleted && stage.GetTimeUntilIdle() is { } left && left <= TimeSpan.Zero)
                idle = Task.CompletedTask;
        }
        await Task.WhenAny(pendingMove, controlReady, sinks.Fault, idle, checkpoints.WhenAdvanced()).ConfigureAwait(false);
        await idleCancel.CancelAsync().ConfigureAwait(false);
        sinks.ThrowIfFailed();
        if (idle.IsCompletedSuccessfully && !stage.IsCompleted)
        {
            stage.Poll();
            await DispatchAsync().ConfigureAwait(false);
        }
        checkpoints.StoreAdvanced();
    }

    private ValueTask HandleAsync(in InteractionSourceEvent e)
    {
        if (e.Kind == InteractionSourceEventKind.Record)
        {
            // The common case without an async state machine: offer, and dispatch only what the engine released.
            if (!stage.IsCompleted)
                stage.OnRecord(e);
            if (outputs.HasPending)
                return DispatchThenRefreshAsync();
            checkpoints.StoreAdvanced();
            figures.RefreshAfterEvent(stage.Engine);
            return ValueTask.CompletedTask;
        }
        return HandleOtherAsync(e);
    }

    private async ValueTask DispatchThenRefreshAsync()
    {
        await DispatchAsync().ConfigureAwait(false);
        figures.RefreshAfterEvent(stage.Engine);
    }

    private async ValueTask HandleOtherAsync(InteractionSourceEvent e)
    {
        switch (e.Kind)
        {
            case InteractionSourceEventKind.Record:
                if (!stage.IsCompleted)
                    stage.OnRecord(e);
                break;
            case InteractionSourceEventKind.DeadLettered:
                if (!stage.IsCompleted)
                    stage.OnDeadLettered(e);
                break;
            case InteractionSourceEventKind.PartitionAssigned:
                stage.Assign(e.Partition, e.CommittedOffset, e.Offset);
                break;
            case InteractionSourceEventKind.PartitionCaughtUp:
                stage.OnCaughtUp(e.Partition);
                break;
            case InteractionSourceEventKind.PartitionActive:
                stage.OnActive(e.Partition);
                break;
            case InteractionSourceEventKind.Progress:
                stage.OnProgress(e.Partition, e.Timestamp);
                break;
            case InteractionSourceEventKind.PartitionRevoked:
                checkpoints.StoreAdvanced();
                stage.Release(e.Partition);
                Log.PartitionReleased(logger, e.Partition, "revoked");
                break;
            case InteractionSourceEventKind.PartitionLost:
                stage.Release(e.Partition);
                Log.PartitionReleased(logger, e.Partition, "lost: its offsets since the last commit are replayed by its next owner");
                // What was evaluated must be durable before a re-read of the partition may skip it.
                await DispatchAsync().ConfigureAwait(false);
                await FlushAsync().ConfigureAwait(false);
                break;
            case InteractionSourceEventKind.EndOfInput:
                await CompleteInputAsync().ConfigureAwait(false);
                break;
        }
        await DispatchAsync().ConfigureAwait(false);
        checkpoints.StoreAdvanced();
        figures.RefreshGauges(stage.Engine);
    }

    private async ValueTask HandleControlAsync(ControlRequest request)
    {
        try
        {
            switch (request.Kind)
            {
                case ControlKind.Revoke:
                    long started = Stopwatch.GetTimestamp();
                    await DispatchAsync().ConfigureAwait(false);
                    await FlushAsync().ConfigureAwait(false);
                    // Whatever the engine releases from now on for these partitions is no longer theirs to commit.
                    ledger.DetachSlots(request.Partitions);
                    Log.RevokeFlushed(logger, string.Join(",", request.Partitions), Stopwatch.GetElapsedTime(started));
                    break;
                case ControlKind.Complete:
                    await CompleteInputAsync().ConfigureAwait(false);
                    break;
            }
            request.Done.TrySetResult();
        }
        catch (Exception ex)
        {
            request.Done.TrySetException(ex);
            throw;
        }
    }

    /// <summary>
    /// Ends the input (<see cref="InteractionPipeline.Complete"/>, or a bounded source's end): evaluates the held events,
    /// writes everything out and stops reading, as at the end of a replay.
    /// </summary>
    private async ValueTask CompleteInputAsync()
    {
        if (stage.Complete())
        {
            await DispatchAsync().ConfigureAwait(false);
            figures.UpdateEngineGauges(stage.Engine);
        }
        await FlushAsync().ConfigureAwait(false);
        Log.InputCompleted(logger, figures.Evaluated);
        await completeInput.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Hands the released outputs to the sinks, then stores the offsets that became committable.</summary>
    private async ValueTask DispatchAsync()
    {
        if (!outputs.HasPending)
            return;
        await outputs.DispatchAsync(abort.Token).ConfigureAwait(false);
        checkpoints.StoreAdvanced();
    }

    /// <summary>Waits until every sink has written what it holds, then stores the offsets that became committable.</summary>
    private async ValueTask FlushAsync()
    {
        await sinks.FlushAsync(abort.Token).ConfigureAwait(false);
        checkpoints.StoreAdvanced();
    }
}
