using CallStream.Csv;
using CallStream.Ndjson;

namespace CallStream;

/// <summary>
/// A bounded source over a log file — CSV (<see cref="CsvInteractionReader"/>) or NDJSON (<see cref="NdjsonReader{T}"/>) —
/// for an <see cref="InteractionPipeline"/>, so that a replay of a file runs through the same runner as a Kafka consumer.
/// One partition (0); a record's offset is the index of the accepted record (0, 1, 2, …) and its timestamp the
/// interaction's start time; after the last record the source reports <see cref="InteractionSourceEventKind.EndOfInput"/>,
/// so the pipeline evaluates the events it still holds, as a replay does, and stops.
/// </summary>
/// <remarks>
/// <para>The reader parses on a worker thread of the source's own, from <see cref="Start"/> (or the first read) on, in
/// small batches handed over through a short queue; the pipeline takes records from a batch without waiting. What the
/// reader throws — a bad header, a rejected row in strict mode, an I/O error — ends the sequence with that exception.</para>
/// <para>A file has no committed position: reading starts at its first record, the <see cref="InteractionSourceHandlers"/>
/// are not called, offsets stored are ignored, and a stop (cancellation) before the end ends the sequence without
/// <see cref="InteractionSourceEventKind.EndOfInput"/>. The reader stays the caller's: dispose it after the source.</para>
/// </remarks>
public sealed class FileInteractionSource : IInteractionSource, IUncheckpointedSource
{
    private readonly BatchedFileReader _reader;
    private int _read;

    /// <summary>Creates a source over a CSV log (nothing is read until <see cref="Start"/> or the first read).</summary>
    /// <param name="reader">The reader; its options say what happens to rejected rows (reported, written, or, strict, the end).</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    public FileInteractionSource(CsvInteractionReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = new BatchedFileReader(reader.Read);
    }

    /// <summary>Creates a source over an NDJSON log of interactions (nothing is read until <see cref="Start"/> or the first read).</summary>
    /// <param name="reader">The reader; its options say what happens to rejected lines.</param>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is null.</exception>
    public FileInteractionSource(NdjsonReader<Interaction> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = new BatchedFileReader(reader.Read);
    }

    /// <summary>
    /// Gets a callback told, on the thread that reads the source's events (the pipeline's loop), each time a batch of
    /// records is handed over, with how many records were handed over so far: for a progress display.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<long>? OnProgress { get; init; }

    /// <summary>
    /// Starts parsing on the worker thread ahead of the first read, so that parsing overlaps other start-up work (loading
    /// and compiling the rules). Reading starts it otherwise; calling it again does nothing.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The source is disposed.</exception>
    public void Start() => _reader.Start();

    /// <summary>Reads the file: <see cref="InteractionSourceEventKind.PartitionAssigned"/> for partition 0, each accepted record,
    /// then <see cref="InteractionSourceEventKind.EndOfInput"/>. A source is read once.</summary>
    /// <param name="handlers">Not called: a file has no committed position to resume from or to commit.</param>
    /// <param name="cancellationToken">Stops reading: the worker stops and the sequence ends without the end of input.</param>
    /// <returns>The events; the sequence throws what the reader threw.</returns>
    /// <exception cref="InvalidOperationException">The source was read before.</exception>
    public IAsyncEnumerable<InteractionSourceEvent> ReadAsync(InteractionSourceHandlers? handlers = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _read, 1) != 0)
            throw new InvalidOperationException("A FileInteractionSource is read once; create another one to read the file again.");
        return new FileSourceEvents(_reader, OnProgress, cancellationToken);
    }

    /// <summary>Does nothing: a file keeps no position to resume from.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="nextOffset">The offset of the first record that is not durable.</param>
    public void StoreOffset(int partition, long nextOffset)
    {
    }

    /// <summary>Not supported: a file is read from its start.</summary>
    /// <param name="partitions">The partitions.</param>
    /// <param name="timestamp">The instant.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>A task that fails with <see cref="NotSupportedException"/>.</returns>
    public Task<IReadOnlyDictionary<int, long>> GetOffsetsForTimeAsync(IReadOnlyCollection<int> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default) =>
        Task.FromException<IReadOnlyDictionary<int, long>>(new NotSupportedException("A FileInteractionSource is read from its start; it cannot seek to a time."));

    /// <summary>Stops the worker thread and waits for it (the reader can be disposed next).</summary>
    /// <returns>A task that completes when the worker has stopped.</returns>
    public ValueTask DisposeAsync() => _reader.DisposeAsync();
}
